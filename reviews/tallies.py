"""The reviews' counter rows (pledges.tallies): reports and reviews by quarter, rectification
items by the quarter of their deadline and by deadline date while pending, the people's
answers of valid evaluations by their end, and the items of reviews published to the people
(the public page's open / closed / closed on time).

A draft review counts nowhere, and its own items are not issued (`NOT_ISSUED_Q`): a review
leaving the draft (or going back to one) moves its items' figures in the same write.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import connection
from django.db.models import Case, Count, F, Model, Q, Value, When
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from pledges import tallies
from pledges.tallies import Figure, Source

from .models import (
    MIN_RESPONSES,
    NOT_ISSUED_Q,
    EvaluationResponse,
    MassEvaluation,
    RectificationItem,
    Review,
    Satisfaction,
    SelfEvaluation,
)

REPORTED = "reported"  # key: subject kind
REVIEWS = "reviews"  # key: status:mode:grade
REVIEWED = "reviewed"  # key: subject kind; distinct organizations and members
ITEMS = "items"  # year and quarter of the deadline; key: status
ITEMS_DUE = "items_due"  # pending items; key: deadline
SATISFACTION = "satisfaction"  # valid evaluations; period: half; key: end:rating
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
# Counted per evaluation's end, not per evaluation: a subtree's satisfaction is then a few
# rows per child whatever the number of evaluations under it. Only a valid evaluation (at
# least MIN_RESPONSES answers) counts, so the answer that makes it valid moves all of its
# answers in, and the figures are computed from the evaluation's answers as stored (under
# the evaluation's row lock), not added one answer at a time.

_EVALUATION_FIELDS = ("organization_id", "year", "half", "ends_on", "closed_at")
# Evaluations being deleted: their answers go with them and are taken off once, by the
# evaluation (a delete removes the answers first, then the evaluation).
_DROPPING: set[int] = set()


def satisfaction_end(ends_on, closed_at) -> str:
    """The key's first part: "c" once closed early, else the end date (ISO). An evaluation has
    ended when its key starts with "c:" or sorts before today's date ("c" sorts after digits)."""
    return "c" if closed_at is not None else ends_on.isoformat()


def _satisfaction_figures(s: dict) -> Counter:
    answers: Counter = s["answers"]
    if sum(answers.values()) < MIN_RESPONSES:
        return Counter()
    end = satisfaction_end(s["ends_on"], s["closed_at"])
    org, year, half = s["organization_id"], s["year"], s["half"]
    return Counter(
        {(org, year, half, SATISFACTION, f"{end}:{r}"): n for r, n in answers.items() if n > 0}
    )


def _answers(evaluation_id: int) -> Counter:
    return Counter(
        dict(
            EvaluationResponse.objects.filter(evaluation_id=evaluation_id)
            .values_list("rating")
            .annotate(n=Count("id"))
            .order_by()
        )
    )


def _evaluation_context(evaluation: Model) -> dict:
    return {"answers": _answers(evaluation.pk)}


def _evaluation_rows(org_ids: list[int] | None) -> Iterable[dict]:
    rows = MassEvaluation.objects.order_by()
    if org_ids is not None:
        rows = rows.filter(organization_id__in=org_ids)
    counts = {r: Count("responses", filter=Q(responses__rating=r)) for r in Satisfaction.values}
    for state in rows.values(*_EVALUATION_FIELDS, **{f"n_{r}": c for r, c in counts.items()}):
        state["answers"] = Counter({r: state.pop(f"n_{r}") for r in counts})
        yield state


def _answers_moved(evaluation_id: int, change: Counter) -> None:
    """An evaluation's answers changed by `change` (already stored): move its figures."""
    if evaluation_id in _DROPPING:
        return
    rows = MassEvaluation.objects.filter(pk=evaluation_id)
    if connection.in_atomic_block:
        # Two answers at once could both see the 30th answer as theirs: one at a time.
        rows = rows.select_for_update()
    state = rows.values(*_EVALUATION_FIELDS).first()
    if state is None:
        return
    after = _answers(evaluation_id)
    before = after.copy()
    before.subtract(change)
    deltas = _satisfaction_figures({**state, "answers": after})
    deltas.subtract(_satisfaction_figures({**state, "answers": before}))
    tallies.apply(deltas)


def _response_saving(sender, instance, **kwargs) -> None:
    stored = None
    if not instance._state.adding and instance.pk is not None:
        stored = (
            sender._base_manager.filter(pk=instance.pk).values("evaluation_id", "rating").first()
        )
    instance._tally_old = stored


def _response_saved(sender, instance, created=False, **kwargs) -> None:
    old = None if created else getattr(instance, "_tally_old", None)
    instance._tally_old = None
    if old is not None and old["evaluation_id"] != instance.evaluation_id:
        _answers_moved(old["evaluation_id"], Counter({old["rating"]: -1}))
        old = None
    change = Counter({instance.rating: 1})
    if old is not None:
        change[old["rating"]] -= 1
    _answers_moved(instance.evaluation_id, change)


def _response_deleted(sender, instance, **kwargs) -> None:
    _answers_moved(instance.evaluation_id, Counter({instance.rating: -1}))


def _evaluation_deleting(sender, instance, **kwargs) -> None:
    state = {f: getattr(instance, f) for f in _EVALUATION_FIELDS}
    deltas: Counter = Counter()
    deltas.subtract(_satisfaction_figures({**state, "answers": _answers(instance.pk)}))
    tallies.apply(deltas)
    _DROPPING.add(instance.pk)


def _evaluation_deleted(sender, instance, **kwargs) -> None:
    _DROPPING.discard(instance.pk)


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
            model=MassEvaluation,
            fields=_EVALUATION_FIELDS,
            figures=_satisfaction_figures,
            rows=_evaluation_rows,
            kinds=(SATISFACTION,),
            context=_evaluation_context,
        )
    )
    # The answers move their evaluation's figures (above), not figures of their own.
    uid = "tallies-satisfaction"
    pre_save.connect(_response_saving, sender=EvaluationResponse, dispatch_uid=f"{uid}-pre")
    post_save.connect(_response_saved, sender=EvaluationResponse, dispatch_uid=f"{uid}-save")
    post_delete.connect(_response_deleted, sender=EvaluationResponse, dispatch_uid=f"{uid}-del")
    pre_delete.connect(_evaluation_deleting, sender=MassEvaluation, dispatch_uid=f"{uid}-drop")
    post_delete.connect(_evaluation_deleted, sender=MassEvaluation, dispatch_uid=f"{uid}-gone")
