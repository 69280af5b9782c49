"""Models of the three evaluations, split by capability so each file stays readable.

review.py: self-evaluations, leader reviews, rectification items, suggestion letters.
evaluation.py: mass evaluations (codes, responses) and the annual assessment.
"""

from .evaluation import *  # noqa: F403
from .review import *  # noqa: F403
