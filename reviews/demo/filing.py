"""Demo data for 备案: filed, received, returned and missing filings.

- county: through the services, for the last two half-years: in the earlier one most branches
  filed and the office received them (one was returned with a reason and filed again, one is
  still missing); in the latest about half filed, one is returned and waits, the rest are
  missing. The packages are built as real use builds them (in-process without a worker).
- small / city: bulk rows for the benchmark (the status page on 7,000 branches): the earlier
  half filed by nearly all branches, the latest by about half; no packages.
Idempotent: nothing is added when any filing exists under the root.
"""

from __future__ import annotations

import random

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import NOTHING
from core.db import analyse
from core.exports.services import export_run
from core.periods import Period
from pledges.demo import CITY_NAME, COUNTY_NAME
from pledges.models import Organization, Position

from ..models import Filing, FilingEvent
from ..rules.filing import latest_period
from ..services import filing as services

SEED = 2027
BULK = 5000


def _periods() -> tuple[Period, Period]:
    latest = latest_period()
    earlier = Period(latest.year, half=1) if latest.half == 2 else Period(latest.year - 1, half=2)
    return earlier, latest


def seed_filings(*, scale: str, stdout) -> None:
    name = COUNTY_NAME if scale == "county" else CITY_NAME
    root = Organization.objects.get_root_nodes().filter(name=name).first()
    if root is None:
        return
    if Filing.objects.filter(organization__path__startswith=root.path).exists():
        stdout.write(_("备案演示数据已存在，未重复生成"))
        return
    count = _county(root) if scale == "county" else _bulk(random.Random(SEED), root)
    analyse(Filing, FilingEvent)
    stdout.write(_("备案：%(n)d 份") % {"n": count})


def reset_filings(*, org_paths: list[str]) -> None:
    q = NOTHING
    for path in org_paths:
        q |= Q(organization__path__startswith=path)
    Filing.objects.filter(q).delete()


def _secretary_and_office(root: Organization) -> tuple[dict[int, object], dict[str, object]]:
    """branch id → its secretary's user; organization path → an office user there."""
    positions = Position.objects.filter(
        organization__path__startswith=root.path,
        kind__in=(Position.Kind.SECRETARY, Position.Kind.OFFICE),
    ).select_related("user", "organization")
    secretaries, offices = {}, {}
    for p in positions.order_by("id"):
        if p.kind == Position.Kind.SECRETARY:
            secretaries.setdefault(p.organization_id, p.user)
        else:
            offices.setdefault(p.organization.path, p.user)
    return secretaries, offices


def _built(filing: Filing) -> Filing:
    """The filing with its package: built here if no worker has yet (the export's own service,
    which does nothing to a job already done)."""
    filing.refresh_from_db()
    if not filing.package and filing.package_job is not None:
        export_run(job=filing.package_job)
        filing.refresh_from_db()
    return filing


def _office_above(branch: Organization, offices: dict[str, object]):
    for path in reversed(branch.ancestor_paths()):
        if path in offices:
            return offices[path]
    return None


def _county(root: Organization) -> int:
    secretaries, offices = _secretary_and_office(root)
    branches = [
        b
        for b in Organization.objects.filter(
            path__startswith=root.path, level=Organization.Level.BRANCH
        ).order_by("path")
        if b.pk in secretaries
    ]
    earlier, latest = _periods()
    count = 0
    for period, share in ((earlier, 0.9), (latest, 0.5)):
        filers = branches[: max(1, int(len(branches) * share))]
        # The last branch of the list stays missing in each half.
        filers = filers[:-1] if len(filers) == len(branches) else filers
        for n, branch in enumerate(filers):
            filing = services.filing_submit(
                organization=branch, period=period, by=secretaries[branch.pk]
            )
            count += 1
            office = _office_above(branch, offices)
            if office is None:
                continue
            filing = _built(filing)
            if n == 0:
                services.filing_return(
                    filing=filing, by=office, reason=_("群众评议情况统计表不全，请补充后重新报送")
                )
                if period == earlier:
                    services.filing_submit(
                        organization=branch, period=period, by=secretaries[branch.pk]
                    )
            elif period == earlier and filing.package:
                services.filing_receive(filing=filing, by=office)
    return count


def _bulk(rng: random.Random, root: Organization) -> int:
    secretaries = dict(
        Position.objects.filter(
            organization__path__startswith=root.path,
            organization__level=Organization.Level.BRANCH,
            kind=Position.Kind.SECRETARY,
        ).values_list("organization_id", "user_id")
    )
    office = (
        Position.objects.filter(organization=root, kind=Position.Kind.OFFICE)
        .values_list("user_id", flat=True)
        .first()
    )
    earlier, latest = _periods()
    now = timezone.now()
    rows = []
    for period, share in ((earlier, 0.95), (latest, 0.5)):
        for org_id, user_id in secretaries.items():
            if rng.random() >= share:
                continue
            status = Filing.Status.RECEIVED if period == earlier else Filing.Status.FILED
            if rng.random() < 0.03:
                status = Filing.Status.RETURNED
            if office is None:
                status = Filing.Status.FILED
            decided = status != Filing.Status.FILED
            rows.append(
                Filing(
                    organization_id=org_id,
                    year=period.year,
                    half=period.half,
                    status=status,
                    rounds=1,
                    filed_by_id=user_id,
                    filed_at=now,
                    decided_by_id=office if decided else None,
                    decided_at=now if decided else None,
                    return_reason=_("材料不全") if status == Filing.Status.RETURNED else "",
                )
            )
    Filing.objects.bulk_create(rows, batch_size=BULK)
    return len(rows)
