"""Reads of notices: what a notice may be composed from and the frozen copy of each item, and
the working list.

Every kind lists its candidates from what the system holds (never retyped), in a fixed number
of queries. Only publishable things are candidates: pledges from 亮诺 on, reviews published
"向群众公开", ended mass evaluations with a valid number of answers, recorded annual grades.
Snapshots copy the text through `redact`, so a phone or ID-card number typed anywhere is not
published; evaluators appear only as counts.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from pledges.models import Organization, Pledge, ProgressRecord
from pledges.models.position import roles_of
from reviews.models import (
    MIN_RESPONSES,
    AnnualAssessment,
    EvaluationResponse,
    MassEvaluation,
    MemberRating,
    Nomination,
    Review,
    Satisfaction,
    SelectionRound,
)
from reviews.selectors.review import public_reviews

from ..models import Notice, Opinion
from ..text import redact
from .opinion import opinions_for

Kind = Notice.Kind


@dataclass
class Snapshot:
    source: str
    heading: str
    status_label: str = ""
    lines: list[list[str]] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)


def _line(label: str, value: object) -> list[str]:
    return [str(label), redact(str(value if value is not None else ""))]


def _person(user) -> str:
    # Full names only: a login name is not for the notice board.
    return user.get_full_name() if user is not None else ""


def _date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def _pledge_lines(p: Pledge) -> list[list[str]]:
    return [
        _line(_("承诺类别"), p.get_kind_display()),
        _line(_("践诺措施"), p.measures),
        _line(_("完成时限"), _date(p.deadline)),
        _line(_("预期效果"), p.expected_result),
    ]


def pledge_snapshot(p: Pledge) -> Snapshot:
    return Snapshot(
        source=f"pledge:{p.pk}",
        heading=redact(f"{p.owner_name}：{p.title}"),
        status_label=str(p.get_status_display()),
        lines=_pledge_lines(p),
    )


def _closure_snapshot(p: Pledge) -> Snapshot:
    lines = _pledge_lines(p)
    if p.status == Pledge.Status.CLOSED:
        lines += [_line(_("销号日期"), _date(p.closed_on)), _line(_("兑现情况"), p.close_result)]
    else:
        lines.append(_line(_("未兑现原因"), p.close_result))
    return Snapshot(
        source=f"closure:{p.pk}",
        heading=redact(f"{p.owner_name}：{p.title}"),
        status_label=str(p.get_status_display()),
        lines=lines,
    )


def _progress_snapshot(r: ProgressRecord) -> Snapshot:
    p = r.pledge
    return Snapshot(
        source=f"progress:{r.pk}",
        heading=redact(f"{p.owner_name}：{p.title}"),
        status_label=_date(r.date),
        lines=[_line(_("记实日期"), _date(r.date)), _line(_("践诺情况"), r.text)],
    )


def _review_snapshot(r: Review) -> Snapshot:
    rows = [
        {
            "heading": redact(i.problem),
            "status": str(i.get_status_display()),
            "lines": [
                *([_line(_("整改目标"), i.target)] if i.target else []),
                _line(_("整改措施"), i.measures),
                _line(_("责任人"), i.responsible),
                _line(_("整改时限"), _date(i.deadline)),
                _line(_("整改落实情况"), i.measures_taken or "—"),
            ],
        }
        for i in r.items.all()
    ]
    return Snapshot(
        source=f"review:{r.pk}",
        heading=redact(f"{r.subject_name} · {r.quarter_obj.label}"),
        status_label=str(r.get_grade_display()),
        lines=[
            _line(_("点评人"), _person(r.reviewer)),
            _line(_("点评日期"), _date(r.date)),
            _line(_("点评方式"), r.get_mode_display()),
            _line(_("点评等次"), r.get_grade_display()),
            _line(_("肯定成绩"), r.achievements),
            _line(_("指出问题"), r.problems),
            _line(_("努力方向"), r.direction),
        ],
        rows=rows,
    )


@dataclass
class MassEvaluationFigures:
    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0

    @property
    def total(self) -> int:
        return self.satisfied + self.basic + self.unsatisfied

    @property
    def rate(self) -> str:
        if not self.total:
            return "—"
        return f"{(self.satisfied + self.basic) * 100 / self.total:.1f}%"

    def add(self, rating: str, n: int) -> None:
        name = {
            Satisfaction.SATISFIED: "satisfied",
            Satisfaction.BASIC: "basic",
            Satisfaction.UNSATISFIED: "unsatisfied",
        }.get(rating)
        if name:
            setattr(self, name, getattr(self, name) + n)


def mass_evaluation_figures(
    evaluations: list[MassEvaluation], members: bool = True
) -> tuple[dict[int, MassEvaluationFigures], dict[int, dict[int, MassEvaluationFigures]]]:
    """Counts per evaluation (and per rated member): two grouped queries for any number."""
    ids = [e.pk for e in evaluations]
    per_eval: dict[int, MassEvaluationFigures] = defaultdict(MassEvaluationFigures)
    per_member: dict[int, dict[int, MassEvaluationFigures]] = defaultdict(
        lambda: defaultdict(MassEvaluationFigures)
    )
    if not ids:
        return per_eval, per_member
    for eval_id, rating, n in (
        EvaluationResponse.objects.filter(evaluation_id__in=ids)
        .values_list("evaluation_id", "rating")
        .annotate(n=Count("id"))
        .order_by()
    ):
        per_eval[eval_id].add(rating, n)
    if members:
        for eval_id, member_id, rating, n in (
            MemberRating.objects.filter(response__evaluation_id__in=ids)
            .values_list("response__evaluation_id", "member_id", "rating")
            .annotate(n=Count("id"))
            .order_by()
        ):
            per_member[eval_id][member_id].add(rating, n)
    return per_eval, per_member


def _mass_evaluation_snapshot(
    e: MassEvaluation, figures: MassEvaluationFigures, members: dict[int, MassEvaluationFigures]
) -> Snapshot:
    def lines(f: MassEvaluationFigures) -> list[list[str]]:
        return [
            _line(_("参评人数"), f.total),
            _line(_("满意"), f.satisfied),
            _line(_("基本满意"), f.basic),
            _line(_("不满意"), f.unsatisfied),
            _line(_("满意率"), f.rate),
        ]

    rows = [
        {"heading": m.name, "status": members[m.pk].rate, "lines": lines(members[m.pk])}
        for m in e.members.all()
        if m.pk in members
    ]
    return Snapshot(
        source=f"evaluation:{e.pk}",
        heading=redact(str(e.display_title)),
        status_label=figures.rate,
        lines=lines(figures),
        rows=rows,
    )


def _assessment_snapshot(a: AnnualAssessment) -> Snapshot:
    lines = [_line(_("总评等次"), a.get_grade_display())]
    if a.exemplary:
        lines.append(_line(_("评先评优"), _("是")))
    return Snapshot(
        source=f"assessment:{a.pk}",
        heading=f"{a.subject_name} · {a.year}{_('年度总评')}",
        status_label=str(a.get_grade_display()),
        lines=lines,
    )


def nomination_source(pk: int) -> str:
    return f"nomination:{pk}"


def nomination_ids(sources: list[str]) -> list[int]:
    """The nominations a 评选表彰公示 publishes, read back from its items' sources."""
    prefix = nomination_source(0)[:-1]
    return [int(s[len(prefix) :]) for s in sources if s.startswith(prefix)]


def _nomination_snapshot(n: Nomination) -> Snapshot:
    lines = [
        _line(_("评选项目"), n.round.get_honour_display()),
        _line(_("推荐单位"), n.unit.name),
    ]
    if n.member_id:
        lines.append(_line(_("所在党组织"), n.organization.name))
    lines.append(_line(_("推荐理由"), n.reason))
    if n.caution:
        # 差 or an overdue pledge: nominated only with a written reason, which is published.
        lines += [_line(_("需说明的情况"), n.caution), _line(_("书面说明"), n.caution_reason)]
    return Snapshot(
        source=nomination_source(n.pk),
        heading=redact(f"{n.round.get_honour_display()}：{n.nominee_name}"),
        status_label=str(n.round.get_honour_display()),
        lines=lines,
    )


def _pledges(org: Organization, year: int):
    return Pledge.objects.filter(owner_org=org, year=year).select_related(
        "owner_member", "owner_org"
    )


def candidates(org: Organization, kind: str, year: int, month: int | None = None) -> list[Snapshot]:
    """Everything of this kind that may go on a notice of `org` for the period, as the
    snapshot it would publish."""
    if kind == Kind.PLEDGES:
        qs = _pledges(org, year).filter(status__in=Pledge.PUBLIC_STATUSES)
        return [pledge_snapshot(p) for p in qs.order_by("owner_member_id", "id")]
    if kind == Kind.CLOSURES:
        qs = _pledges(org, year).filter(status__in=Pledge.ENDED_STATUSES)
        return [_closure_snapshot(p) for p in qs.order_by("owner_member_id", "id")]
    if kind == Kind.PROGRESS:
        if not month:
            return []
        records = ProgressRecord.objects.filter(
            pledge__owner_org=org,
            pledge__status__in=Pledge.PUBLIC_STATUSES,
            date__year=year,
            date__month=month,
        ).select_related("pledge", "pledge__owner_member")
        return [_progress_snapshot(r) for r in records.order_by("date", "id")]
    if kind == Kind.REVIEWS:
        reviews = public_reviews(org=org, year=year)  # items prefetched there
        return [_review_snapshot(r) for r in reviews]
    if kind == Kind.EVALUATIONS:
        evaluations = list(
            MassEvaluation.objects.filter(
                MassEvaluation.ended_q(), organization__path__startswith=org.path, year=year
            )
            .select_related("organization")
            .prefetch_related("members")
            .order_by("organization__path", "half")
        )
        per_eval, per_member = mass_evaluation_figures(evaluations)
        # Fewer answers than the sources require make no valid result, and a handful of
        # answers could be matched to the people who gave them.
        return [
            _mass_evaluation_snapshot(e, per_eval[e.pk], per_member[e.pk])
            for e in evaluations
            if per_eval[e.pk].total >= MIN_RESPONSES
        ]
    if kind == Kind.ASSESSMENTS:
        qs = AnnualAssessment.objects.filter(
            organization__path__startswith=org.path, year=year
        ).select_related("organization", "member")
        return [_assessment_snapshot(a) for a in qs.order_by("organization__path", "member_id")]
    if kind == Kind.SELECTION:
        # The short lists of the organization's rounds of the year not yet decided.
        nominations = Nomination.objects.filter(
            round__organization=org,
            round__year=year,
            round__status__in=[SelectionRound.Status.SHORTLISTED, SelectionRound.Status.PUBLICISED],
            status=Nomination.Status.SHORTLISTED,
        ).select_related("round", "unit", "member", "organization")
        return [
            _nomination_snapshot(n)
            for n in nominations.order_by("round__honour", "round_id", "unit__path", "id")
        ]
    return []


def default_title(org: Organization, kind: str, year: int, month: int | None) -> str:
    label = Notice.Kind(kind).label
    if kind == Kind.PROGRESS and month:
        return _("%(org)s %(year)d年%(month)d月%(kind)s") % {
            "org": org.name,
            "year": year,
            "month": month,
            "kind": label,
        }
    return _("%(org)s %(year)d年%(kind)s") % {"org": org.name, "year": year, "kind": label}


# --- working pages ---------------------------------------------------------------------------


def notices_for(user) -> QuerySet[Notice]:
    return Notice.objects.visible_to(user).select_related("organization", "created_by")


def composable_orgs(user) -> QuerySet[Organization]:
    """The organizations the user may compose notices for: his secretary and office seats."""
    roles = roles_of(user)
    return Organization.objects.filter(
        pk__in=roles.org_ids(roles.SECRETARY_KINDS + roles.OFFICE_KINDS)
    ).order_by("path")


def work_counts(user) -> dict[str, int]:
    """What waits for the user on the working list: opinions to moderate, notices to approve."""
    return {
        "pending_opinions": opinions_for(user).filter(status=Opinion.Status.PENDING).count(),
        "to_approve": notices_for(user)
        .filter(status=Notice.Status.SUBMITTED)
        .exclude(submitted_by=user)
        .count(),
    }
