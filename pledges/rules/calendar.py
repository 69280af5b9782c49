"""Who sets a committee's calendar, and when a year's calendar may no longer change.

"A year already under way keeps what it started with": once any pledge, report, review or
evaluation of the year exists in the area a calendar governs, its rhythm (pledge period,
cadences, grade scale) is frozen and a change is refused with the reason. We freeze rather than
snapshot the setting onto every row: nothing already recorded then needs to know which version
of the calendar it was made under, and the office is told plainly why the change waits for next
year. The filing dates may still move.

The area a row governs is the organization's subtree without the parts that set their own
calendar for that year. Each app says what "under way" means for its own rows by registering a
check here in its AppConfig.ready() (pledges cannot import reviews).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..models import Pledge
from ..models.position import roles_of

# (area Q builder, year) → a short description of what is under way ("点评"), or "".
UsageCheck = Callable[[Callable[[str], Q], int], str]
_CHECKS: list[UsageCheck] = []


def can_set_calendar(user, organization) -> bool:
    """The office of the organization or of one above it."""
    roles = roles_of(user)
    return roles.covers(organization, roles.OFFICE_KINDS)


def register_usage(check: UsageCheck) -> None:
    if check not in _CHECKS:
        _CHECKS.append(check)


def area_q(root_path: str, own_paths: list[str]) -> Callable[[str], Q]:
    """A builder of the Q for rows (by their organization path `lookup`) in the area."""

    def build(lookup: str) -> Q:
        q = Q(**{f"{lookup}__startswith": root_path})
        for path in own_paths:
            q &= ~Q(**{f"{lookup}__startswith": path})
        return q

    return build


def under_way(root_path: str, own_paths: list[str], year: int) -> list[str]:
    """What has started in the area this year (empty: the rhythm may still change)."""
    build = area_q(root_path, own_paths)
    return [found for check in _CHECKS if (found := check(build, year))]


def pledges_under_way(area: Callable[[str], Q], year: int) -> str:
    """The pledges' own check: any pledge of the year in the area."""
    from_pledges = Pledge.objects.filter(area("owner_org__path"), year=year).exists()
    return str(_("承诺")) if from_pledges else ""
