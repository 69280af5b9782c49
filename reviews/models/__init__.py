"""Models of reviews/, one module per sub-area.

subject: Quarter, Subject and the grading scale the sub-areas share; then self_evaluation,
review, rectification, letter, mass_evaluation, assessment, filing.
"""

from .assessment import AnnualAssessment
from .filing import Filing, FilingEvent
from .letter import SuggestionLetter
from .mass_evaluation import (
    CODE_ALPHABET,
    CODE_LENGTH,
    MIN_RESPONSES,
    EvaluationCode,
    EvaluationResponse,
    MassEvaluation,
    MemberRating,
    Satisfaction,
)
from .rectification import (
    NOT_ISSUED_Q,
    RectificationEvent,
    RectificationEvidence,
    RectificationItem,
)
from .review import Review, ReviewAmendment
from .self_evaluation import SelfEvaluation
from .subject import (
    DUE_SOON_DAYS,
    Grade,
    Quarter,
    Subject,
    SubjectKey,
    SubjectKind,
    subject_key_for,
)

__all__ = [
    "AnnualAssessment",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "DUE_SOON_DAYS",
    "EvaluationCode",
    "EvaluationResponse",
    "Filing",
    "FilingEvent",
    "Grade",
    "MIN_RESPONSES",
    "MassEvaluation",
    "MemberRating",
    "NOT_ISSUED_Q",
    "Quarter",
    "RectificationEvent",
    "RectificationEvidence",
    "RectificationItem",
    "Review",
    "ReviewAmendment",
    "Satisfaction",
    "SelfEvaluation",
    "Subject",
    "SubjectKey",
    "SubjectKind",
    "SuggestionLetter",
    "subject_key_for",
]
