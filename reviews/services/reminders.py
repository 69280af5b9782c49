"""The reviews' reminder rules: the quarterly review and self-evaluation (一季一点评, 先报后评)
the deadlines of rectification items, suggestion letters and 整改通知书, and the nomination
deadline of a selection round (组织评选); the filing's (备案) is in services.filing.

Registered in `ReviewsConfig.ready()`, run by `core.notifications.reminders`. Who reviews whom
is "谁联系、谁分管、谁点评" as `selectors.review.owed_subjects` and `rules.review.can_review` decide
it for one user; here the same relationships are computed for everyone at once, from all
positions, organizations and members read up front (a fixed number of queries for a city).

A reviewer gets one reminder a quarter naming how many reviews he still owes and linking to his
"my reviews" page, not one per subject: a branch secretary owes one per member, and twenty
notifications saying the same thing would bury the bell.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from core.notifications.services import NotificationItem
from pledges.models import Member, Organization, Position
from pledges.selectors.calendar import calendar_resolver
from pledges.services.reminders import (
    acting_for_member,
    deadline_window,
    secretaries_by_org,
)

from ..models import (
    InspectionNotice,
    Nomination,
    Quarter,
    RectificationItem,
    Review,
    SelectionQuota,
    SelectionRound,
    SelfEvaluation,
    SubjectKey,
    SubjectKind,
    SuggestionLetter,
)
from ..rules.calendar import is_review_quarter
from ..selectors.review import LIVE_REVIEW_STATUSES
from .duty_report import DUTY_REPORT_DUE, duty_report_due
from .filing import FILING, filing_reminders
from .monthly_rating import MONTHLY_RATING_DUE, monthly_rating_due

REVIEW_OWED = "review_owed"
REVIEW_OWED_LAST = "review_owed_last"
SELF_EVALUATION_OWED = "self_evaluation_owed"
SELF_EVALUATION_OWED_LAST = "self_evaluation_owed_last"
RECTIFICATION_DEADLINE_SOON = "rectification_deadline_soon"
RECTIFICATION_OVERDUE = "rectification_overdue"
LETTER_DEADLINE_SOON = "letter_deadline_soon"
LETTER_OVERDUE = "letter_overdue"
INSPECTION_NOTICE_DEADLINE_SOON = "inspection_notice_deadline_soon"
INSPECTION_NOTICE_OVERDUE = "inspection_notice_overdue"
NOMINATION_DEADLINE_SOON = "nomination_deadline_soon"

# The second reminder goes out a week before the quarter ends, to those still missing.
LAST_CALL_DAYS = 7
# 组织评选: the units short of their places hear of the deadline in its last three days.
NOMINATION_NOTICE_DAYS = 3
# Names listed in a reminder's body; the linked page lists them all.
NAMES_SHOWN = 5


def quarter_window(day: datetime.date, *, last: bool) -> Quarter | None:
    """The quarter whose first (from the first day of its last month) or second (the last
    week) reminder falls on `day`, or None. Each window runs to its end so a missed beat
    catches up."""
    quarter = Quarter.of(day)
    last_from = quarter.end - datetime.timedelta(days=LAST_CALL_DAYS)
    first_from = quarter.end.replace(day=1)
    if last:
        return quarter if day >= last_from else None
    return quarter if first_from <= day < last_from else None


def _names(names: list[str]) -> str:
    shown = "、".join(names[:NAMES_SHOWN])
    if len(names) > NAMES_SHOWN:
        shown += _("等")
    return shown


# --- 一季一点评 -------------------------------------------------------------------------------


def _due_orgs(quarter: Quarter, paths: dict[int, str]) -> Callable[[int], bool]:
    """organization id → is a review (or report) owed for `quarter` under its calendar? One
    query for the year's calendars; each organization resolved once."""
    calendar = calendar_resolver(quarter.year)
    memo: dict[int, bool] = {}

    def due(org_id: int) -> bool:
        if org_id not in memo:
            memo[org_id] = is_review_quarter(quarter, calendar(paths[org_id]))
        return memo[org_id]

    return due


def _subject_org(key: str, org_id: int) -> int:
    """The organization whose calendar a subject follows: its own for an organization or a
    secretary, the branch (`org_id`, the reviewer's) for a member."""
    parsed = SubjectKey.parse(key)
    return org_id if parsed.kind == SubjectKind.MEMBER else parsed.pk


def owed_reviews(quarter: Quarter) -> dict[int, list[str]]:
    """reviewer user id → names of the subjects he owes a review and has not signed.

    Leaders review the organizations they are linked to or supervise and their secretaries;
    a secretary reviews the organizations directly under his and each member of his branch
    but himself. Five queries: positions, organizations, members, the quarter's live reviews,
    the year's calendars (a half-yearly committee's subjects owe nothing in Q1 and Q3).
    """
    positions = list(
        Position.objects.filter(user__is_active=True)
        .exclude(kind=Position.Kind.OFFICE)
        .values_list("user_id", "organization_id", "kind")
    )
    orgs = {
        pk: (path, name)
        for pk, path, name in Organization.objects.values_list("pk", "path", "name").iterator()
    }
    has_secretary = {org_id for _, org_id, kind in positions if kind == Position.Kind.SECRETARY}
    children: dict[str, list[int]] = defaultdict(list)
    for pk, (path, _name) in orgs.items():
        children[path[: -Organization.steplen]].append(pk)
    # Every member in one query without an IN list of thousands of branches; those of a
    # branch without a secretary are owed by nobody and dropped here.
    members: dict[int, list[tuple[str, str, int | None]]] = defaultdict(list)
    for org_id, member_id, name, user_id in Member.objects.values_list(
        "organization_id", "pk", "name", "user_id"
    ).iterator(chunk_size=5000):
        if org_id in has_secretary:
            members[org_id].append((str(SubjectKey(SubjectKind.MEMBER, member_id)), name, user_id))
    done = set(
        Review.objects.filter(
            year=quarter.year, quarter=quarter.quarter, status__in=LIVE_REVIEW_STATUSES
        ).values_list("subject_key", "reviewer_id")
    )
    # 半年一点评: a subject whose committee reviews half-yearly owes nothing in Q1 and Q3.
    due = _due_orgs(quarter, {pk: path for pk, (path, _name) in orgs.items()})
    owed: dict[int, dict[str, str]] = defaultdict(dict)
    for user_id, org_id, kind in positions:
        path, name = orgs[org_id]
        if kind == Position.Kind.SECRETARY:
            subjects = [
                (str(SubjectKey(SubjectKind.ORGANIZATION, c)), orgs[c][1])
                for c in children.get(path, ())
            ]
            subjects += [(key, n) for key, n, uid in members.get(org_id, ()) if uid != user_id]
        else:  # a leader linked to or supervising the organization
            subjects = [(str(SubjectKey(SubjectKind.ORGANIZATION, org_id)), name)]
            if org_id in has_secretary:
                subjects.append(
                    (
                        str(SubjectKey(SubjectKind.SECRETARY, org_id)),
                        _("%(org)s书记") % {"org": name},
                    )
                )
        for key, subject_name in subjects:
            if (key, user_id) not in done and due(_subject_org(key, org_id)):
                owed[user_id][key] = subject_name
    return {user_id: list(subjects.values()) for user_id, subjects in owed.items() if subjects}


def _review_items(day: datetime.date, *, kind: str, last: bool) -> list[NotificationItem]:
    quarter = quarter_window(day, last=last)
    if quarter is None:
        return []
    link = f"{reverse('reviews:my_reviews')}?q={quarter.code}"
    if last:
        title = _("%(q)s点评即将截止") % {"q": quarter.label}
    else:
        title = _("%(q)s领导点评提醒") % {"q": quarter.label}
    return [
        NotificationItem(
            recipient_id=user_id,
            kind=kind,
            subject_key="reviews",
            period=quarter.code,
            title=title,
            body=_(
                "按“谁联系、谁分管、谁点评”，您本季度还有 %(n)d 个点评对象未完成点评："
                "%(names)s。季度截止日 %(end)s。"
            )
            % {"n": len(names), "names": _names(names), "end": quarter.end.isoformat()},
            link=link,
        )
        for user_id, names in owed_reviews(quarter).items()
    ]


def review_owed(day: datetime.date) -> list[NotificationItem]:
    return _review_items(day, kind=REVIEW_OWED, last=False)


def review_owed_last(day: datetime.date) -> list[NotificationItem]:
    return _review_items(day, kind=REVIEW_OWED_LAST, last=True)


# --- 先报后评: self-evaluations ----------------------------------------------------------------


def owed_self_evaluations(quarter: Quarter) -> dict[int, list[str]]:
    """secretary user id → names of his organization's subjects whose report for the quarter
    is not submitted: the organization's own, his own as secretary, and each member's.

    先报后评 is the secretary's to see through, so the reminder goes to him, not to every
    member: one notification per organization rather than one per member of a city. A member
    sees his own report owed on his page.
    Five queries (the fifth: the year's calendars).
    """
    secretaries = secretaries_by_org()
    submitted = set(
        SelfEvaluation.objects.filter(
            year=quarter.year, quarter=quarter.quarter, status=SelfEvaluation.Status.SUBMITTED
        ).values_list("subject_key", flat=True)
    )
    orgs = {
        pk: (path, name)
        for pk, path, name in Organization.objects.values_list("pk", "path", "name")
    }
    names = {pk: name for pk, (_path, name) in orgs.items()}
    due = _due_orgs(quarter, {pk: path for pk, (path, _name) in orgs.items()})
    owed_by_org: dict[int, list[str]] = defaultdict(list)
    for org_id in [o for o in secretaries if due(o)]:
        for key, name in (
            (str(SubjectKey(SubjectKind.ORGANIZATION, org_id)), names[org_id]),
            (
                str(SubjectKey(SubjectKind.SECRETARY, org_id)),
                _("%(org)s书记") % {"org": names[org_id]},
            ),
        ):
            if key not in submitted:
                owed_by_org[org_id].append(name)
    # Every member in one query without an IN list of thousands of branches; those of a
    # branch without a secretary are reminded to nobody and dropped here.
    rows = Member.objects.values_list("pk", "name", "organization_id")
    for member_id, name, org_id in rows.iterator(chunk_size=5000):
        if (
            org_id in secretaries
            and due(org_id)
            and str(SubjectKey(SubjectKind.MEMBER, member_id)) not in submitted
        ):
            owed_by_org[org_id].append(name)
    owed: dict[int, list[str]] = defaultdict(list)
    for org_id, subjects in owed_by_org.items():
        for user_id in secretaries[org_id]:
            owed[user_id].extend(subjects)
    return owed


def _self_evaluation_items(day: datetime.date, *, kind: str, last: bool) -> list[NotificationItem]:
    quarter = quarter_window(day, last=last)
    if quarter is None:
        return []
    link = f"{reverse('reviews:my_self_evaluations')}?q={quarter.code}"
    if last:
        title = _("%(q)s自查自评即将截止") % {"q": quarter.label}
    else:
        title = _("请报送%(q)s自查自评") % {"q": quarter.label}
    return [
        NotificationItem(
            recipient_id=user_id,
            kind=kind,
            subject_key="reports",
            period=quarter.code,
            title=title,
            body=_("先报后评：%(n)d 份自查自评尚未报送：%(names)s。季度截止日 %(end)s。")
            % {"n": len(names), "names": _names(names), "end": quarter.end.isoformat()},
            link=link,
        )
        for user_id, names in owed_self_evaluations(quarter).items()
    ]


def self_evaluation_owed(day: datetime.date) -> list[NotificationItem]:
    return _self_evaluation_items(day, kind=SELF_EVALUATION_OWED, last=False)


def self_evaluation_owed_last(day: datetime.date) -> list[NotificationItem]:
    return _self_evaluation_items(day, kind=SELF_EVALUATION_OWED_LAST, last=True)


# --- rectification items and suggestion letters ---------------------------------------------


def _item_rows(window: tuple[datetime.date, datetime.date]):
    return (
        RectificationItem.objects.live()
        .filter(
            status__in=RectificationItem.PENDING_STATUSES,
            deadline__gte=window[0],
            deadline__lte=window[1],
        )
        .values_list(
            "pk",
            "problem",
            "deadline",
            "organization_id",
            "member_id",
            "member__user_id",
            "member__user__is_active",
            "review__reviewer_id",
        )
    )


def _rectification(day: datetime.date, *, late: bool) -> list[NotificationItem]:
    secretaries = secretaries_by_org()
    kind = RECTIFICATION_OVERDUE if late else RECTIFICATION_DEADLINE_SOON
    items = []
    for pk, problem, deadline, org_id, member_id, user_id, active, reviewer_id in _item_rows(
        deadline_window(day, late=late)
    ):
        if member_id is None:
            recipients = list(secretaries.get(org_id, ()))
        else:
            recipients = acting_for_member(user_id, active, org_id, secretaries)
        if late and reviewer_id is not None:
            recipients.append(reviewer_id)  # the reviewer follows his items to closure
        if late:
            title = _("整改事项已超过整改时限：%(problem)s")
        else:
            title = _("整改事项即将到期：%(problem)s")
        for recipient in dict.fromkeys(recipients):
            items.append(
                NotificationItem(
                    recipient_id=recipient,
                    kind=kind,
                    subject_key=f"r:{pk}",
                    period=deadline.isoformat(),
                    title=title % {"problem": problem[:60]},
                    body=_("整改时限 %(deadline)s。") % {"deadline": deadline.isoformat()},
                    link=reverse("reviews:rectification_item_detail", args=[pk]),
                )
            )
    return items


def rectification_deadline_soon(day: datetime.date) -> list[NotificationItem]:
    return _rectification(day, late=False)


def rectification_overdue(day: datetime.date) -> list[NotificationItem]:
    return _rectification(day, late=True)


def _letters(day: datetime.date, *, late: bool) -> list[NotificationItem]:
    secretaries = secretaries_by_org()
    start, end = deadline_window(day, late=late)
    rows = SuggestionLetter.objects.filter(
        status=SuggestionLetter.Status.ISSUED, deadline__gte=start, deadline__lte=end
    ).values_list(
        "pk",
        "number",
        "deadline",
        "member__organization_id",
        "member__user_id",
        "member__user__is_active",
        "issued_by_id",
    )
    kind = LETTER_OVERDUE if late else LETTER_DEADLINE_SOON
    items = []
    for pk, number, deadline, org_id, user_id, active, issued_by in rows:
        recipients = acting_for_member(user_id, active, org_id, secretaries)
        if late:
            recipients.append(issued_by)
            title = _("建议书 %(number)s 已超过整改时限")
        else:
            title = _("建议书 %(number)s 即将到期，请按时回复")
        for recipient in dict.fromkeys(recipients):
            items.append(
                NotificationItem(
                    recipient_id=recipient,
                    kind=kind,
                    subject_key=f"l:{pk}",
                    period=deadline.isoformat(),
                    title=title % {"number": number},
                    body=_("整改时限 %(deadline)s。") % {"deadline": deadline.isoformat()},
                    link=reverse("reviews:letter", args=[pk]),
                )
            )
    return items


def letter_deadline_soon(day: datetime.date) -> list[NotificationItem]:
    return _letters(day, late=False)


def letter_overdue(day: datetime.date) -> list[NotificationItem]:
    return _letters(day, late=True)


def _inspection_notices(day: datetime.date, *, late: bool) -> list[NotificationItem]:
    """整改通知书 due within the week to the branch's secretaries; once overdue, to them and
    to whoever issued it (the office that will re-check)."""
    secretaries = secretaries_by_org()
    start, end = deadline_window(day, late=late)
    rows = InspectionNotice.objects.filter(
        status__in=InspectionNotice.PENDING_STATUSES, deadline__gte=start, deadline__lte=end
    ).values_list("pk", "number", "deadline", "organization_id", "issued_by_id")
    kind = INSPECTION_NOTICE_OVERDUE if late else INSPECTION_NOTICE_DEADLINE_SOON
    if late:
        title = _("整改通知书 %(number)s 已超过整改时限")
    else:
        title = _("整改通知书 %(number)s 即将到期，请按时整改并报告")
    items = []
    for pk, number, deadline, org_id, issued_by in rows:
        recipients = [*secretaries.get(org_id, ()), *([issued_by] if late else [])]
        for recipient in dict.fromkeys(recipients):
            items.append(
                NotificationItem(
                    recipient_id=recipient,
                    kind=kind,
                    subject_key=f"in:{pk}",
                    period=deadline.isoformat(),
                    title=title % {"number": number},
                    body=_("整改时限 %(deadline)s。") % {"deadline": deadline.isoformat()},
                    link=reverse("reviews:inspection_notice", args=[pk]),
                )
            )
    return items


def inspection_notice_deadline_soon(day: datetime.date) -> list[NotificationItem]:
    return _inspection_notices(day, late=False)


def inspection_notice_overdue(day: datetime.date) -> list[NotificationItem]:
    return _inspection_notices(day, late=True)


# --- 组织评选: the nomination deadline ---------------------------------------------------------


def nomination_deadline_soon(day: datetime.date) -> list[NotificationItem]:
    """Each organization given places in an open round whose nominations close within three
    days (the last day included, so a missed beat catches up) and that has nominated fewer
    than its places: one notification to each who nominates for it (its secretaries and its
    own office, as `rules.selection.can_nominate`), linking to its nominate page. A round
    closed early by the short list, or a unit that filled its places, is told nothing.
    Three queries for any number of rounds and units."""
    quotas = list(
        SelectionQuota.objects.filter(
            round__status=SelectionRound.Status.OPEN,
            round__nominations_due__gte=day,
            round__nominations_due__lte=day + datetime.timedelta(days=NOMINATION_NOTICE_DAYS),
        )
        .values_list(
            "round_id", "round__title", "round__nominations_due", "organization_id", "places"
        )
        .order_by("round_id", "organization_id")
    )
    if not quotas:
        return []
    used = {
        (round_id, unit_id): n
        for round_id, unit_id, n in Nomination.objects.filter(round_id__in={q[0] for q in quotas})
        .values_list("round_id", "unit_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    short = [q for q in quotas if used.get((q[0], q[3]), 0) < q[4]]
    nominators: dict[int, list[int]] = defaultdict(list)
    for org_id, user_id in Position.objects.filter(
        organization_id__in={q[3] for q in short},
        kind__in=(Position.Kind.SECRETARY, Position.Kind.OFFICE),
        user__is_active=True,
    ).values_list("organization_id", "user_id"):
        nominators[org_id].append(user_id)
    items = []
    for round_id, title, due, org_id, places in short:
        for recipient in dict.fromkeys(nominators.get(org_id, ())):
            items.append(
                NotificationItem(
                    recipient_id=recipient,
                    kind=NOMINATION_DEADLINE_SOON,
                    subject_key=f"sel:{round_id}:{org_id}",
                    period=due.isoformat(),
                    title=_("%(title)s推荐将于 %(due)s 截止")
                    % {"title": title, "due": due.isoformat()},
                    body=_("本单位推荐名额 %(places)d 名，已推荐 %(used)d 名。")
                    % {"places": places, "used": used.get((round_id, org_id), 0)},
                    link=reverse("reviews:nomination_new", args=[round_id, org_id]),
                )
            )
    return items


RULES = {
    REVIEW_OWED: review_owed,
    REVIEW_OWED_LAST: review_owed_last,
    SELF_EVALUATION_OWED: self_evaluation_owed,
    SELF_EVALUATION_OWED_LAST: self_evaluation_owed_last,
    RECTIFICATION_DEADLINE_SOON: rectification_deadline_soon,
    RECTIFICATION_OVERDUE: rectification_overdue,
    LETTER_DEADLINE_SOON: letter_deadline_soon,
    LETTER_OVERDUE: letter_overdue,
    INSPECTION_NOTICE_DEADLINE_SOON: inspection_notice_deadline_soon,
    INSPECTION_NOTICE_OVERDUE: inspection_notice_overdue,
    NOMINATION_DEADLINE_SOON: nomination_deadline_soon,
    MONTHLY_RATING_DUE: monthly_rating_due,
    DUTY_REPORT_DUE: duty_report_due,
    FILING: filing_reminders,
}
