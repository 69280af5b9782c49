# Fixtures shared by the review tests (helper "reviews"); add others below.
from .review_helpers import rworld  # noqa: F401
