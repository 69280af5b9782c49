"""Reads of leader reviews, by sub-area:

- owed: who owes whom a review, the "my reviews" page and its missing count;
- office: the office's page of its subtree;
- spot_checks: the signed reviews the office spot-checks;
- counts: the subtree's reviews of a quarter by mode and grade, from the counter rows;
- public: reviews published to the public;
- prompts: what a review comments on;
- common: the live statuses, the current version of a reviewer's reviews, a counted paginator.

Every name is re-exported here, so `from reviews.selectors.review import X` keeps working.
"""

from .common import LIVE_REVIEW_STATUSES, CountedPaginator, current_version
from .counts import CANDIDATE_STATUSES, quarter_review_rows, review_counts
from .office import OfficeRow, office_page, office_subjects
from .owed import OwedReview, existing_review, missing_count, my_reviews, owed_subjects
from .prompts import FIELD_PROMPTS, FIVE_GOODS, FIVE_LEADS, MEMBER_KIND_PROMPTS, review_prompts
from .public import public_reviews
from .spot_checks import spot_check_candidates, spot_checks_page

__all__ = [
    "CANDIDATE_STATUSES",
    "FIELD_PROMPTS",
    "FIVE_GOODS",
    "FIVE_LEADS",
    "LIVE_REVIEW_STATUSES",
    "MEMBER_KIND_PROMPTS",
    "CountedPaginator",
    "OfficeRow",
    "OwedReview",
    "current_version",
    "existing_review",
    "missing_count",
    "my_reviews",
    "office_page",
    "office_subjects",
    "owed_subjects",
    "public_reviews",
    "quarter_review_rows",
    "review_counts",
    "review_prompts",
    "spot_check_candidates",
    "spot_checks_page",
]
