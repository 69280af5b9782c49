"""The reviews' counter rows (pledges.tallies): reports and reviews by quarter, rectification
items by the quarter of their deadline and by deadline date while pending, and the people's
answers per evaluation; the items of reviews published to the people (the public page's
open / closed / closed on time).

A draft review counts nowhere, and its own items are not issued (`NOT_ISSUED_Q`): a review
leaving the draft (or going back to one) moves its items' figures in the same write.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db.models import Case, F, Model, Value, When
from django.utils import timezone

from pledges import tallies
from pledges.models import Tally
from pledges.tallies import Figure, Source

from .models import (
    NOT_ISSUED_Q,
    EvaluationResponse,
    MassEvaluation,
    RectificationItem,
    Review,
    SelfEvaluation,
)

REPORTED = "reported"  # key: subject kind
REVIEWS = "reviews"  # key: status:mode:grade
REVIEWED = "reviewed"  # key: subject kind; distinct organizations and members
ITEMS = "items"  # year and quarter of the deadline; key: status
ITEMS_DUE = "items_due"  # pending items; key: deadline
RATINGS = "ratings"  # period: half; key: evaluation:rating
PUBLIC_ITEMS = "public_items"  # under the review's organization; key: open, closed, on_time
_REVIEWED_ORG = "reviewed_org"
_REVIEWED_MEMBER = "reviewed_member"
tallies.DISTINCT[_REVIEWED_ORG] = (REVIEWED, "organization")
tallies.DISTINCT[_REVIEWED_MEMBER] = (REVIEWED, "member")

REVIEWED_STATUSES = (Review.Status.SIGNED, Review.Status.PUBLISHED)


def review_key(status: str, mode: str, grade: str) -> str:
    return f"{status}:{mode}:{grade}"


def quarter_of(day) -> int:
    return (day.month - 1) // 3 + 1


# --- reviews -----------------------------------------------------------------------------

_REVIEW_FIELDS = (
    "organization_id",
    "member_id",
    "subject_kind",
    "year",
    "quarter",
    "status",
    "mode",
    "grade",
    "scope",
)


def _review_figures(s: dict) -> Iterable[Figure]:
    if s["status"] == Review.Status.DRAFT:
        return
    org, year, quarter = s["organization_id"], s["year"], s["quarter"]
    yield (org, year, quarter, REVIEWS, review_key(s["status"], s["mode"], s["grade"]))
    if s["status"] in REVIEWED_STATUSES:
        if s["subject_kind"] == "organization":
            yield (org, year, quarter, _REVIEWED_ORG, "")
        elif s["subject_kind"] == "member":
            yield (org, year, quarter, _REVIEWED_MEMBER, str(s["member_id"]))


def _public(state: dict) -> bool:
    return state.get("status") == Review.Status.PUBLISHED and state.get("scope") == (
        Review.Scope.PUBLIC
    )


def _review_cascade(review: Model, old: dict, new: dict) -> Counter:
    """A review leaving the draft issues the items written with it (back to a draft, not);
    published to the people (or no longer), its items count on the public page."""
    was = old.get("status", Review.Status.DRAFT) == Review.Status.DRAFT
    now = new["status"] == Review.Status.DRAFT
    moved: Counter = Counter()
    if was == now and _public(old) == _public(new):
        return moved
    org = old.get("organization_id", new["organization_id"])
    for state in RectificationItem.objects.filter(review=review).values(
        *_ITEM_FIELDS, "created_at"
    ):
        own = state.pop("created_at") >= review.created_at
        before = {"live": not (was and own), "public": _public(old), "review_org": org}
        after = {"live": not (now and own), "public": _public(new)}
        moved.subtract(_item_figures({**state, **before}))
        moved.update(_item_figures({**state, **after, "review_org": new["organization_id"]}))
    return moved


def _review_rows(org_ids: list[int] | None) -> Iterable[dict]:
    rows = Review.objects.order_by()
    if org_ids is not None:
        rows = rows.filter(organization_id__in=org_ids)
    return rows.values(*_REVIEW_FIELDS).iterator(chunk_size=5000)


# --- reports -----------------------------------------------------------------------------

_REPORT_FIELDS = ("organization_id", "subject_kind", "year", "quarter", "status")


def _report_figures(s: dict) -> Iterable[Figure]:
    if s["status"] == SelfEvaluation.Status.SUBMITTED:
        yield (s["organization_id"], s["year"], s["quarter"], REPORTED, s["subject_kind"])


def _report_rows(org_ids: list[int] | None) -> Iterable[dict]:
    rows = SelfEvaluation.objects.order_by()
    if org_ids is not None:
        rows = rows.filter(organization_id__in=org_ids)
    return rows.values(*_REPORT_FIELDS).iterator(chunk_size=5000)


# --- rectification items -----------------------------------------------------------------

_ITEM_FIELDS = ("organization_id", "status", "deadline", "confirmed_at")


def _item_figures(s: dict) -> Iterable[Figure]:
    if s["public"]:
        closed = s["status"] == RectificationItem.Status.CONFIRMED
        yield (s["review_org"], 0, 0, PUBLIC_ITEMS, "closed" if closed else "open")
        if closed and timezone.localtime(s["confirmed_at"]).date() <= s["deadline"]:
            yield (s["review_org"], 0, 0, PUBLIC_ITEMS, "on_time")
    if not s["live"]:
        return
    org, deadline = s["organization_id"], s["deadline"]
    yield (org, deadline.year, quarter_of(deadline), ITEMS, s["status"])
    if s["status"] in RectificationItem.PENDING_STATUSES:
        yield (org, 0, 0, ITEMS_DUE, deadline.isoformat())


def _item_context(item: Model) -> dict:
    # Read, not taken from a loaded review: the review's write may not be saved yet.
    review = (
        Review.objects.filter(pk=item.review_id)
        .values("status", "scope", "created_at", "organization_id")
        .first()
    ) or {}
    draft = review.get("status") == Review.Status.DRAFT and review["created_at"] <= item.created_at
    return {
        "live": not draft,
        "public": _public(review),
        "review_org": review.get("organization_id"),
    }


def _item_rows(org_ids: list[int] | None) -> Iterable[dict]:
    rows = RectificationItem.objects.order_by()
    if org_ids is not None:
        rows = rows.filter(organization_id__in=org_ids)
    live = Case(When(NOT_ISSUED_Q, then=Value(False)), default=Value(True))
    public = Case(
        When(
            review__status=Review.Status.PUBLISHED,
            review__scope=Review.Scope.PUBLIC,
            then=Value(True),
        ),
        default=Value(False),
    )
    return rows.values(
        *_ITEM_FIELDS, live=live, public=public, review_org=F("review__organization_id")
    ).iterator(chunk_size=5000)


# --- the people's answers ----------------------------------------------------------------


def _rating_figures(s: dict) -> Iterable[Figure]:
    yield (s["org"], s["year"], s["half"], RATINGS, f"{s['evaluation_id']}:{s['rating']}")


def _rating_context(response: Model) -> dict:
    evaluation = response._state.fields_cache.get("evaluation")
    if evaluation is None:
        evaluation = (
            MassEvaluation.objects.only("organization_id", "year", "half")
            .filter(pk=response.evaluation_id)
            .first()
        )
    if evaluation is not None:
        return {"org": evaluation.organization_id, "year": evaluation.year, "half": evaluation.half}
    # Deleted with its evaluation, after it: the counter row still knows where it counted.
    org, year, half = (
        Tally.objects.filter(
            scope=Tally.OWN, kind=RATINGS, key=f"{response.evaluation_id}:{response.rating}"
        )
        .values_list("organization_id", "year", "period")
        .first()
    )
    return {"org": org, "year": year, "half": half}


def _rating_rows(org_ids: list[int] | None) -> Iterable[dict]:
    rows = EvaluationResponse.objects.order_by()
    if org_ids is not None:
        rows = rows.filter(evaluation__organization_id__in=org_ids)
    return rows.values(
        "evaluation_id",
        "rating",
        org=F("evaluation__organization_id"),
        year=F("evaluation__year"),
        half=F("evaluation__half"),
    ).iterator(chunk_size=5000)


def connect() -> None:
    tallies.register(
        Source(
            model=Review,
            fields=_REVIEW_FIELDS,
            figures=_review_figures,
            rows=_review_rows,
            kinds=(REVIEWS, _REVIEWED_ORG, _REVIEWED_MEMBER),
            cascade=_review_cascade,
        )
    )
    tallies.register(
        Source(
            model=SelfEvaluation,
            fields=_REPORT_FIELDS,
            figures=_report_figures,
            rows=_report_rows,
            kinds=(REPORTED,),
        )
    )
    tallies.register(
        Source(
            model=RectificationItem,
            fields=_ITEM_FIELDS,
            figures=_item_figures,
            rows=_item_rows,
            kinds=(ITEMS, ITEMS_DUE, PUBLIC_ITEMS),
            context=_item_context,
        )
    )
    tallies.register(
        Source(
            model=EvaluationResponse,
            fields=("evaluation_id", "rating"),
            figures=_rating_figures,
            rows=_rating_rows,
            kinds=(RATINGS,),
            context=_rating_context,
        )
    )
