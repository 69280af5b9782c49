"""Demo data for the three evaluations; `seed_demo` calls `seed` after the pledge book is built."""

from .demo_evaluations import seed_evaluations
from .demo_reviews import seed_reviews


def seed(*, scale: str, stdout) -> None:
    seed_reviews(scale=scale, stdout=stdout)
    seed_evaluations(scale=scale, stdout=stdout)
