"""Models of reviews/, one module per sub-area.

subject: Quarter, Subject and the grading scale the sub-areas share; then self_evaluation,
review, rectification, letter, mass_evaluation, assessment.
"""

from .assessment import *  # noqa: F403
from .letter import *  # noqa: F403
from .mass_evaluation import *  # noqa: F403
from .rectification import *  # noqa: F403
from .review import *  # noqa: F403
from .self_evaluation import *  # noqa: F403
from .subject import *  # noqa: F403
