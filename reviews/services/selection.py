"""Changes to 组织评选: open a round, nominate, withdraw, shortlist, publicise (from the
publicity app's 公示), decide.

Each function is keyword-only, atomic, locks the round first, checks the rule and the state on
the locked row, writes and records who did it. Views, the publicity app, demo data and tests
all go through these."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import TransitionError
from core.locks import lock_row
from core.notifications.events import notify
from core.text import REASON_MAX, TITLE_MAX, checked_text
from core.versions import check_edit, stamp
from pledges.models import Member, Organization

from ..models import AnnualAssessment, Honour, Nomination, SelectionQuota, SelectionRound
from ..models.selection import MAX_QUOTA
from ..rules import selection as rules
from ..selectors import selection as selectors

Status = SelectionRound.Status


@dataclass(frozen=True)
class RoundContent:
    honour: str
    title: str
    year: int
    nominations_due: datetime.date
    quotas: dict[int, int]  # child organization id -> places


@transaction.atomic
def selection_round_open(
    *, by, organization: Organization, content: RoundContent
) -> SelectionRound:
    """The office opens a round for its subtree; each child with places is told to nominate."""
    lock_row(organization)
    if not rules.can_open_selection(by, organization):
        raise PermissionDenied
    if content.honour not in Honour.values:
        raise TransitionError(_("请选择评选项目"))
    title = checked_text(content.title, TITLE_MAX, _("标题"), required=True)
    today = timezone.localdate()
    if not 2000 <= content.year <= today.year:
        raise TransitionError(_("考察年度无效"))
    if content.nominations_due < today:
        raise TransitionError(_("推荐截止日期不能早于今天"))
    children = {o.pk: o for o in selectors.child_units(organization)}
    quotas = {k: v for k, v in content.quotas.items() if v}
    if any(k not in children for k in quotas):
        raise TransitionError(_("推荐名额只能分配给直属下级党组织"))
    if any(not 0 < v <= MAX_QUOTA for v in quotas.values()):
        raise TransitionError(_("推荐名额应为 1 到 %(n)d 之间的整数") % {"n": MAX_QUOTA})
    if not quotas:
        raise TransitionError(_("请至少为一个下级党组织分配推荐名额"))
    selection = SelectionRound.objects.create(
        organization=organization,
        honour=content.honour,
        title=title,
        year=content.year,
        nominations_due=content.nominations_due,
        opened_by=by,
    )
    SelectionQuota.objects.bulk_create(
        SelectionQuota(round=selection, organization=children[k], places=v)
        for k, v in quotas.items()
    )
    notify(kind="selection_opened", subject=selection, by=by)
    return selection


@dataclass(frozen=True)
class NominationContent:
    nominee: str  # "m:<member id>" or "o:<organization id>"
    reason: str
    caution_reason: str = ""


def _nominee(selection: SelectionRound, unit: Organization, key: str):
    """The member or organization named by the key, under the unit, of the round's kind."""
    prefix, _sep, digits = (key or "").partition(":")
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 12):
        raise TransitionError(_("请选择推荐对象"))
    pk = int(digits)
    if selection.names_organizations:
        org = (
            Organization.objects.filter(pk=pk, path__startswith=unit.path).first()
            if prefix == "o"
            else None
        )
        if org is None:
            raise TransitionError(_("推荐对象应为本单位范围内的党组织"))
        return org, None
    member = (
        Member.objects.filter(pk=pk, organization__path__startswith=unit.path)
        .select_related("organization")
        .first()
        if prefix == "m"
        else None
    )
    if member is None:
        raise TransitionError(_("推荐对象应为本单位范围内的党员"))
    return member.organization, member


@transaction.atomic
def nomination_create(
    *, by, selection: SelectionRound, unit: Organization, content: NominationContent
) -> Nomination:
    """推荐: within the unit's places, while the round is open. A nominee graded 差 or with an
    overdue unfulfilled pledge needs a written reason, kept with the nomination and shown on
    the 公示."""
    lock_row(selection)  # places are counted on the locked round: two at once cannot overfill
    if not rules.can_nominate(by, unit):
        raise PermissionDenied
    if selection.status != Status.OPEN:
        raise TransitionError(_("推荐已经截止"))
    if selection.nominations_due < timezone.localdate():
        raise TransitionError(_("推荐已经截止"))
    quota = SelectionQuota.objects.filter(round=selection, organization=unit).first()
    if quota is None:
        raise TransitionError(_("本单位在此次评选中没有推荐名额"))
    if Nomination.objects.filter(round=selection, unit=unit).count() >= quota.places:
        raise TransitionError(_("推荐名额已用完（%(n)d 名）") % {"n": quota.places})
    organization, member = _nominee(selection, unit, content.nominee)
    reason = checked_text(content.reason, REASON_MAX * 2, _("推荐理由"), required=True)
    year = selectors.nominee_years(
        selection.year, [member.pk] if member else [], [] if member else [organization.pk]
    )
    cautions = next(iter(year.values())).cautions()
    caution_reason = checked_text(content.caution_reason, REASON_MAX * 2, _("书面说明"))
    if cautions and not caution_reason:
        raise TransitionError(
            _("%(who)s%(what)s，须填写书面说明后才能推荐")
            % {"who": member.name if member else organization.name, "what": "；".join(cautions)}
        )
    # The office's short list page shows the nominations: one rendered before this is stale.
    selection.save(update_fields=stamp(selection, by))
    try:
        with transaction.atomic():
            return Nomination.objects.create(
                round=selection,
                unit=unit,
                organization=organization,
                member=member,
                reason=reason,
                caution="；".join(cautions)[:REASON_MAX],
                caution_reason=caution_reason if cautions else "",
                nominated_by=by,
            )
    except IntegrityError as e:
        raise TransitionError(_("该对象已被推荐")) from e


@transaction.atomic
def nomination_withdraw(*, by, nomination: Nomination) -> None:
    """The unit takes its nomination back while the round is open."""
    selection = nomination.round
    lock_row(selection)
    if not rules.can_withdraw_nomination(by, nomination):
        raise PermissionDenied
    if selection.status != Status.OPEN:
        raise TransitionError(_("推荐已经截止，不能撤回"))
    nomination.delete()
    selection.save(update_fields=stamp(selection, by))


@transaction.atomic
def selection_round_shortlist(
    *,
    by,
    selection: SelectionRound,
    nomination_ids: Iterable[int],
    version: int | None,
    shown_ids: Iterable[int] | None = None,
) -> SelectionRound:
    """The office closes the nominations and chooses whom to put on the 公示 (again, until the
    公示 is approved). The office then composes the 公示 in the publicity app.

    `shown_ids` are the nominations of the page the choice was made on (None: the whole
    round): those chosen are short-listed, the others shown are not, and the nominations of
    other pages keep their place. The short list may not end up empty."""
    lock_row(selection)
    if not rules.can_run_selection(by, selection):
        raise PermissionDenied
    if selection.status not in (Status.OPEN, Status.SHORTLISTED):
        raise TransitionError(_("公示期开始后不能再调整公示人选"))
    _check_round_version(selection, version)
    chosen = set(nomination_ids)
    nominations = Nomination.objects.filter(round=selection)
    statuses = dict(nominations.values_list("pk", "status"))
    shown = set(statuses) if shown_ids is None else set(shown_ids)
    listed_elsewhere = {
        pk for pk, s in statuses.items() if s == Nomination.Status.SHORTLISTED and pk not in shown
    }
    if not chosen <= shown or not shown <= set(statuses) or not (chosen or listed_elsewhere):
        raise TransitionError(_("请从本次推荐中勾选拟表彰对象"))
    nominations.filter(pk__in=chosen).update(status=Nomination.Status.SHORTLISTED)
    nominations.filter(pk__in=shown - chosen).update(status=Nomination.Status.NOMINATED)
    selection.status = Status.SHORTLISTED
    selection.shortlisted_by, selection.shortlisted_at = by, timezone.now()
    selection.save(
        update_fields=["status", "shortlisted_by", "shortlisted_at", *stamp(selection, by)]
    )
    return selection


def _check_round_version(selection: SelectionRound, version: int | None) -> None:
    check_edit(selection, version, label=_("评选"))


def _rounds_of(nomination_ids: Iterable[int]) -> list[SelectionRound]:
    ids = Nomination.objects.filter(pk__in=list(nomination_ids)).values("round_id")
    return list(SelectionRound.objects.filter(pk__in=ids).select_for_update().order_by("pk"))


@transaction.atomic
def selection_publicise(
    *, by, nomination_ids: Iterable[int], starts_on: datetime.date, ends_on: datetime.date
) -> int:
    """For the publicity app, when a 公示 of short-listed nominations is approved (or its
    correction): their rounds are on 公示 for that window. Returns how many rounds."""
    ids = list(nomination_ids)
    rounds = _rounds_of(ids)
    if Nomination.objects.filter(pk__in=ids).exclude(status=Nomination.Status.SHORTLISTED).exists():
        # The short list changed after the notice was composed: it would publish others.
        raise TransitionError(_("公示人选已调整，请更新公示内容后再批准"))
    for selection in rounds:
        if not rules.can_run_selection(by, selection):
            raise PermissionDenied
        if selection.status not in (Status.SHORTLISTED, Status.PUBLICISED):
            raise TransitionError(_("只有已确定公示人选的评选可以公示"))
        selection.status = Status.PUBLICISED
        selection.publicity_starts_on, selection.publicity_ends_on = starts_on, ends_on
        selection.save(update_fields=["status", "publicity_starts_on", "publicity_ends_on"])
        notify(kind="selection_publicised", subject=selection, by=by)
    return len(rounds)


@transaction.atomic
def selection_unpublicise(*, by, nomination_ids: Iterable[int]) -> int:
    """For the publicity app, when the 公示 is withdrawn: the rounds not yet decided go back to
    their short list, to be corrected and publicised again."""
    rounds = _rounds_of(nomination_ids)
    for selection in rounds:
        if selection.status != Status.PUBLICISED:
            continue
        selection.status = Status.SHORTLISTED
        selection.publicity_starts_on = selection.publicity_ends_on = None
        selection.save(update_fields=["status", "publicity_starts_on", "publicity_ends_on"])
    return len(rounds)


@transaction.atomic
def selection_round_decide(
    *,
    by,
    selection: SelectionRound,
    awarded_ids: Iterable[int],
    version: int | None,
    shown_ids: Iterable[int] | None = None,
) -> SelectionRound:
    """After the 公示 window the office decides: the chosen short-listed nominees are awarded,
    the rest not, and the 表彰名单 is public from now on. The 评先评优 ★ of an awarded
    subject's annual grade of the year is set where the grade is not yet published, so the
    year page and the honour agree.

    `shown_ids` are the nominations of the page the decision was made on (None: the whole
    round): the short-listed ones on other pages, ticked by default there, are awarded too."""
    lock_row(selection)
    if not rules.can_run_selection(by, selection):
        raise PermissionDenied
    if selection.status != Status.PUBLICISED:
        raise TransitionError(_("公示结束后才能作出表彰决定"))
    if selection.publicity_ends_on >= timezone.localdate():
        raise TransitionError(
            _("公示期至 %(date)s，公示期满后才能作出表彰决定")
            % {"date": selection.publicity_ends_on.isoformat()}
        )
    _check_round_version(selection, version)
    shortlisted = Nomination.objects.filter(round=selection, status=Nomination.Status.SHORTLISTED)
    chosen = set(awarded_ids)
    listed = set(shortlisted.values_list("pk", flat=True))
    if not chosen <= listed:
        raise TransitionError(_("只能表彰经过公示的对象"))
    if shown_ids is not None:
        chosen |= listed - set(shown_ids)
    awarded = list(shortlisted.filter(pk__in=chosen).values_list("member_id", "organization_id"))
    shortlisted.filter(pk__in=chosen).update(status=Nomination.Status.AWARDED)
    Nomination.objects.filter(round=selection).exclude(pk__in=chosen).update(
        status=Nomination.Status.NOT_AWARDED
    )
    _star(selection.year, awarded)
    selection.status = Status.DECIDED
    selection.decided_by, selection.decided_at = by, timezone.now()
    selection.save(update_fields=["status", "decided_by", "decided_at", *stamp(selection, by)])
    notify(kind="selection_decided", subject=selection, by=by)
    return selection


def _star(year: int, awarded: list[tuple[int | None, int]]) -> None:
    """评先评优 ★ on the awarded subjects' unpublished annual grades of the year (never on a
    grade 差: the nomination of such a subject was explained, the grade stays as decided)."""
    q = Q(pk__in=[])
    for member_id, org_id in awarded:
        q |= Q(member_id=member_id) if member_id else Q(member__isnull=True, organization_id=org_id)
    # The version moves: a year page opened before the decision cannot save the ★ away unseen.
    AnnualAssessment.objects.filter(q, year=year, published_at__isnull=True).exclude(
        grade=AnnualAssessment.Grade.POOR
    ).update(exemplary=True, edit_version=F("edit_version") + 1)
