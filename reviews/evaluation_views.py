"""Pages of the mass evaluation, the annual assessment and the coverage dashboard.

The evaluator's pages (`evaluate_*`) need no login: the code is the only key, and they write
nothing that could name the evaluator. Every other page: permission → form → service → redirect.
"""

from __future__ import annotations

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from core.errors import TransitionError
from pledges.models import Organization, Pledge
from pledges.roles import roles_of

from . import dashboard as dash
from . import evaluations
from . import permissions as rules
from .evaluation_forms import (
    AssessmentRowForm,
    CodeEntryForm,
    CodesIssueForm,
    EvaluationOpenForm,
    PublicEvaluationForm,
)
from .evaluations import CodeRefused
from .models import (
    MIN_RESPONSES,
    EvaluationCode,
    EvaluationResponse,
    MassEvaluation,
    Quarter,
)

PAGE_SIZE = 20
SLIPS_PER_PAGE = 48
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(request: HttpRequest, raw: str | None = None) -> int:
    try:
        year = int(raw or request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _years() -> range:
    this = timezone.localdate().year
    return range(this, this - 5, -1)


def _xlsx(wb: Workbook, filename: str) -> HttpResponse:
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def _evaluation(request: HttpRequest, pk: int) -> MassEvaluation:
    return get_object_or_404(
        MassEvaluation.objects.visible_to(request.user).select_related("organization"), pk=pk
    )


# --- mass evaluation: the organizer's pages --------------------------------------------------


@login_required
def evaluation_list(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    if not roles.has_scope:
        raise PermissionDenied
    responses = (
        EvaluationResponse.objects.filter(evaluation=OuterRef("pk"))
        .order_by()
        .values("evaluation")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = (
        MassEvaluation.objects.visible_to(request.user)
        .select_related("organization")
        .annotate(
            n_responses=Coalesce(Subquery(responses, output_field=IntegerField()), 0),
        )
        .order_by("-year", "-half", "organization__path")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # Organizations the user may open an evaluation for directly: his own positions.
    own = Organization.objects.filter(pk__in=roles.org_ids(("secretary", "office"))).order_by(
        "path"
    )
    return render(
        request,
        "reviews/evaluation_list.html",
        {"page": page, "own_orgs": own, "min_responses": MIN_RESPONSES},
    )


@login_required
def evaluation_open(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = get_object_or_404(Organization, pk=org_pk)
    if not rules.can_run_mass_evaluation(request.user, org):
        raise PermissionDenied
    form = EvaluationOpenForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            evaluation = evaluations.evaluation_open(
                by=request.user,
                organization=org,
                year=d["year"],
                half=d["half"],
                ends_on=d["ends_on"],
                members=d["members"],
                title=d["title"],
            )
        except TransitionError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("群众评议已开展，请发放评议码"))
            return redirect(evaluation)
    return render(
        request,
        "reviews/evaluation_open.html",
        {"org": org, "form": form, "breadcrumbs": org.breadcrumbs()},
    )


@login_required
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(request, pk)
    results = evaluations.evaluation_results(evaluation)
    opinions = Paginator(
        EvaluationResponse.objects.filter(evaluation=evaluation)
        .exclude(opinion="")
        .only("opinion", "rating")
        # Not in the order they came in: who answered when must not point to an answer.
        .order_by("opinion", "rating", "id"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "results": results,
            "opinions": opinions,
            "can_run": rules.can_run_mass_evaluation(request.user, evaluation.organization),
            "is_open": evaluation.is_open(),
            "codes_form": CodesIssueForm(),
            "breadcrumbs": evaluation.organization.breadcrumbs(),
            "breadcrumb_tail": evaluation.display_title,
        },
    )


@login_required
@require_POST
def codes_issue(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(request, pk)
    form = CodesIssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写 1 至 500 之间的发放数量"))
        return redirect(evaluation)
    try:
        codes = evaluations.codes_issue(
            by=request.user, evaluation=evaluation, count=form.cleaned_data["count"]
        )
    except TransitionError as e:
        messages.error(request, str(e))
        return redirect(evaluation)
    messages.success(request, _("已生成 %(n)d 个评议码，可打印评议卡发放") % {"n": len(codes)})
    return redirect(evaluation)


@login_required
@require_POST
def evaluation_close(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(request, pk)
    try:
        evaluations.evaluation_close(by=request.user, evaluation=evaluation)
    except TransitionError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("评议已结束，未使用的评议码已失效"))
    return redirect(evaluation)


@login_required
def evaluation_slips(request: HttpRequest, pk: int) -> HttpResponse:
    """A4 sheets of slips: a QR code of the form's address with the code printed under it."""
    evaluation = _evaluation(request, pk)
    if not rules.can_run_mass_evaluation(request.user, evaluation.organization):
        raise PermissionDenied
    codes = EvaluationCode.objects.filter(evaluation=evaluation, used_at__isnull=True).order_by(
        "id"
    )
    page = Paginator(codes, SLIPS_PER_PAGE).get_page(request.GET.get("page"))
    entry_url = request.build_absolute_uri(reverse("reviews:evaluate_entry"))
    slips = []
    for code in page:
        url = request.build_absolute_uri(code.get_absolute_url())
        qr = segno.make(url, error="m")
        # A viewBox and no fixed size, so the stylesheet sets the printed size; the quiet zone
        # of four modules the standard asks for keeps it scannable next to the cut line.
        svg = qr.svg_inline(border=4, omitsize=True, title=code.code)
        slips.append({"code": code.code, "url": url, "svg": svg})
    return render(
        request,
        "reviews/evaluation_slips.html",
        {"evaluation": evaluation, "slips": slips, "page": page, "entry_url": entry_url},
    )


@login_required
def evaluation_links(request: HttpRequest, pk: int) -> HttpResponse:
    """The unused codes as links, one per line, to send by SMS or a chat group."""
    evaluation = _evaluation(request, pk)
    if not rules.can_run_mass_evaluation(request.user, evaluation.organization):
        raise PermissionDenied
    codes = EvaluationCode.objects.filter(evaluation=evaluation, used_at__isnull=True)
    lines = [
        f"{c.code}\t{request.build_absolute_uri(c.get_absolute_url())}"
        for c in codes.order_by("id")
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename=evaluation-{evaluation.pk}-links.txt"
    return response


@login_required
def evaluation_export(request: HttpRequest, pk: int) -> HttpResponse:
    """群众评议情况统计表 as xlsx."""
    evaluation = _evaluation(request, pk)
    if evaluation.is_open():
        # Results watched while answers arrive could be matched to who just answered.
        messages.info(request, _("评议结束后才能导出统计表"))
        return redirect(evaluation)
    results = evaluations.evaluation_results(evaluation)
    wb = Workbook()
    ws = wb.active
    ws.title = _("群众评议情况统计表")
    ws.append([_("群众评议情况统计表")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(
        [
            evaluation.display_title,
            _("截止日期"),
            evaluation.ends_on.isoformat(),
            _("参评人数"),
            results.responses,
            _("有效") if results.is_valid else _("无效（不足 %(n)d 人）") % {"n": MIN_RESPONSES},
        ]
    )
    header = [
        _("评议对象"),
        _("类别"),
        _("参评人数"),
        _("满意"),
        _("基本满意"),
        _("不满意"),
        _("满意率"),
    ]
    ws.append(header)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in results.rows:
        ws.append(
            [
                row.name,
                str(row.kind),
                row.total,
                row.satisfied,
                row.basic,
                row.unsatisfied,
                round(row.rate, 4) if row.rate is not None else None,
            ]
        )
        ws.cell(row=ws.max_row, column=7).number_format = "0.0%"
    for col, width in zip("ABCDEFG", (28, 10, 10, 8, 10, 8, 10), strict=True):
        ws.column_dimensions[col].width = width
    filename = f"evaluation-{evaluation.pk}.xlsx"
    return _xlsx(wb, filename)


# --- mass evaluation: the evaluator's pages (no login) ------------------------------------


def _refused(request: HttpRequest, error: CodeRefused) -> HttpResponse:
    status = {"unknown": 404, "used": 410, "expired": 410}.get(error.reason, 400)
    return render(
        request,
        "reviews/evaluation_refused.html",
        {"message": str(error), "reason": error.reason, "entry_form": CodeEntryForm()},
        status=status,
    )


@never_cache
def evaluate_entry(request: HttpRequest) -> HttpResponse:
    """For those who type the code from the slip instead of scanning it."""
    form = CodeEntryForm(request.GET or None)
    if form.is_valid():
        return redirect(
            "reviews:evaluate", code=evaluations.normalize_code(form.cleaned_data["code"])
        )
    return render(request, "reviews/evaluation_entry.html", {"form": form})


@never_cache
def evaluate(request: HttpRequest, code: str) -> HttpResponse:
    try:
        found = evaluations.check_code(code)
    except CodeRefused as e:
        return _refused(request, e)
    evaluation = found.evaluation
    members = list(evaluation.members.order_by("id"))
    form = PublicEvaluationForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            evaluations.evaluation_submit(
                code=found.code,
                rating=form.cleaned_data["rating"],
                member_ratings=form.member_ratings(),
                opinion=form.cleaned_data["opinion"],
            )
        except CodeRefused as e:
            return _refused(request, e)
        except TransitionError as e:
            messages.error(request, str(e))
        else:
            return redirect("reviews:evaluate_done")
    pledges = Pledge.objects.filter(
        owner_org=evaluation.organization,
        owner_member__isnull=True,
        year=evaluation.year,
        status__in=Pledge.PUBLIC_STATUSES,
    ).order_by("id")
    return render(
        request,
        "reviews/evaluation_form.html",
        {
            "evaluation": evaluation,
            "code": found.code,
            "form": form,
            "pledges": pledges,
        },
    )


def evaluate_done(request: HttpRequest) -> HttpResponse:
    return render(request, "reviews/evaluation_done.html")


# --- annual assessment -------------------------------------------------------------------


def _top_position(request: HttpRequest, kinds: tuple[str, ...]) -> int | None:
    """The highest organization the user holds one of these positions in."""
    roles = roles_of(request.user)
    held = [p for p in roles.positions if p[2] in kinds]
    if held:
        return min(held, key=lambda p: len(p[0]))[1]
    if request.user.is_superuser:
        root = Organization.get_first_root_node()
        return root.pk if root else None
    return None


def _top_orgs(request: HttpRequest, kinds: tuple[str, ...]) -> list[Organization]:
    """The user's topmost organizations in these positions (none under another), by path:
    a leader linked to two towns gets a way to the second one from the first one's page."""
    paths = sorted({path for path, _id, kind in roles_of(request.user).positions if kind in kinds})
    tops = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    if len(tops) < 2:
        return []
    return list(Organization.objects.filter(path__in=tops).order_by("path"))


@login_required
def assessment_home(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    org_id = _top_position(request, roles.OVERSIGHT_KINDS + roles.SECRETARY_KINDS)
    if org_id is None:
        raise PermissionDenied
    return redirect("reviews:assessment", org_pk=org_id)


def _assessment_org(request: HttpRequest, pk: int) -> Organization:
    org = get_object_or_404(Organization, pk=pk)
    if not rules.can_view_assessment(request.user, org):
        raise Http404
    return org


def _can_record(user, row: dash.YearRow) -> bool:
    return rules.can_record_assessment(user, row.org, member=row.member)


@login_required
def assessment_year(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = _assessment_org(request, org_pk)
    year = _year(request, request.POST.get("year"))
    rows = dash.year_rows(org, year)
    user = request.user
    entries = []
    for row in rows:
        editable = _can_record(user, row) and not (row.assessment and row.assessment.published_at)
        a = row.assessment
        initial = {"grade": a.grade, "exemplary": a.exemplary, "remark": a.remark} if a else {}
        form = AssessmentRowForm(
            request.POST if request.method == "POST" and editable else None,
            prefix=row.key,
            initial=initial,
        )
        entries.append((row, form, editable))
    if request.method == "POST":
        saved, failed = _save_assessments(request, year, entries)
        if saved:
            messages.success(request, _("已保存 %(n)d 条总评") % {"n": saved})
        if not failed:
            return redirect(f"{reverse('reviews:assessment', args=[org.pk])}?year={year}")
    return render(
        request,
        "reviews/assessment_year.html",
        {
            "org": org,
            "year": year,
            "years": _years(),
            "entries": entries,
            "can_record_any": any(editable for _r, _f, editable in entries),
            "my_orgs": _top_orgs(
                request, roles_of(user).OVERSIGHT_KINDS + roles_of(user).SECRETARY_KINDS
            ),
            "breadcrumbs": org.breadcrumbs(),
            "breadcrumb_tail": _("%(year)d年度总评") % {"year": year},
        },
    )


def _save_assessments(request, year, entries) -> tuple[int, int]:
    saved = failed = 0
    for row, form, editable in entries:
        if not editable:
            continue
        if not form.is_valid():
            failed += 1
            continue
        d = form.cleaned_data
        a = row.assessment
        if not d["grade"]:
            if a is not None:
                evaluations.assessment_clear(by=request.user, assessment=a)
                saved += 1
            continue
        if a and (a.grade, a.exemplary, a.remark) == (d["grade"], d["exemplary"], d["remark"]):
            continue
        try:
            evaluations.assessment_record(
                by=request.user,
                year=year,
                organization=row.org,
                member=row.member,
                grade=d["grade"],
                exemplary=d["exemplary"],
                remark=d["remark"],
            )
        except TransitionError as e:
            messages.error(request, f"{row.name}：{e}")
            failed += 1
        else:
            saved += 1
    return saved, failed


@login_required
def assessment_export(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = _assessment_org(request, org_pk)
    year = _year(request)
    rows = dash.year_rows(org, year)
    wb = Workbook()
    ws = wb.active
    ws.title = _("年度总评")
    ws.append([_("%(org)s %(year)d年度总评结果") % {"org": org.name, "year": year}])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(
        [
            _("对象"),
            _("类别"),
            _("承诺已销号"),
            _("承诺总数"),
            _("一季度"),
            _("二季度"),
            _("三季度"),
            _("四季度"),
            _("整改率"),
            _("上半年满意率"),
            _("下半年满意率"),
            _("总评等次"),
            _("评先评优"),
            _("备注"),
        ]
    )
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rows:
        halves = row.halves()
        a = row.assessment
        ws.append(
            [
                row.name,
                _("党员") if row.member else _("党组织"),
                row.pledges_closed,
                row.pledges_total,
                *["、".join(g) for g in row.grades_by_quarter()],
                row.rect_rate,
                halves[0]["rate"] if halves[0]["valid"] else None,
                halves[1]["rate"] if halves[1]["valid"] else None,
                a.get_grade_display() if a else "",
                _("是") if a and a.exemplary else "",
                a.remark if a else "",
            ]
        )
        for col in (9, 10, 11):
            ws.cell(row=ws.max_row, column=col).number_format = "0.0%"
    ws.column_dimensions["A"].width = 28
    return _xlsx(wb, f"assessment-{org.pk}-{year}.xlsx")


# --- coverage dashboard ----------------------------------------------------------------------


@login_required
def dashboard_home(request: HttpRequest) -> HttpResponse:
    org_id = _top_position(request, roles_of(request.user).OVERSIGHT_KINDS)
    if org_id is None:
        raise PermissionDenied
    return redirect("reviews:dashboard", org_pk=org_id)


@login_required
def dashboard_view(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = get_object_or_404(Organization, pk=org_pk)
    if not rules.can_view_dashboard(request.user, org):
        raise PermissionDenied
    quarter = Quarter.parse(request.GET.get("quarter"))
    data = dash.dashboard(org, quarter)
    this_year = timezone.localdate().year
    quarters = [Quarter(y, q) for y in range(this_year, this_year - 3, -1) for q in (4, 3, 2, 1)]
    breadcrumbs = org.breadcrumbs()
    # Drill back up: the parent's dashboard, when the user may see it.
    parent = breadcrumbs[-2] if len(breadcrumbs) > 1 else None
    if parent is not None and not rules.can_view_dashboard(request.user, parent):
        parent = None
    return render(
        request,
        "reviews/dashboard.html",
        {
            "org": org,
            "parent": parent,
            "d": data,
            "quarter": quarter,
            "quarters": quarters,
            "trend_chart": _trend_chart(data),
            "my_orgs": _top_orgs(request, roles_of(request.user).OVERSIGHT_KINDS),
            "missing_limit": dash.MISSING_LIMIT,
            "breadcrumbs": breadcrumbs,
            "breadcrumb_tail": _("全覆盖统计"),
        },
    )


def _marker(name: str, x: float, y: float) -> str:
    """An SVG path for a point of the line `name`: circle, square or diamond, so the three
    lines can be told apart without colour."""
    if name == "members_reviewed":
        return f"M{x - 2.5} {y - 2.5}h5v5h-5z"
    if name == "rect_rate":
        return f"M{x} {y - 3.2}l3.2 3.2l-3.2 3.2l-3.2 -3.2z"
    return f"M{x - 2.5} {y}a2.5 2.5 0 1 0 5 0a2.5 2.5 0 1 0 -5 0"


def _trend_chart(data: dash.Dashboard) -> dict:
    """Points for the quarterly trend lines, drawn as inline SVG (no script, prints as is).

    0 % sits on the axis; a quarter without a figure (not begun yet, or no rectification item
    due) has no point, so the line does not dive to zero for it."""
    width, height, left, top = 320, 120, 30, 10
    base = height - 10
    orgs, members = data.total.orgs.total, data.total.members.total
    today = timezone.localdate()

    def share(part: int, whole: int, point: dash.TrendPoint) -> float | None:
        if not whole or point.quarter.start > today:
            return None
        return part / whole

    series = {
        "orgs_reviewed": [share(p.orgs_reviewed, orgs, p) for p in data.trend],
        "members_reviewed": [share(p.members_reviewed, members, p) for p in data.trend],
        "rect_rate": [share(p.rect_done, p.rect_total, p) for p in data.trend],
    }
    step = (width - left - 10) / 3
    quarter_names = [_("一季度"), _("二季度"), _("三季度"), _("四季度")]
    lines = {}
    for name, values in series.items():
        dots = []
        for i, v in enumerate(values):
            if v is None:
                continue
            x, y = round(left + i * step, 1), round(top + (1 - min(v, 1)) * (base - top), 1)
            dots.append({"x": x, "y": y, "pct": round(v * 100), "marker": _marker(name, x, y)})
        lines[name] = {"points": " ".join(f"{d['x']},{d['y']}" for d in dots), "dots": dots}
    labels = [
        {"x": round(left + i * step, 1), "label": quarter_names[p.quarter.quarter - 1]}
        for i, p in enumerate(data.trend)
    ]
    labels_of = {
        "orgs_reviewed": _("党组织点评覆盖率"),
        "members_reviewed": _("党员点评覆盖率"),
        "rect_rate": _("整改率"),
    }
    legend = [
        {"name": name, "label": labels_of[name], "marker": _marker(name, 15, 5)} for name in lines
    ]
    return {
        "width": width,
        "height": height,
        "lines": lines,
        "labels": labels,
        "legend": legend,
        "base": base,
    }
