"""The committee office's way into Django admin: a group with the permissions it needs, and
admin lists scoped to the office's subtree (an office never edits another county's roster)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef

from .models import Member, Organization, Position
from .roles import Roles, roles_of

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


def office_orgs(user):
    """Organizations under the user's office positions (not his secretary or leader ones)."""
    q = roles_of(user).subtree_q("path", kinds=Roles.OFFICE_KINDS)
    return Organization.objects.filter(q) if q is not None else Organization.objects.none()


def office_users(user):
    """Logins an office may manage: linked only inside its subtree (or not linked at all),
    and never staff or superusers, so no office can reach an account above or beside it."""
    scope = office_orgs(user)
    outside_position = Position.objects.filter(user=OuterRef("pk")).exclude(organization__in=scope)
    outside_member = Member.objects.filter(user=OuterRef("pk")).exclude(organization__in=scope)
    # Leaders and offices are the superuser's to manage, wherever they are linked.
    oversight = Position.objects.filter(
        user=OuterRef("pk"), kind__in=[k for k in Position.Kind.values if k != "secretary"]
    )
    return (
        get_user_model()
        .objects.filter(is_staff=False, is_superuser=False)
        .exclude(Exists(outside_position))
        .exclude(Exists(outside_member))
        .exclude(Exists(oversight))
    )
