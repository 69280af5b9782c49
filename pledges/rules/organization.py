"""Who may look at an organization, keep its pledge book, read its members' personal data and
import its roster: plain functions of `roles_of(user)` and the object. Which rows a user may see
at all is each model's `visible_to(user)`."""

from __future__ import annotations

from ..models import Member, Organization
from ..models.position import roles_of


def can_view_organization(user, org: Organization) -> bool:
    roles = roles_of(user)
    if roles.covers(org):
        return True
    return roles.member is not None and roles.member.organization_id == org.pk


def can_manage_organization(user, org: Organization) -> bool:
    """Keep the organization's pledge book: its own secretary, or the office above it.

    A secretary keeps his own organization's book only: a town committee's secretary does not
    enter or change a branch member's pledge (the branch secretary or the office does); he
    oversees the branch through approval of its own pledges and through reviews. A 党小组 has
    no secretary of its own: the branch's keeps its book."""
    roles = roles_of(user)
    if roles.covers(org, roles.OFFICE_KINDS):
        return True
    book = org.path[: -org.steplen] if org.level == Organization.Level.GROUP else org.path
    return book in roles.paths(roles.SECRETARY_KINDS)


def can_see_personal_data(user, member: Member) -> bool:
    """Phone and ID-card numbers: the member's own branch and the office only."""
    roles = roles_of(user)
    if roles.covers(member.organization, roles.OFFICE_KINDS):
        return True
    if roles.member is not None and roles.member.pk == member.pk:
        return True
    return member.organization_id in roles.org_ids(roles.SECRETARY_KINDS)


def can_read_id_card(user, member: Member) -> bool:
    """The ID-card number in full (个人信息保护法: sensitive): the member himself and the office
    keeping the roster; everyone else who may see personal data sees it masked."""
    roles = roles_of(user)
    if roles.covers(member.organization, roles.OFFICE_KINDS):
        return True
    return roles.member is not None and roles.member.pk == member.pk


def can_import_roster(user, org: Organization) -> bool:
    return can_manage_organization(user, org)
