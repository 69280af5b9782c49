"""Models of reviews/, one module per sub-area.

subject: Quarter, Subject and the grading scale the sub-areas share; then self_evaluation,
review, rectification, letter, mass_evaluation, assessment, selection.
"""

from .assessment import AnnualAssessment
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
from .selection import Honour, Nomination, SelectionQuota, SelectionRound
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
    "Grade",
    "Honour",
    "MIN_RESPONSES",
    "MassEvaluation",
    "MemberRating",
    "Nomination",
    "NOT_ISSUED_Q",
    "Quarter",
    "RectificationEvent",
    "RectificationEvidence",
    "RectificationItem",
    "Review",
    "ReviewAmendment",
    "Satisfaction",
    "SelectionQuota",
    "SelectionRound",
    "SelfEvaluation",
    "Subject",
    "SubjectKey",
    "SubjectKind",
    "SuggestionLetter",
    "subject_key_for",
]
