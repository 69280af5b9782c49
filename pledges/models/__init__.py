"""Models of pledges/, one module per sub-area (Django's app registry finds them here).

position: Position and Member, the rows a user's roles come from, and `roles_of`;
organization: the organization tree; pledge: Pledge and PledgeEvent; progress: ProgressRecord
and Evidence; calendar: a committee's own calendar and scales for a year; tally: the counter
rows pledges.tallies keeps.
"""

from .calendar import Calendar
from .organization import Organization
from .pledge import Pledge, PledgeEvent
from .position import Member, Position
from .progress import Evidence, ProgressRecord
from .tally import Tally

__all__ = [
    "Calendar",
    "Evidence",
    "Member",
    "Organization",
    "Pledge",
    "PledgeEvent",
    "Position",
    "ProgressRecord",
    "Tally",
]
