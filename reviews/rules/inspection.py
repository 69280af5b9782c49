"""Who runs an inspection (定期检查, 不定期抽查, 整改通知书, 复验) and who answers a notice."""

from __future__ import annotations

from pledges.models import Organization
from pledges.models.position import roles_of

from ..models import InspectionNotice
from .subject import holds


def can_run_inspection(user, org: Organization) -> bool:
    """The committee office of the subtree: it inspects, issues notices and re-checks."""
    roles = roles_of(user)
    return roles.covers(org, roles.OFFICE_KINDS)


def can_answer_inspection_notice(user, notice: InspectionNotice) -> bool:
    """The branch's secretary reports what the branch did."""
    roles = roles_of(user)
    return holds(roles, notice.organization_id, roles.SECRETARY_KINDS)


def can_recheck_inspection_notice(user, notice: InspectionNotice) -> bool:
    """复验 is the issuing committee's office's."""
    return can_run_inspection(user, notice.committee)
