"""Models of reviews/, one module per sub-area.

subject: Quarter, Subject and the grading scale the sub-areas share; then self_evaluation,
review, rectification, letter, mass_evaluation, monthly_rating, duty_report, assessment,
inspection, selection, filing.
"""

from .assessment import AnnualAssessment
from .duty_report import (
    DUTY_REPORT_MAX_LENGTH,
    MAX_VOTES,
    DutyReport,
    DutyReportCode,
    DutyReportTally,
)
from .filing import Filing, FilingEvent
from .inspection import (
    DEFAULT_CHECKLIST,
    InspectionEvidence,
    InspectionNotice,
    InspectionNoticeEvent,
    InspectionRound,
    InspectionTarget,
)
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
from .monthly_rating import (
    CRITERION_MAX_LENGTH,
    DEFAULT_CRITERIA,
    MAX_CRITERIA,
    MonthlyRating,
    MonthlyRatingSheet,
    RatingCriteria,
    overall_grade,
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
    "DEFAULT_CHECKLIST",
    "CRITERION_MAX_LENGTH",
    "DEFAULT_CRITERIA",
    "DUTY_REPORT_MAX_LENGTH",
    "DutyReport",
    "DutyReportCode",
    "DutyReportTally",
    "MAX_CRITERIA",
    "MAX_VOTES",
    "MonthlyRating",
    "MonthlyRatingSheet",
    "RatingCriteria",
    "DUE_SOON_DAYS",
    "EvaluationCode",
    "EvaluationResponse",
    "Filing",
    "FilingEvent",
    "Grade",
    "InspectionEvidence",
    "InspectionNotice",
    "InspectionNoticeEvent",
    "InspectionRound",
    "InspectionTarget",
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
    "overall_grade",
    "subject_key_for",
]
