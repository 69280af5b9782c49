"""What reviews/ exports in the background (imported by ReviewsConfig.ready): the
点评情况登记表, the 整改台账, the 群众评议情况统计表 across branches, the year's grades, the
inspection results and the 整改通知书台账, each for an organization's subtree and a period
("2026", "2026H1", "2026Q3"); and a branch's filing package (备案材料, a zip), kept on the filing
once built."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import TransitionError
from core.exports.registry import register
from pledges.ledgers.params import clean_org_period, export_org, export_title

from .ledgers import assessment, filing, inspection, mass_evaluation, rectification, review
from .models import Filing
from .rules.assessment import can_view_assessment
from .rules.filing import can_file
from .rules.inspection import can_run_inspection
from .rules.mass_evaluation import can_export_mass_evaluations
from .rules.review import can_export_review_ledgers
from .services import filing as filing_services


def _may(rule: Callable) -> Callable:
    """An export's permission: the user sees the organization and the rule lets him export."""

    def permission(user, params: dict) -> bool:
        org = export_org(user, params)
        return org is not None and rule(user, org)

    return permission


def _clean(*allow: str) -> Callable:
    return lambda params: clean_org_period(params, allow)


def _title(name: Callable) -> Callable:
    return lambda params: export_title(params, name)


register(
    "reviews",
    review.build,
    label=gettext_lazy("点评情况登记表"),
    permission=_may(can_export_review_ledgers),
    clean=_clean("year", "half", "quarter"),
    title=_title(review.register_title),
)
register(
    "rectification",
    rectification.build,
    label=gettext_lazy("整改台账"),
    permission=_may(can_export_review_ledgers),
    clean=_clean("year", "half", "quarter"),
    title=_title(rectification.items_title),
)
register(
    "evaluation",
    mass_evaluation.build,
    label=gettext_lazy("群众评议情况统计表"),
    permission=_may(can_export_mass_evaluations),
    clean=_clean("year", "half"),
    title=_title(mass_evaluation.survey_title),
)
register(
    "grades",
    assessment.build,
    label=gettext_lazy("年度总评结果"),
    permission=_may(can_view_assessment),
    clean=_clean("year"),
    title=_title(assessment.grades_title),
)
register(
    "inspection_results",
    inspection.build_results,
    label=gettext_lazy("检查结果"),
    permission=_may(can_run_inspection),
    clean=_clean("year", "half"),
    title=_title(inspection.results_title),
)
register(
    "inspection_notices",
    inspection.build_notices,
    label=gettext_lazy("整改通知书台账"),
    permission=_may(can_run_inspection),
    clean=_clean("year", "half"),
    title=_title(inspection.notices_title),
)


def build_filing_package(job, out, progress) -> int:
    """备案材料: the zip is written, then kept on the filing it was built for."""
    count = filing.build(job, out, progress)
    filing_services.filing_package_attach(filing_id=job.params["filing"], job_id=job.pk, data=out)
    return count


def _whole_number(raw: object) -> int | None:
    raw = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
    # isascii: str.isdigit() also accepts '²' and other digits int() refuses.
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 12:
        return int(raw)
    return None


def clean_filing_package(params: dict) -> dict:
    """{"filing": id, "round": n} (services.filing starts it; a hand-made post gets here)."""
    filing_id, round_ = _whole_number(params.get("filing")), _whole_number(params.get("round"))
    if filing_id is None or round_ is None or not Filing.objects.filter(pk=filing_id).exists():
        raise TransitionError(_("没有这份备案"))
    return {"filing": filing_id, "round": round_}


def may_build_filing_package(user, params: dict) -> bool:
    """Only the filer's own move starts it (services.filing), and only while he may file."""
    found = Filing.objects.visible_to(user).select_related("organization")
    found = found.filter(pk=params.get("filing")).first()
    return found is not None and can_file(user, found.organization)


register(
    filing_services.PACKAGE_KIND,
    build_filing_package,
    label=gettext_lazy("备案材料"),
    permission=may_build_filing_package,
    clean=clean_filing_package,
    title=lambda params: filing.package_title(
        Filing.objects.select_related("organization").get(pk=params["filing"])
    ),
    suffix="zip",
    content_type="application/zip",
)
