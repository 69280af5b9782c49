"""What reviews/ exports in the background (imported by ReviewsConfig.ready): the
点评情况登记表, the 整改台账, the 群众评议情况统计表 across branches, the year's grades, the
inspection results and the 整改通知书台账, each for an organization's subtree and a period
("2026", "2026H1", "2026Q3")."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy

from core.exports.registry import register
from pledges.ledgers.params import clean_org_period, export_org, export_title

from .ledgers import assessment, inspection, mass_evaluation, rectification, review
from .rules.assessment import can_view_assessment
from .rules.inspection import can_run_inspection
from .rules.mass_evaluation import can_export_mass_evaluations
from .rules.review import can_export_review_ledgers


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
