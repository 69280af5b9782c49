"""Demo data for reviews/; `seed_demo` calls `seed` after the pledge book is built.

review: self-evaluations, leader reviews, rectification and letters (through the services);
mass_evaluation: mass evaluations and annual assessments (bulk rows, as a city's worth);
filing: filed, received, returned and missing 备案.
"""

from pledges.demo import CITY_NAME, COUNTY_NAME
from pledges.models import Organization

from .filing import reset_filings, seed_filings
from .mass_evaluation import reset_mass_evaluations, seed_mass_evaluations
from .review import reset_reviews, seed_reviews


def seed(*, scale: str, stdout) -> None:
    seed_reviews(scale=scale, stdout=stdout)
    seed_mass_evaluations(scale=scale, stdout=stdout)
    seed_filings(scale=scale, stdout=stdout)


def reset(*, stdout) -> None:
    """`seed_demo --reset` calls this first: remove rows that protect the demo organizations."""
    roots = Organization.objects.get_root_nodes().filter(name__in=[COUNTY_NAME, CITY_NAME])
    paths = list(roots.values_list("path", flat=True))
    reset_filings(org_paths=paths)
    reset_mass_evaluations(org_paths=paths)
    reset_reviews(org_paths=paths)
