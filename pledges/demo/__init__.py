"""Demo and scale data for the pledge book; `manage.py seed_demo` calls these.

Two builders:
- `build_county` (county.py) — a small, believable county whose every pledge goes through the
  services, so history, permissions and states are exactly what real use produces.
- `build_province` (province.py) — three such cities under a province root (~1 million pledges):
  the bench's largest size.
- `build_city` (city.py) — the city of the sources (456 committees, 7,079 branches, 167,000
  members, 320,000 pledges) written with bulk inserts. It is a benchmark data set: going through
  the services would cost millions of queries (hours), and the services' checks add nothing to
  a data set whose only job is to have the right shape and size.

Both are deterministic (random.Random(seed)) and idempotent: an existing root is left alone.
Names and word lists are in names.py, the printed logins in logins.py, removal in reset.py.
The names below are re-exported for `seed_demo`, `reviews.demo`, the bench and the tests.
"""

from types import ModuleType
from typing import Any

from .city import CityPlan, build_city, city_root, encode_step
from .county import build_county, county_usernames
from .logins import Login, demo_logins, format_logins
from .names import (
    CITY_BRANCHES,
    CITY_NAME,
    COUNTY_NAME,
    PASSWORD,
    SMALL_CITY_BRANCHES,
)
from .province import (
    PROVINCE_CITIES,
    PROVINCE_NAME,
    build_province,
    bulk_roots,
    province_cities,
    province_root,
)
from .reset import DEMO_ROOTS, DemoError, reset_demo

# Other apps' demo modules, each with `seed(scale=..., stdout=...)` and optionally
# `reset(stdout=...)`, handed over in their AppConfig.ready() (so in INSTALLED_APPS order).
APP_DEMOS: list[tuple[Any, ModuleType]] = []


def register(app, module: ModuleType) -> None:
    if all(registered is not module for _app, registered in APP_DEMOS):
        APP_DEMOS.append((app, module))


__all__ = [
    "APP_DEMOS",
    "CITY_BRANCHES",
    "CITY_NAME",
    "COUNTY_NAME",
    "PASSWORD",
    "SMALL_CITY_BRANCHES",
    "DEMO_ROOTS",
    "PROVINCE_CITIES",
    "PROVINCE_NAME",
    "CityPlan",
    "DemoError",
    "Login",
    "build_city",
    "build_county",
    "build_province",
    "bulk_roots",
    "city_root",
    "county_usernames",
    "demo_logins",
    "encode_step",
    "format_logins",
    "province_cities",
    "province_root",
    "register",
    "reset_demo",
]
