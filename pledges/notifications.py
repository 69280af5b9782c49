"""The events of pledges: who is told when a pledge is returned, approved or published.

Registered from PledgesConfig.ready(); the services emit with `notify(kind=..., ...)`. The
lookups run in the event's task, after the move committed, never inside the move.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.notifications.events import EventKind, register

from .models import Member, Pledge, Position

SERVICES = "pledges.services.pledge"


def secretary_ids(organization_id: int) -> list[int]:
    """The users holding the secretary position of this organization (one query)."""
    return list(
        Position.objects.filter(
            organization_id=organization_id, kind=Position.Kind.SECRETARY
        ).values_list("user_id", flat=True)
    )


def member_user_ids(member_id: int | None) -> list[int]:
    """The member's login, if he has one (one query)."""
    if member_id is None:
        return []
    user_id = Member.objects.filter(pk=member_id).values_list("user_id", flat=True).first()
    return [user_id] if user_id else []


def pledge_people(pledge: Pledge) -> list[int]:
    """The pledge's owner (the member's login, else the branch's secretaries) and whoever
    submitted it for him."""
    owners = member_user_ids(pledge.owner_member_id) or secretary_ids(pledge.owner_org_id)
    return [*owners, pledge.submitted_by_id]


def _returned(pledge: Pledge) -> tuple[str, str]:
    return (
        _("承诺被退回，请修改后重新提交：%(title)s") % {"title": pledge.title},
        _("退回原因：%(reason)s") % {"reason": pledge.return_reason},
    )


def _approved(pledge: Pledge) -> tuple[str, str]:
    return _("承诺已审核通过，可以亮诺：%(title)s") % {"title": pledge.title}, ""


def _published(pledge: Pledge) -> tuple[str, str]:
    return _("承诺已亮诺公开，请按月记实：%(title)s") % {"title": pledge.title}, ""


KINDS = (
    EventKind("pledge_returned", Pledge, pledge_people, _returned, (f"{SERVICES}.pledge_return",)),
    EventKind("pledge_approved", Pledge, pledge_people, _approved, (f"{SERVICES}.pledge_approve",)),
    EventKind(
        "pledge_published", Pledge, pledge_people, _published, (f"{SERVICES}.pledge_publish",)
    ),
)


def connect() -> None:
    for kind in KINDS:
        register(kind)
