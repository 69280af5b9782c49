"""The pledge book's own figures: pledges by state, members and organizations who have
pledged, running pledges by deadline, the public page's figures."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from ..models import Member, Pledge, Tally
from .base import DISTINCT, Figure, Source
from .write import register

PLEDGES = "pledges"
PLEDGES_DUE = "pledges_due"
MEMBERS = "members"
MEMBERS_PLEDGED = "members_pledged"
ORGS_PLEDGED = "orgs_pledged"
# The public page's figures (publicity): pledges running in public by deadline (overdue is a
# sum of the keys before today), re-pledges (再承诺) by their own year, 销号 by month.
PUBLIC_DUE = "public_due"
CARRIED = "carried"
CLOSED_MONTH = "closed_month"
_MEMBER_PLEDGES = "member_pledges"
_OWN_PLEDGES = "own_pledges"
DISTINCT[_MEMBER_PLEDGES] = (MEMBERS_PLEDGED, "")
DISTINCT[_OWN_PLEDGES] = (ORGS_PLEDGED, "")

# An organization or member "has pledged" once a pledge has left the draft stage.
PLEDGED_STATUSES = (Pledge.Status.SUBMITTED, *Pledge.FILED_STATUSES)


def orgs_pledged(year: int) -> QuerySet:
    """Own holder rows of the organizations with a pledge of their own in `year` (an
    organization's own row: one index lookup per organization asked about)."""
    return Tally.objects.filter(scope=Tally.OWN, kind=_OWN_PLEDGES, year=year, n__gt=0)


def pledge_key(status: str, by_member: bool) -> str:
    return f"{status}:{'m' if by_member else 'o'}"


def _pledge_figures(s: dict) -> Iterable[Figure]:
    org, year, status, member = s["owner_org_id"], s["year"], s["status"], s["owner_member_id"]
    yield (org, year, 0, PLEDGES, pledge_key(status, member is not None))
    if status in PLEDGED_STATUSES:
        if member is not None:
            yield (org, year, 0, _MEMBER_PLEDGES, str(member))
        else:
            yield (org, year, 0, _OWN_PLEDGES, "")
    if status in Pledge.RUNNING_STATUSES:
        yield (org, 0, 0, PLEDGES_DUE, s["deadline"].isoformat())
    if status in (Pledge.Status.PUBLISHED, Pledge.Status.IN_PROGRESS):
        yield (org, year, 0, PUBLIC_DUE, s["deadline"].isoformat())
    if s["carried_from_id"] is not None:
        yield (org, year, 0, CARRIED, "")
    if status == Pledge.Status.CLOSED and s["closed_on"] is not None:
        yield (org, 0, 0, CLOSED_MONTH, s["closed_on"].isoformat()[:7])


_PLEDGE_FIELDS = (
    "owner_org_id",
    "owner_member_id",
    "year",
    "status",
    "deadline",
    "carried_from_id",
    "closed_on",
)


def _pledge_rows(org_ids: list[int] | None) -> Iterable[dict]:
    rows = Pledge.objects.order_by()
    if org_ids is not None:
        rows = rows.filter(owner_org_id__in=org_ids)
    return rows.values(*_PLEDGE_FIELDS).iterator(chunk_size=5000)


def _member_rows(org_ids: list[int] | None) -> Iterable[dict]:
    rows = Member.objects.order_by()
    if org_ids is not None:
        rows = rows.filter(organization_id__in=org_ids)
    return rows.values("organization_id").iterator(chunk_size=5000)


def connect() -> None:
    register(
        Source(
            model=Pledge,
            fields=_PLEDGE_FIELDS,
            figures=_pledge_figures,
            rows=_pledge_rows,
            kinds=(
                PLEDGES,
                _MEMBER_PLEDGES,
                _OWN_PLEDGES,
                PLEDGES_DUE,
                PUBLIC_DUE,
                CARRIED,
                CLOSED_MONTH,
            ),
        )
    )
    register(
        Source(
            model=Member,
            fields=("organization_id",),
            figures=lambda s: [(s["organization_id"], 0, 0, MEMBERS, "")],
            rows=_member_rows,
            kinds=(MEMBERS,),
        )
    )
