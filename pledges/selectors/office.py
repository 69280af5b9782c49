"""What an office's admin lists show: the organizations and logins it manages."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet

from ..models import Member, Organization, Position
from ..models.position import roles_of
from ..roles import Roles


def office_orgs(user) -> QuerySet[Organization]:
    """Organizations under the user's office positions (not his secretary or leader ones): what
    the office's admin lists show."""
    return Organization.objects.filter(roles_of(user).within("path", Roles.OFFICE_KINDS))


def office_users(user) -> QuerySet:
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
