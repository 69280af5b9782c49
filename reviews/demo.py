"""Demo data for the three evaluations; `seed_demo` calls `seed` after the pledge book is built."""

from .demo_evaluations import seed_evaluations
from .demo_reviews import seed_reviews


def seed(*, scale: str, stdout) -> None:
    seed_reviews(scale=scale, stdout=stdout)
    seed_evaluations(scale=scale, stdout=stdout)


def reset(*, stdout) -> None:
    """`seed_demo --reset` calls this first: remove rows that protect the demo organizations."""
    from pledges.demo import CITY_NAME, COUNTY_NAME
    from pledges.models import Organization

    from . import demo_evaluations
    from .demo_reviews import reset_reviews

    roots = Organization.objects.get_root_nodes().filter(name__in=[COUNTY_NAME, CITY_NAME])
    paths = list(roots.values_list("path", flat=True))
    reset_evaluations = getattr(demo_evaluations, "reset_evaluations", None)
    if callable(reset_evaluations):
        reset_evaluations(org_paths=paths)
    reset_reviews(org_paths=paths)
