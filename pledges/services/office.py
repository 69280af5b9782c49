"""The committee office's way into Django admin: a group with the permissions it needs. Which
rows its admin lists show is `selectors.office_orgs` / `selectors.office_users`."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from core.locks import lock_row

OFFICE_GROUP = "党委办公室"
# The tree itself (adding or moving organizations) stays with the superuser.
OFFICE_PERMISSIONS = {
    "pledges": ["member", "position"],
    "auth": ["user"],
}
OFFICE_VIEW_ONLY = {"pledges": ["organization", "pledge"]}


@transaction.atomic
def office_group_ensure(**_signal) -> Group:
    """Run after every migrate (a post_migrate receiver, hence the signal's keyword arguments):
    the group exists with exactly the permissions above."""
    group, _ = Group.objects.get_or_create(name=OFFICE_GROUP)
    wanted = Permission.objects.filter(
        content_type__app_label__in=OFFICE_PERMISSIONS.keys(),
        codename__regex=r"^(view|add|change)_",
    )
    wanted = [
        p
        for p in wanted.select_related("content_type")
        if p.content_type.model in OFFICE_PERMISSIONS.get(p.content_type.app_label, [])
        or (
            p.codename.startswith("view_")
            and p.content_type.model in OFFICE_VIEW_ONLY.get(p.content_type.app_label, [])
        )
    ]
    group.permissions.set(wanted)
    return group


@transaction.atomic
def office_staff_grant(*, user) -> None:
    """Let an office login into Django admin, with the office group's permissions only."""
    lock_row(user)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(office_group_ensure())
