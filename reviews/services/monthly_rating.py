"""Changes to 每月评比: a committee's criteria, a branch's month of ratings, its publication.

Each function is keyword-only, atomic, checks the permission and the state, locks the row it
changes, writes, and records who did it. Views, demo data and tests all go through these."""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import TransitionError
from core.locks import lock_first, lock_row
from core.notifications.events import notify
from core.notifications.services import NotificationItem
from core.text import checked_text
from core.versions import check_version, stamp
from pledges.models import Member, Organization
from pledges.services.reminders import secretaries_by_org

from ..models import (
    CRITERION_MAX_LENGTH,
    MAX_CRITERIA,
    Grade,
    MonthlyRating,
    MonthlyRatingSheet,
    RatingCriteria,
    overall_grade,
)
from ..rules.monthly_rating import can_rate_members, can_set_rating_criteria
from ..selectors.monthly_rating import branches_without_sheet, criteria_for, previous_month

REMARK_MAX = 200


def _check_month(year: int, month: int) -> None:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise TransitionError(_("月份有误"))
    if datetime.date(year, month, 1) > timezone.localdate():
        raise TransitionError(_("不能评比尚未开始的月份"))


@transaction.atomic
def rating_criteria_set(
    *, by, organization: Organization, names: list[str], version: int | None
) -> RatingCriteria:
    """A committee's criteria for the monthly 评比 of the branches under it (sheets already
    saved keep the criteria they were rated on)."""
    existing = lock_first(RatingCriteria.objects.filter(organization=organization))
    if not can_set_rating_criteria(by, organization):
        raise PermissionDenied
    label = _("评比内容")
    cleaned = [checked_text(n, CRITERION_MAX_LENGTH, label) for n in names]
    cleaned = list(dict.fromkeys(n for n in cleaned if n))
    if not cleaned:
        raise TransitionError(_("请至少填写一项评比内容"))
    if len(cleaned) > MAX_CRITERIA:
        raise TransitionError(_("评比内容最多 %(n)d 项") % {"n": MAX_CRITERIA})
    check_version(
        current=existing.edit_version if existing else 0,
        sent=version,
        label=label,
        who=existing.edited_by if existing else None,
        when=existing.edited_at if existing else None,
    )
    if existing is None:
        try:
            with transaction.atomic():
                return RatingCriteria.objects.create(
                    organization=organization,
                    names=cleaned,
                    edited_by=by,
                    edited_at=timezone.now(),
                )
        except IntegrityError as e:
            raise TransitionError(_("评比内容刚被他人设置，请刷新页面后重试")) from e
    existing.names = cleaned
    existing.save(update_fields=["names", *stamp(existing, by)])
    return existing


def _sheet(*, by, organization: Organization, year: int, month: int) -> MonthlyRatingSheet:
    """The month's sheet, locked; made with the criteria in force when it does not exist."""
    sheet = lock_first(
        MonthlyRatingSheet.objects.filter(organization=organization, year=year, month=month)
    )
    if sheet is not None:
        return sheet
    try:
        with transaction.atomic():
            return MonthlyRatingSheet.objects.create(
                organization=organization,
                year=year,
                month=month,
                criteria=criteria_for(organization),
                created_by=by,
            )
    except IntegrityError as e:
        raise TransitionError(_("本月评比表刚被他人创建，请刷新页面后重试")) from e


class RatingChange(NamedTuple):
    """One member's line as posted: the member, his rating on record now (or None), and the
    input (grades in the sheet's order, '' where none was chosen; remark; version)."""

    member: Member
    existing: MonthlyRating | None
    data: dict


def _save_line(*, by, sheet: MonthlyRatingSheet, change: RatingChange) -> bool:
    """Save one line; False when it asks for no change. A line left blank changes nothing."""
    d, existing = change.data, change.existing
    grades = list(d["grades"])
    remark = checked_text(d.get("remark"), REMARK_MAX, _("备注"))
    if not any(grades):
        if existing is not None and d.get("version") == existing.edit_version:
            raise TransitionError(_("已评比的党员不能改为空白"))
        return False
    if not all(grades) or len(grades) != len(sheet.criteria):
        raise TransitionError(_("请为每一项评比内容选择等次"))
    if any(g not in Grade.values for g in grades):
        raise TransitionError(_("请选择等次：好、较好、一般、差"))
    if existing is not None and (existing.grades, existing.remark) == (grades, remark):
        return False
    current = lock_first(MonthlyRating.objects.filter(sheet=sheet, member=change.member))
    check_version(
        current=current.edit_version if current else 0,
        sent=d.get("version"),
        label=_("评比"),
        who=current.edited_by if current else None,
        when=current.edited_at if current else None,
    )
    grade = overall_grade(grades)
    if current is None:
        MonthlyRating.objects.create(
            sheet=sheet,
            member=change.member,
            grades=grades,
            grade=grade,
            remark=remark,
            edited_by=by,
            edited_at=timezone.now(),
        )
        return True
    current.grades, current.grade, current.remark = grades, grade, remark
    current.save(update_fields=["grades", "grade", "remark", *stamp(current, by)])
    return True


@transaction.atomic
def monthly_ratings_save(
    *, by, organization: Organization, year: int, month: int, changes: list[RatingChange]
) -> tuple[int, list[str]]:
    """The month page's save: each member's line with its own version. A refused line is named
    in the returned messages and the others are saved. Returns (lines saved, messages)."""
    _check_month(year, month)
    if not can_rate_members(by, organization):
        raise PermissionDenied
    if any(c.member.organization_id != organization.pk for c in changes):
        raise TransitionError(_("党员不属于该组织"))
    wanted = [c for c in changes if any(c.data["grades"]) or c.existing is not None]
    if not wanted:
        return 0, []
    sheet = _sheet(by=by, organization=organization, year=year, month=month)
    if sheet.published_at is not None:
        raise TransitionError(_("本月评比结果已经公布，不能再修改"))
    saved, errors = 0, []
    for change in wanted:
        try:
            with transaction.atomic():
                saved += _save_line(by=by, sheet=sheet, change=change)
        except TransitionError as e:
            errors.append(f"{change.member.name}：{e}")
    return saved, errors


@transaction.atomic
def monthly_rating_sheet_publish(*, by, sheet: MonthlyRatingSheet) -> MonthlyRatingSheet:
    """公布: the month's standings go on the branch's public page; from then on they stay."""
    lock_row(sheet)
    if not can_rate_members(by, sheet.organization):
        raise PermissionDenied
    if sheet.published_at is not None:
        raise TransitionError(_("本月评比结果已经公布"))
    if not sheet.ratings.exists():
        raise TransitionError(_("本月还没有评比任何党员，不能公布"))
    sheet.published_at, sheet.published_by = timezone.now(), by
    sheet.save(update_fields=["published_at", "published_by"])
    notify(kind="monthly_rating_published", subject=sheet, by=by)
    return sheet


# --- 一月一评比: the reminder ----------------------------------------------------------------

MONTHLY_RATING_DUE = "monthly_rating_due"
# The month's 评比 is owed in the first days of the next month (after its 记实 are in).
RATING_DUE_DAYS = 10


def monthly_rating_due(day: datetime.date) -> list[NotificationItem]:
    """On the first RATING_DUE_DAYS days of a month, each secretary of a branch with members
    whose last month's 评比 is not published: three queries for a city."""
    if day.day > RATING_DUE_DAYS:
        return []
    year, month = previous_month(day.year, day.month)
    owing = branches_without_sheet(year, month)
    items = []
    for org_id, user_ids in secretaries_by_org().items():
        if org_id not in owing:
            continue
        link = f"{reverse('reviews:monthly_rating', args=[org_id])}?month={year}-{month:02d}"
        for user_id in user_ids:
            items.append(
                NotificationItem(
                    recipient_id=user_id,
                    kind=MONTHLY_RATING_DUE,
                    subject_key=f"o:{org_id}",
                    period=f"{year}-{month:02d}",
                    title=_("请完成%(y)d年%(m)d月党员评比") % {"y": year, "m": month},
                    body=_("党支部每月对党员进行一次评比，评比结果公布后向群众公开。"),
                    link=link,
                )
            )
    return items
