"""Removing the demo data again."""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from ..models import Member, Organization, Pledge, Position
from .names import CITY_NAME, COUNTY_NAME, User
from .province import PROVINCE_NAME

# The roots `seed_demo` makes: what `--reset` removes (other apps' resets use the same list).
DEMO_ROOTS = (COUNTY_NAME, CITY_NAME, PROVINCE_NAME)


class DemoError(Exception):
    """Demo data cannot be built or removed; the message says why, in Chinese."""


@transaction.atomic
def reset_demo() -> None:
    """Remove the county, the city and the province with their people and pledges. Rows
    elsewhere that protect them stop the reset with a message rather than being deleted
    behind the user."""
    for root in Organization.objects.get_root_nodes().filter(name__in=DEMO_ROOTS):
        subtree = Organization.objects.filter(path__startswith=root.path)
        positions = Position.objects.filter(organization__in=subtree)
        members = Member.objects.filter(organization__in=subtree)
        users = set(positions.values_list("user_id", flat=True))
        users |= set(members.filter(user__isnull=False).values_list("user_id", flat=True))
        pledges = Pledge.objects.filter(owner_org__in=subtree)
        try:
            pledges.update(carried_from=None)
            pledges.delete()
            members.delete()
            positions.delete()
            subtree.delete()
            User.objects.filter(pk__in=users, is_superuser=False).delete()
        except ProtectedError as e:
            raise DemoError(
                _("其他数据仍引用演示数据，无法重置：%(e)s 请删除数据库后重新运行。")
                % {"e": e.args[0]}
            ) from e
