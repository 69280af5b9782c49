"""A province of three cities, each the city of the sources in size: the bench's largest set.

The province is the root; its cities sit one level below it, each built by `CityBuilder` (the
city's bulk path, one transaction per city) with a name and logins of its own. The province
has its own office (`province_office`) and a leader linked to every city (`province_leader`).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from core.db import analyse

from ..models import (
    Member,
    Organization,
    Pledge,
    PledgeEvent,
    Position,
    ProgressRecord,
)
from .city import CityBuilder, CityPlan, CitySpec, encode_step, next_root_step
from .logins import ensure_admin
from .names import CITY_BRANCHES, CITY_NAME, PASSWORD, STEPLEN, Level, OrgField, User

PROVINCE_NAME = "江东省委"
PROVINCE_EMAIL_DOMAIN = "jiangdong.example"
PROVINCE_CITIES = (
    # The first city is the city of the sources, logins and all, so a bench written for the
    # city runs unchanged on the province's first city.
    CitySpec(),
    CitySpec("云州市委", "yz_", "yz", "yunzhou.example"),
    CitySpec("临海市委", "lh_", "lh", "linhai.example"),
)


def province_root() -> Organization | None:
    return Organization.objects.get_root_nodes().filter(name=PROVINCE_NAME).first()


def province_cities(root: Organization) -> list[Organization]:
    return list(Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1))


def bulk_roots(scale: str) -> list[Organization]:
    """The bulk-built cities another app's demo hook fills for a scale: the province's three
    cities, else the city (small or full)."""
    if scale == "province":
        root = province_root()
        return province_cities(root) if root else []
    root = Organization.objects.get_root_nodes().filter(name=CITY_NAME).first()
    return [root] if root else []


def _province(password: str) -> Organization:
    path = encode_step(next_root_step())
    root = Organization.objects.create(
        name=PROVINCE_NAME,
        level=Level.COMMITTEE,
        field=OrgField.GOVERNMENT,
        path=path,
        depth=len(path) // STEPLEN,
        numchild=0,
    )
    for username in ("province_office", "province_leader"):
        User.objects.get_or_create(
            username=username,
            defaults={"password": password, "email": f"{username}@{PROVINCE_EMAIL_DOMAIN}"},
        )
    ensure_admin(password)
    Position.objects.create(
        user=User.objects.get(username="province_office"),
        organization=root,
        kind=Position.Kind.OFFICE,
    )
    return root


def build_province(
    *,
    seed: int = 2024,
    branches: int = CITY_BRANCHES,
    today: datetime.date | None = None,
    log: Callable | None = None,
) -> tuple[Organization, bool]:
    """Three bulk cities under a province root; returns (root, created). An existing province
    is kept. `branches` is per city (tests build a small one)."""
    log = log or (lambda msg: None)
    existing = province_root()
    if existing:
        return existing, False
    plan = CityPlan.scaled(branches)
    with transaction.atomic():
        root = _province(make_password(PASSWORD))
    leader = User.objects.get(username="province_leader")
    for i, spec in enumerate(PROVINCE_CITIES):
        started = time.monotonic()
        with transaction.atomic():
            root.refresh_from_db()
            city = CityBuilder(
                plan=plan, seed=seed + i, today=today, log=log, city=spec, parent=root
            ).build()
            Position.objects.create(
                user=leader, organization=city, kind=Position.Kind.LEADER_CONTACT
            )
        # The next city's lookups (its history's INSERT … SELECT, the reviews) are planned with
        # statistics that count this one's rows (issue 17 §5: seeds analyse what they filled).
        analyse(Organization, User, Member, Position, Pledge, ProgressRecord, PledgeEvent)
        log(f"{spec.name}: {time.monotonic() - started:.1f}s")
    root.refresh_from_db()
    # As the city: fresh statistics and a visibility map once the rows are in.
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    return root, True
