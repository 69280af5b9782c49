"""Setting a committee's calendar for a year, or dropping it to follow the one above again (see
pledges.models.calendar and pledges.rules.calendar for what is frozen once the year is under
way)."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.dates import FIRST_YEAR, LAST_YEAR
from core.errors import TransitionError
from core.locks import lock_first, lock_row
from core.request_memo import forget
from core.versions import check_edit, check_version, differing_labels, stamp

from ..models import Calendar, Organization
from ..rules.calendar import can_set_calendar, under_way
from ..selectors.calendar import MEMO_KEY, YearCalendar, calendar_for, inherited_calendar


@dataclass(frozen=True)
class CalendarContent:
    pledge_period: str
    review_cadence: str
    mass_evaluation_cadence: str
    grade_scale: str
    filing_first_half: datetime.date
    filing_second_half: datetime.date


def _check(content: CalendarContent, year: int) -> None:
    for name in Calendar.RHYTHM_FIELDS:
        if getattr(content, name) not in dict(Calendar._meta.get_field(name).choices):
            raise TransitionError(
                _("%(field)s无效") % {"field": Calendar._meta.get_field(name).verbose_name}
            )
    first, second = content.filing_first_half, content.filing_second_half
    if first.year != year:
        raise TransitionError(_("上半年备案截止日期应在本年度内"))
    if not (datetime.date(year, 7, 1) <= second <= datetime.date(year + 1, 12, 31)):
        raise TransitionError(_("下半年备案截止日期应在本年7月1日至次年年底之间"))
    if second <= first:
        raise TransitionError(_("下半年备案截止日期应晚于上半年"))


def _refuse_if_under_way(
    organization: Organization,
    year: int,
    before: YearCalendar,
    after: YearCalendar | CalendarContent,
) -> None:
    """A year under way keeps its rhythm: refuse a change of it (the filing dates may move)."""
    changed = [n for n in Calendar.RHYTHM_FIELDS if getattr(after, n) != getattr(before, n)]
    if not changed:
        return
    own = list(
        Calendar.objects.filter(year=year, organization__path__startswith=organization.path)
        .exclude(organization=organization)
        .values_list("organization__path", flat=True)
    )
    started = under_way(organization.path, own, year)
    if started:
        raise TransitionError(
            _(
                "%(year)d年度已经开始（已有%(what)s），承诺周期、点评和评议周期、点评等次"
                "不能再改：年度中途保持年初的设置。可以设置下一年度，或只修改备案日期。"
            )
            % {"year": year, "what": "、".join(started)}
        )


@transaction.atomic
def calendar_set(
    *,
    organization: Organization,
    year: int,
    content: CalendarContent,
    version: int | None,
    by,
) -> Calendar:
    """The office sets (or changes) its subtree's calendar for `year`. `version` is the row's
    edit_version the form was made from, 0 when there was no row yet: a second session's
    stale form is refused, not saved over the first one's."""
    lock_row(organization)  # two first settings of one year: the second waits and sees the row
    if not can_set_calendar(by, organization):
        raise PermissionDenied
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise TransitionError(_("年度超出范围"))
    _check(content, year)
    row = lock_first(Calendar.objects.filter(organization=organization, year=year))
    check_version(
        current=row.edit_version if row else 0,
        sent=version,
        label=_("工作日历"),
        differing=differing_labels(row, asdict(content)) if row else (),
        who=row.edited_by if row else None,
        when=row.edited_at if row else None,
    )
    _refuse_if_under_way(organization, year, calendar_for(organization, year), content)
    if row is None:
        row = Calendar(organization=organization, year=year)
    for name, value in asdict(content).items():
        setattr(row, name, value)
    stamp(row, by)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as e:  # pragma: no cover - the organization lock serializes these
        raise TransitionError(_("该年度的工作日历刚被他人设置，请刷新后重试")) from e
    forget(MEMO_KEY)
    return row


@transaction.atomic
def calendar_drop(*, organization: Organization, year: int, version: int | None, by) -> None:
    """The office drops its own calendar for `year`: the organization and the parts of its
    subtree without a row of their own follow the nearest ancestor's again (or the defaults).
    Refused as `calendar_set` refuses a change: once the year is under way the rhythm it
    started with stays, so a drop that would change it is refused; one that changes only the
    filing dates goes through. `version` is the row's edit_version the page showed."""
    lock_row(organization)  # as calendar_set: a setting and a drop of one year take turns
    if not can_set_calendar(by, organization):
        raise PermissionDenied
    row = lock_first(Calendar.objects.filter(organization=organization, year=year))
    if row is None:
        raise TransitionError(_("本党委本年度没有自行设置工作日历，已在沿用上级设置"))
    check_edit(row, version, label=_("工作日历"))
    _refuse_if_under_way(
        organization,
        year,
        YearCalendar.of_row(row, organization.name),
        inherited_calendar(organization, year),
    )
    row.delete()
    forget(MEMO_KEY)
