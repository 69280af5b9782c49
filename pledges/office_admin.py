"""The committee office's way into Django admin: a group with the permissions it needs, and
admin lists scoped to the office's subtree (an office never edits another county's roster)."""

from django.contrib.auth.models import Group, Permission

OFFICE_GROUP = "党委办公室"
# The tree itself (adding or moving organizations) stays with the superuser.
OFFICE_PERMISSIONS = {
    "pledges": ["member", "position"],
    "auth": ["user"],
}
OFFICE_VIEW_ONLY = {"pledges": ["organization", "pledge"]}


def ensure_office_group(**kwargs) -> Group:
    """Run after every migrate: the group exists with exactly the permissions above."""
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


def make_office_staff(user) -> None:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(ensure_office_group())
