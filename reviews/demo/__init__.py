"""Demo data for reviews/; `seed_demo` calls `seed` after the pledge book is built.

review: self-evaluations, leader reviews, rectification and letters (through the services);
mass_evaluation: mass evaluations and annual assessments (bulk rows, as a city's worth).
"""

from pledges.demo import DEMO_ROOTS
from pledges.models import Organization

from .mass_evaluation import reset_mass_evaluations, seed_mass_evaluations
from .review import reset_reviews, seed_reviews


def seed(*, scale: str, stdout) -> None:
    seed_reviews(scale=scale, stdout=stdout)
    seed_mass_evaluations(scale=scale, stdout=stdout)


def reset(*, stdout) -> None:
    """`seed_demo --reset` calls this first: remove rows that protect the demo organizations."""
    roots = Organization.objects.get_root_nodes().filter(name__in=DEMO_ROOTS)
    paths = list(roots.values_list("path", flat=True))
    reset_mass_evaluations(org_paths=paths)
    reset_reviews(org_paths=paths)
