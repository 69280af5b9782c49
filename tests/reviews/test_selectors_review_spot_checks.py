"""The spot-check page is counted from the counter rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.models import Review
from reviews.selectors import review as review_selectors
from tests.factories import (
    make_review,
)


def test_it_counts_the_spot_check_page_from_the_counters(town_data):
    w = town_data
    first = review_selectors.spot_checks_page(org=w.town, quarter=w.q, page=None, per_page=20)
    with CaptureQueriesContext(connection) as ctx:
        again = review_selectors.spot_checks_page(org=w.town, quarter=w.q, page=None, per_page=20)
    assert [r.pk for r in again] == [r.pk for r in first]
    # The count (a sum of the counters), the page's ids, its rows and their items.
    assert len(ctx) == 4
    assert '"pledges_tally"' in ctx.captured_queries[0]["sql"]
    make_review(w.q, Review.Grade.GOOD, member=w.wang)
    after = review_selectors.spot_checks_page(org=w.town, quarter=w.q, page=None, per_page=20)
    assert after.paginator.count == first.paginator.count + 1
    assert {r.item_count for r in after} >= {0}
