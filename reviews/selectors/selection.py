"""Reads of 组织评选: the nominee's year beside each nomination, the rounds a user works on, a
round's quotas and nominations, the candidates a unit may nominate, and the 表彰名单.

`nominee_years` is the one reader of a nominee's year (the nominations page, the nominate
page's candidates and the nominate service all use it): six grouped queries for any number of
nominees, members and organizations together.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from pledges.models import Member, Organization, Pledge
from pledges.models.position import roles_of

from ..models import (
    AnnualAssessment,
    EvaluationResponse,
    Honour,
    MassEvaluation,
    MemberRating,
    Nomination,
    RectificationItem,
    Review,
    SelectionQuota,
    SelectionRound,
    SubjectKind,
)
from .dashboard import REVIEWED_STATUSES, children_of

# How many candidates a name search on the nominate page lists.
SEARCH_LIMIT = 20


def member_key(member_id: int) -> str:
    return f"m:{member_id}"


def org_key(org_id: int) -> str:
    return f"o:{org_id}"


@dataclass
class NomineeYear:
    """What the system holds about a nominee's year."""

    pledges_total: int = 0
    pledges_closed: int = 0
    overdue: int = 0  # past the deadline and not fulfilled (running late, or 未兑现)
    grades: list[str] = field(default_factory=list)  # quarterly review grades, in date order
    ratings: Counter = field(default_factory=Counter)  # mass evaluation: rating -> answers
    assessment: AnnualAssessment | None = None
    open_items: int = 0

    @property
    def grade_labels(self) -> list[str]:
        labels = dict(Review.Grade.choices)
        return [str(labels.get(g, g)) for g in self.grades]

    @property
    def answers(self) -> int:
        return sum(self.ratings.values())

    @property
    def satisfaction(self) -> str:
        n = self.answers
        if not n:
            return "—"
        return f"{(self.ratings['satisfied'] + self.ratings['basic']) * 100 / n:.1f}%"

    @property
    def graded_poor(self) -> bool:
        poor = Review.Grade.POOR
        return poor in self.grades or (
            self.assessment is not None and self.assessment.grade == poor
        )

    @property
    def exemplary(self) -> bool:
        return self.assessment is not None and self.assessment.exemplary

    def cautions(self) -> list[str]:
        """What needs a written reason before this nominee may be put forward."""
        found = []
        if self.assessment is not None and self.assessment.grade == Review.Grade.POOR:
            found.append(_("年度总评为“差”"))
        elif Review.Grade.POOR in self.grades:
            found.append(_("点评等次有“差”"))
        if self.overdue:
            found.append(_("逾期未兑现承诺 %(n)d 项") % {"n": self.overdue})
        return found


def nominee_years(
    year: int, member_ids: list[int], org_ids: list[int], today: datetime.date | None = None
) -> dict[str, NomineeYear]:
    """Keyed "m:<id>" / "o:<id>": six queries for any number of members and organizations."""
    today = today or timezone.localdate()
    out = {member_key(m): NomineeYear() for m in member_ids}
    out.update({org_key(o): NomineeYear() for o in org_ids})
    if not out:
        return out
    overdue = Q(status=Pledge.Status.UNFULFILLED) | Q(
        status__in=Pledge.RUNNING_STATUSES, deadline__lt=today
    )
    for r in (
        Pledge.objects.filter(
            Q(owner_member_id__in=member_ids)
            | Q(owner_member__isnull=True, owner_org_id__in=org_ids),
            year=year,
        )
        .exclude(status__in=Pledge.EDITABLE_STATUSES)
        .values("owner_org_id", "owner_member_id")
        .annotate(
            n=Count("id"),
            closed=Count("id", filter=Q(status=Pledge.Status.CLOSED)),
            late=Count("id", filter=overdue),
        )
        .order_by()
    ):
        key = r["owner_member_id"]
        row = out.get(member_key(key) if key else org_key(r["owner_org_id"]))
        if row is not None:
            row.pledges_total += r["n"]
            row.pledges_closed += r["closed"]
            row.overdue += r["late"]

    subjects = Q(subject_kind=SubjectKind.MEMBER, member_id__in=member_ids) | Q(
        subject_kind=SubjectKind.ORGANIZATION, organization_id__in=org_ids
    )

    def target(r: dict) -> NomineeYear | None:
        if r["subject_kind"] == SubjectKind.MEMBER:
            return out.get(member_key(r["member_id"]))
        return out.get(org_key(r["organization_id"]))

    for r in (
        Review.objects.filter(subjects, year=year, status__in=REVIEWED_STATUSES)
        .order_by("date", "id")
        .values("subject_kind", "organization_id", "member_id", "grade")
    ):
        row = target(r)
        if row is not None:
            row.grades.append(r["grade"])
    for r in (
        RectificationItem.objects.live()
        .filter(subjects, status__in=RectificationItem.PENDING_STATUSES)
        .values("subject_kind", "organization_id", "member_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        row = target(r)
        if row is not None:
            row.open_items += r["n"]

    for r in (
        EvaluationResponse.objects.filter(
            MassEvaluation.ended_q("evaluation__", today),
            evaluation__organization_id__in=org_ids,
            evaluation__year=year,
        )
        .values("evaluation__organization_id", "rating")
        .annotate(n=Count("id"))
        .order_by()
    ):
        out[org_key(r["evaluation__organization_id"])].ratings[r["rating"]] += r["n"]
    for r in (
        MemberRating.objects.filter(
            MassEvaluation.ended_q("response__evaluation__", today),
            member_id__in=member_ids,
            response__evaluation__year=year,
        )
        .values("member_id", "rating")
        .annotate(n=Count("id"))
        .order_by()
    ):
        out[member_key(r["member_id"])].ratings[r["rating"]] += r["n"]

    for a in AnnualAssessment.objects.filter(
        Q(member_id__in=member_ids) | Q(member__isnull=True, organization_id__in=org_ids),
        year=year,
    ):
        row = out.get(member_key(a.member_id) if a.member_id else org_key(a.organization_id))
        if row is not None:
            row.assessment = a
    return out


def years_of(year: int, nominations: list[Nomination]) -> dict[str, NomineeYear]:
    members = [n.member_id for n in nominations if n.member_id]
    orgs = [n.organization_id for n in nominations if not n.member_id]
    return nominee_years(year, members, orgs)


# --- working pages ---------------------------------------------------------------------------


def rounds_for(user) -> QuerySet[SelectionRound]:
    return SelectionRound.objects.visible_to(user).select_related("organization")


def office_orgs(user) -> QuerySet[Organization]:
    """Where the user may open a round: his office seats."""
    roles = roles_of(user)
    return Organization.objects.filter(pk__in=roles.org_ids(roles.OFFICE_KINDS)).order_by("path")


def child_units(org: Organization) -> list[Organization]:
    return children_of(org)


@dataclass
class QuotaRow:
    quota: SelectionQuota
    used: int
    can_nominate: bool


def quota_rows(selection: SelectionRound, user, can) -> list[QuotaRow]:
    """The round's quotas with how many each has used: two queries. `can(user, unit)` is the
    nominate rule (passed in: selectors do not decide permissions)."""
    used = dict(
        Nomination.objects.filter(round=selection)
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    quotas = SelectionQuota.objects.filter(round=selection).select_related("organization")
    return [QuotaRow(q, used.get(q.organization_id, 0), can(user, q.organization)) for q in quotas]


def round_nominations(
    selection: SelectionRound, user, unit_id: int | None = None, status: str = ""
) -> QuerySet[Nomination]:
    """The round's nominations the user may see, of one unit and one status if asked: the
    nominations page pages them and reads the year of the rows on a page only."""
    qs = Nomination.objects.visible_to(user).filter(round=selection)
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    if status:
        qs = qs.filter(status=status)
    return qs.for_list()


@dataclass
class Candidate:
    key: str
    name: str
    where: str
    year: NomineeYear


def unit_candidates(
    selection: SelectionRound, unit: Organization, search: str = ""
) -> list[Candidate]:
    """Whom the unit may put forward: the subjects marked 评先评优 ★ in the year's annual grade
    first (the office's own recommendation), then those matching the name searched for. Each
    with its year, so a caution is seen before choosing. Three queries plus nominee_years."""
    taken = Nomination.objects.filter(round=selection)
    stars = AnnualAssessment.objects.filter(
        year=selection.year, exemplary=True, organization__path__startswith=unit.path
    )
    search = search.strip()[:50]
    if selection.names_organizations:
        stars = stars.filter(member__isnull=True)
        q = Q(pk__in=stars.values("organization_id"))
        if search:
            q |= Q(name__contains=search)
        orgs = list(
            Organization.objects.filter(q, path__startswith=unit.path)
            .exclude(pk__in=taken.filter(member__isnull=True).values("organization_id"))
            .order_by("path")[:SEARCH_LIMIT]
        )
        years = nominee_years(selection.year, [], [o.pk for o in orgs])
        return [Candidate(org_key(o.pk), o.name, "", years[org_key(o.pk)]) for o in orgs]
    q = Q(pk__in=stars.filter(member__isnull=False).values("member_id"))
    if search:
        q |= Q(name__contains=search)
    members = list(
        Member.objects.filter(q, organization__path__startswith=unit.path)
        .exclude(pk__in=taken.filter(member__isnull=False).values("member_id"))
        .select_related("organization")
        .order_by("organization__path", "id")[:SEARCH_LIMIT]
    )
    years = nominee_years(selection.year, [m.pk for m in members], [])
    return [
        Candidate(member_key(m.pk), m.name, m.organization.name, years[member_key(m.pk)])
        for m in members
    ]


# --- the 表彰名单 ----------------------------------------------------------------------------


@dataclass
class HonourList:
    selection: SelectionRound
    awarded: list[Nomination]


def honour_lists(org: Organization, year: int | None = None) -> list[HonourList]:
    """The decided rounds of the organization (of one year, or all), each with its awarded
    nominees: two queries."""
    rounds = SelectionRound.objects.decided().filter(organization=org)
    if year is not None:
        rounds = rounds.filter(year=year)
    rounds = list(rounds.order_by("-year", "honour", "id"))
    awarded: dict[int, list[Nomination]] = {r.pk: [] for r in rounds}
    for n in (
        Nomination.objects.filter(round__in=rounds, status=Nomination.Status.AWARDED)
        .select_related("member", "organization", "unit")
        .order_by("unit__path", "id")
    ):
        awarded[n.round_id].append(n)
    return [HonourList(r, awarded[r.pk]) for r in rounds]


def honours_of(year: int, member_ids: list[int], org_ids: list[int]) -> dict[str, list[str]]:
    """The honours awarded by decided rounds drawing on the year, keyed like nominee_years:
    what the year page shows beside the 评先评优 ★ (one query)."""
    out: dict[str, list[str]] = {}
    labels = dict(Honour.choices)
    for member_id, org_id, honour in (
        Nomination.objects.filter(
            Q(member_id__in=member_ids) | Q(member__isnull=True, organization_id__in=org_ids),
            status=Nomination.Status.AWARDED,
            round__year=year,
        )
        .values_list("member_id", "organization_id", "round__honour")
        .order_by("round_id")
    ):
        key = member_key(member_id) if member_id else org_key(org_id)
        out.setdefault(key, []).append(str(labels.get(honour, honour)))
    return out


def honour_years(org: Organization) -> list[int]:
    return list(
        SelectionRound.objects.decided()
        .filter(organization=org)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )
