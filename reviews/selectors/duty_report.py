"""Reads of 述职: the report with its tallies, and the draft written from what the system holds
of the year (基层减负: the secretary corrects a report, he does not count again)."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from pledges.models import Member, Organization, Pledge, ProgressRecord

from ..models import (
    DutyReport,
    DutyReportCode,
    DutyReportTally,
    EvaluationResponse,
    Grade,
    MassEvaluation,
    Review,
    SubjectKind,
)
from ..selectors.dashboard import REVIEWED_STATUSES
from .monthly_rating import member_standings, standing_summary


def report_of(org: Organization, member: Member | None, year: int) -> DutyReport | None:
    """The subject's report of the year with its tallies: two queries."""
    return (
        DutyReport.objects.filter(year=year, organization=org, member=member)
        .select_related("organization", "member", "edited_by")
        .prefetch_related("tallies")
        .first()
    )


def unused_codes(report: DutyReport, audience: str = "") -> QuerySet[DutyReportCode]:
    """The report's codes not yet voted with, of one audience when a known one is named."""
    codes = DutyReportCode.objects.filter(report=report, used_on__isnull=True)
    if audience in DutyReportTally.Audience.values:
        codes = codes.filter(audience=audience)
    return codes.order_by("audience", "id")


def _pledge_lines(pledges) -> list[str]:
    c = pledges.aggregate(
        n=Count("id"),
        closed=Count("id", filter=Q(status=Pledge.Status.CLOSED)),
        running=Count("id", filter=Q(status__in=Pledge.RUNNING_STATUSES)),
        unfulfilled=Count("id", filter=Q(status=Pledge.Status.UNFULFILLED)),
    )
    return [
        _("公开承诺 %(n)d 项：已兑现销号 %(closed)d 项，践诺中 %(running)d 项，未兑现 %(u)d 项。")
        % {"n": c["n"], "closed": c["closed"], "running": c["running"], "u": c["unfulfilled"]}
    ]


def draft_text(org: Organization, member: Member | None, year: int) -> str:
    """A first draft of the year's 述职 from the pledges, records, reviews, mass evaluation and
    monthly 评比 the system holds: five queries."""
    if member is not None:
        pledges = Pledge.objects.filter(owner_member=member, year=year)
        records = ProgressRecord.objects.filter(pledge__owner_member=member, date__year=year)
        reviews = Review.objects.filter(subject_kind=SubjectKind.MEMBER, member=member)
        heading = _("%(year)d年度党员述职（%(name)s）") % {"year": year, "name": member.name}
    else:
        pledges = Pledge.objects.filter(owner_org=org, owner_member__isnull=True, year=year)
        records = ProgressRecord.objects.filter(pledge__owner_org=org, date__year=year)
        reviews = Review.objects.filter(subject_kind=SubjectKind.ORGANIZATION, organization=org)
        heading = _("%(year)d年度%(org)s书记述职") % {"year": year, "org": org.name}
    pledges = pledges.exclude(status__in=Pledge.EDITABLE_STATUSES)
    lines = [str(heading), "", _("一、承诺践诺情况"), *_pledge_lines(pledges)]
    lines.append(_("全年践诺记实 %(n)d 条。") % {"n": records.count()})
    labels = dict(Grade.choices)
    grades = [
        _("第%(q)d季度%(grade)s") % {"q": q, "grade": labels.get(g, g)}
        for q, g in reviews.filter(year=year, status__in=REVIEWED_STATUSES)
        .order_by("quarter", "date")
        .values_list("quarter", "grade")
    ]
    lines += ["", _("二、接受点评和评议情况")]
    lines.append(
        _("领导点评：%(grades)s。") % {"grades": "、".join(grades)}
        if grades
        else _("领导点评：无。")
    )
    if member is None:
        answers = Counter(
            dict(
                EvaluationResponse.objects.filter(
                    MassEvaluation.ended_q("evaluation__"),
                    evaluation__organization=org,
                    evaluation__year=year,
                )
                .values_list("rating")
                .annotate(n=Count("id"))
                .order_by()
            )
        )
        total = sum(answers.values())
        if total:
            rate = round(100 * (answers["satisfied"] + answers["basic"]) / total)
            lines.append(
                _("群众评议：参评 %(n)d 人，满意率 %(rate)d%%。") % {"n": total, "rate": rate}
            )
    else:
        summary = standing_summary(member_standings([member.pk], year)[member.pk])
        if summary:
            lines.append(_("每月评比：%(s)s。") % {"s": summary})
    lines += ["", _("三、存在的不足"), "", _("四、下一步打算"), ""]
    return "\n".join(lines)


def member_reports(org: Organization, year: int) -> list[tuple[Member, DutyReport | None]]:
    """Each member of the organization with his report of the year (or None): two queries."""
    reports = {
        r.member_id: r
        for r in DutyReport.objects.filter(year=year, member__organization=org).prefetch_related(
            "tallies"
        )
    }
    members = Member.objects.filter(organization=org).order_by("id")
    return [(m, reports.get(m.pk)) for m in members]
