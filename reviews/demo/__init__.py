"""Demo data for reviews/; `seed_demo` calls `seed` after the pledge book is built.

review: self-evaluations, leader reviews, rectification and letters (through the services);
mass_evaluation: mass evaluations and annual assessments (bulk rows, as a city's worth);
inspection: the office's half-yearly check and a spot check, with 整改通知书 and 复验.
monthly_rating: two months of 每月评比 and a 述职 with its 测评 (county).
selection: 组织评选 rounds and nominations (through the services).
filing: filed, received, returned and missing 备案.
"""

from pledges.demo import DEMO_ROOTS
from pledges.models import Organization

from .filing import reset_filings, seed_filings
from .inspection import reset_inspections, seed_inspections
from .mass_evaluation import reset_mass_evaluations, seed_mass_evaluations
from .monthly_rating import reset_monthly_ratings, seed_monthly_ratings
from .review import reset_reviews, seed_reviews
from .selection import reset_selection, seed_selection


def seed(*, scale: str, stdout) -> None:
    seed_reviews(scale=scale, stdout=stdout)
    seed_mass_evaluations(scale=scale, stdout=stdout)
    seed_inspections(scale=scale, stdout=stdout)
    seed_monthly_ratings(scale=scale, stdout=stdout)
    seed_selection(scale=scale, stdout=stdout)
    seed_filings(scale=scale, stdout=stdout)


def reset(*, stdout) -> None:
    """`seed_demo --reset` calls this first: remove rows that protect the demo organizations."""
    roots = Organization.objects.get_root_nodes().filter(name__in=DEMO_ROOTS)
    paths = list(roots.values_list("path", flat=True))
    reset_inspections(org_paths=paths)
    reset_monthly_ratings(org_paths=paths)
    reset_selection(org_paths=paths)
    reset_filings(org_paths=paths)
    reset_mass_evaluations(org_paths=paths)
    reset_reviews(org_paths=paths)
