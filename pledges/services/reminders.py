"""The pledge book's reminder rules (一月一提醒, deadlines). The January and July filing (备案)
is reviews' (reviews.services.filing): it knows who filed.

Each rule is a function of a day (Asia/Shanghai) returning notification items, registered in
`PledgesConfig.ready()` and run by `core.notifications.reminders` (the beat's tasks and
`manage.py send_reminders`). A rule fires over a window of days so a missed beat catches up the
next day; the notifications' unique key (recipient, kind, subject, period) keeps each reminder
to one. Recipients are read up front in a fixed number of queries, whatever the count: no
query per row.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from core.notifications.services import NotificationItem

from ..models import Organization, Pledge, Position, ProgressRecord

MONTHLY_PROGRESS = "monthly_progress"
PLEDGE_DEADLINE_SOON = "pledge_deadline_soon"
PLEDGE_OVERDUE = "pledge_overdue"

# 一月一提醒: from the 20th, ten days before the month ends, to the month's last day.
MONTHLY_FROM_DAY = 20
# "7 days before and the day after" a deadline; each window is a week wide so a missed beat
# still reminds (once: the period is the deadline itself, so a moved deadline reminds again).
DEADLINE_NOTICE_DAYS = 7
OVERDUE_CATCH_UP_DAYS = 7


# --- recipients ---------------------------------------------------------------------------


def secretaries_by_org() -> dict[int, list[int]]:
    """organization id → ids of its secretaries' active logins, in one query. All of them:
    a city holds a few thousand, fewer than an `IN` list of organizations would cost."""
    by_org: dict[int, list[int]] = defaultdict(list)
    rows = Position.objects.filter(kind=Position.Kind.SECRETARY, user__is_active=True).values_list(
        "organization_id", "user_id"
    )
    for org_id, user_id in rows.iterator(chunk_size=5000):
        by_org[org_id].append(user_id)
    return by_org


def acting_for_member(
    member_user_id: int | None, member_active: bool | None, org_id: int, secretaries: dict
) -> list[int]:
    """Who acts for a member: the member's own login, else his branch's secretaries (who keep
    the book for members without one)."""
    if member_user_id is not None and member_active:
        return [member_user_id]
    return list(secretaries.get(org_id, ()))


# --- 一月一提醒 -------------------------------------------------------------------------------


def unrecorded_pledges(month_start: datetime.date, day: datetime.date):
    """Running pledges with no progress record dated in the month up to `day`: one query."""
    recorded = ProgressRecord.objects.filter(
        pledge=OuterRef("pk"), date__gte=month_start, date__lte=day
    )
    return (
        Pledge.objects.filter(status__in=Pledge.RUNNING_STATUSES)
        .filter(~Exists(recorded))
        .values_list(
            "owner_org_id",
            "owner_member_id",
            "owner_member__user_id",
            "owner_member__user__is_active",
        )
    )


def monthly_progress(day: datetime.date) -> list[NotificationItem]:
    """Members with a running pledge and no record this month; for the branch's own pledges
    and members without a login, the branch secretary (linked to the month's round page)."""
    if day.day < MONTHLY_FROM_DAY:
        return []
    month_start = day.replace(day=1)
    period = f"{day:%Y-%m}"
    secretaries = secretaries_by_org()
    by_member: dict[tuple[int, int], int] = defaultdict(int)  # (user, member) → pledges
    by_org: dict[int, int] = defaultdict(int)
    for org_id, member_id, user_id, active in unrecorded_pledges(month_start, day).iterator(
        chunk_size=5000
    ):
        if member_id is not None and user_id is not None and active:
            by_member[(user_id, member_id)] += 1
        else:
            by_org[org_id] += 1
    items = [
        NotificationItem(
            recipient_id=user_id,
            kind=MONTHLY_PROGRESS,
            subject_key=f"m:{member_id}",
            period=period,
            title=_("请记录本月践诺情况"),
            body=_("您有 %(n)d 项承诺正在践诺，%(month)s尚未记实，请登录系统填写。")
            % {"n": n, "month": _month_label(day)},
            link=reverse("pledges:my_pledges"),
        )
        for (user_id, member_id), n in by_member.items()
    ]
    if by_org:
        names = dict(Organization.objects.filter(pk__in=list(by_org)).values_list("pk", "name"))
        for org_id, n in by_org.items():
            link = f"{reverse('pledges:round', args=[org_id])}?month={period}"
            for user_id in secretaries.get(org_id, ()):
                items.append(
                    NotificationItem(
                        recipient_id=user_id,
                        kind=MONTHLY_PROGRESS,
                        subject_key=f"o:{org_id}",
                        period=period,
                        title=_("%(org)s：请完成本月记实") % {"org": names.get(org_id, "")},
                        body=_(
                            "%(org)s有 %(n)d 项承诺（本组织的和没有登录账号的党员的）%(month)s"
                            "尚未记实，可在“每月记实”页一次填写。"
                        )
                        % {"org": names.get(org_id, ""), "n": n, "month": _month_label(day)},
                        link=link,
                    )
                )
    return items


def _month_label(day: datetime.date) -> str:
    return _("%(y)d年%(m)d月") % {"y": day.year, "m": day.month}


# --- deadlines ----------------------------------------------------------------------------


def deadline_window(day: datetime.date, *, late: bool) -> tuple[datetime.date, datetime.date]:
    """The deadlines a rule run on `day` reminds of: the coming week's ("due soon"), or the
    past week's ("overdue", caught up if a beat was missed). Pledges, rectification items and
    suggestion letters share it."""
    one_day = datetime.timedelta(days=1)
    if late:
        return day - OVERDUE_CATCH_UP_DAYS * one_day, day - one_day
    return day + one_day, day + DEADLINE_NOTICE_DAYS * one_day


def _pledge_rows(window: tuple[datetime.date, datetime.date]) -> Iterable[tuple]:
    return (
        Pledge.objects.filter(
            status__in=Pledge.RUNNING_STATUSES,
            deadline__gte=window[0],
            deadline__lte=window[1],
        )
        .values_list(
            "pk",
            "title",
            "deadline",
            "owner_org_id",
            "owner_member_id",
            "owner_member__user_id",
            "owner_member__user__is_active",
        )
        .iterator(chunk_size=5000)
    )


def _pledge_deadlines(day: datetime.date, *, late: bool) -> list[NotificationItem]:
    """Due soon: whoever records the pledge's progress. Overdue: its owner and the secretary,
    who must close it or declare it unfulfilled."""
    secretaries = secretaries_by_org()
    if late:
        kind, title = PLEDGE_OVERDUE, _("承诺已超过完成时限：%(title)s")
        body = _("完成时限 %(deadline)s 已过，请如实记实，办结的予以销号，未兑现的如实认定。")
    else:
        kind, title = PLEDGE_DEADLINE_SOON, _("承诺即将到期：%(title)s")
        body = _("完成时限为 %(deadline)s，请抓紧践诺并及时记实。")
    items = []
    for pk, name, deadline, org_id, member_id, user_id, active in _pledge_rows(
        deadline_window(day, late=late)
    ):
        if late:
            recipients = list(secretaries.get(org_id, []))
            if member_id is not None and user_id is not None and active:
                recipients.append(user_id)
        elif member_id is None:
            recipients = list(secretaries.get(org_id, []))
        else:
            recipients = acting_for_member(user_id, active, org_id, secretaries)
        for recipient in dict.fromkeys(recipients):
            items.append(
                NotificationItem(
                    recipient_id=recipient,
                    kind=kind,
                    subject_key=f"p:{pk}",
                    period=deadline.isoformat(),
                    title=title % {"title": name},
                    body=body % {"deadline": deadline.isoformat()},
                    link=reverse("pledges:pledge", args=[pk]),
                )
            )
    return items


def pledge_deadline_soon(day: datetime.date) -> list[NotificationItem]:
    """Running pledges due within the next seven days."""
    return _pledge_deadlines(day, late=False)


def pledge_overdue(day: datetime.date) -> list[NotificationItem]:
    """Running pledges whose deadline passed in the last week."""
    return _pledge_deadlines(day, late=True)


RULES = {
    MONTHLY_PROGRESS: monthly_progress,
    PLEDGE_DEADLINE_SOON: pledge_deadline_soon,
    PLEDGE_OVERDUE: pledge_overdue,
}
