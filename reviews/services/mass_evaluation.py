"""Changes to a 群众评议: open, issue codes, close, and the evaluator's submission.

The evaluator's submission is the only change without a user: the code is the right to answer
once, and nothing of it is kept with the answer."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import TransitionError
from core.locks import lock_first, lock_row
from core.ratelimit import over_limit, rate_limited
from core.text import checked_text
from pledges.models import Member, Organization

from ..models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    EvaluationCode,
    EvaluationResponse,
    MassEvaluation,
    MemberRating,
    Satisfaction,
)
from ..rules.calendar import calendar_of
from ..rules.mass_evaluation import can_run_mass_evaluation

MAX_CODES_PER_ISSUE = 500

# Per network address and hour. Submissions: a meeting of 100 on one address still fits.
# Unknown codes: a person mistypes a few; a script guessing codes is stopped at 20.
SUBMIT_RATE_LIMIT = 100
GUESS_RATE_LIMIT = 20


MAX_OPINION_LENGTH = 2000


class CodeRefused(TransitionError):
    """A code that cannot be used; `reason` lets the page pick a status and wording."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


def half_end(year: int, half: int) -> datetime.date:
    return datetime.date(year, 6, 30) if half == 1 else datetime.date(year, 12, 31)


def normalize_code(raw: str) -> str:
    """Evaluators type codes by hand: ignore case, spaces and dashes."""
    return "".join(ch for ch in (raw or "").upper() if ch not in " -\t\r\n")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@transaction.atomic
def mass_evaluation_open(
    *,
    by,
    organization: Organization,
    year: int,
    half: int,
    ends_on: datetime.date,
    members: Iterable[Member] = (),
    title: str = "",
) -> MassEvaluation:
    # Lock the organization first: a double-posted form waits here and is then refused by the
    # check below instead of failing on the unique constraint.
    lock_row(organization)
    if not can_run_mass_evaluation(by, organization):
        raise PermissionDenied
    if half not in MassEvaluation.Half.values:
        raise TransitionError(_("请选择上半年或下半年"))
    if ends_on < timezone.localdate():
        raise TransitionError(_("截止日期不能早于今天"))
    members = list(members)
    if any(m.organization_id != organization.pk for m in members):
        raise TransitionError(_("只能评议本组织的党员"))
    if MassEvaluation.objects.filter(organization=organization, year=year, half=half).exists():
        raise TransitionError(_("该组织本半年的群众评议已经开展"))
    # 一年一评议 where the committee set it: one evaluation in the year, whichever half.
    if (
        calendar_of(organization, year).yearly_mass_evaluation
        and MassEvaluation.objects.filter(organization=organization, year=year).exists()
    ):
        raise TransitionError(_("本组织所在党委规定群众评议一年一次，本年度的群众评议已经开展"))
    evaluation = MassEvaluation.objects.create(
        organization=organization,
        year=year,
        half=half,
        ends_on=ends_on,
        title=title.strip(),
        created_by=by,
    )
    evaluation.members.set(members)
    return evaluation


@transaction.atomic
def mass_evaluation_codes_issue(
    *, by, evaluation: MassEvaluation, count: int
) -> list[EvaluationCode]:
    """Make `count` new single-use codes; a clash with an existing code is simply redrawn."""
    lock_row(evaluation)  # a close at the same moment finishes first: no codes for a closed one
    if not can_run_mass_evaluation(by, evaluation.organization):
        raise PermissionDenied
    if not evaluation.is_open():
        raise TransitionError(_("评议已结束，不能再发放评议码"))
    if not 1 <= count <= MAX_CODES_PER_ISSUE:
        raise TransitionError(_("每次可发放 1 至 %(n)d 个评议码") % {"n": MAX_CODES_PER_ISSUE})
    wanted: set[str] = set()
    while len(wanted) < count:
        wanted.add(new_code())
    taken = set(EvaluationCode.objects.filter(code__in=wanted).values_list("code", flat=True))
    while taken:
        wanted -= taken
        while len(wanted) < count:
            wanted.add(new_code())
        taken = set(EvaluationCode.objects.filter(code__in=wanted).values_list("code", flat=True))
    now = timezone.now()
    return EvaluationCode.objects.bulk_create(
        [EvaluationCode(evaluation=evaluation, code=c, created_at=now) for c in sorted(wanted)]
    )


@transaction.atomic
def mass_evaluation_close(*, by, evaluation: MassEvaluation) -> MassEvaluation:
    """End an evaluation before its end date; unused codes stop working."""
    lock_row(evaluation)  # a response being counted finishes first; a double close is refused
    if not can_run_mass_evaluation(by, evaluation.organization):
        raise PermissionDenied
    if not evaluation.is_open():
        raise TransitionError(_("评议已经结束"))
    evaluation.closed_at = timezone.now()
    evaluation.save(update_fields=["closed_at"])
    return evaluation


def check_code(raw: str, *, for_update: bool = False) -> EvaluationCode:
    """The code if it can be used now, else CodeRefused with a message for the evaluator."""
    code = normalize_code(raw)
    # Only well-formed codes reach the database (a NUL byte, say, is an error on PostgreSQL).
    well_formed = len(code) == CODE_LENGTH and all(c in CODE_ALPHABET for c in code)
    found = None
    if well_formed:
        qs = EvaluationCode.objects.select_related("evaluation__organization").filter(code=code)
        found = lock_first(qs) if for_update else qs.first()
    if found is None:
        raise CodeRefused(_("评议码无效，请核对评议码是否输入正确"), "unknown")
    if found.used_at is not None:
        raise CodeRefused(_("该评议码已经使用过，每个评议码只能评议一次"), "used")
    if not found.evaluation.is_open():
        raise CodeRefused(_("本次群众评议已经结束，评议码已失效"), "expired")
    return found


def check_code_from(raw: str, *, address: str) -> EvaluationCode:
    """check_code for the public form: unknown codes are counted per address, and once an
    address has guessed too many, every code from it is refused for the hour."""
    if over_limit("evaluate-guess", address, limit=GUESS_RATE_LIMIT):
        raise CodeRefused(_("评议码输错次数过多，请一小时后再试"), "limited")
    try:
        return check_code(raw)
    except CodeRefused as e:
        if e.reason == "unknown":
            rate_limited("evaluate-guess", address, limit=GUESS_RATE_LIMIT, seconds=3600)
        raise


@transaction.atomic
def mass_evaluation_submit(
    *,
    code: str,
    rating: str,
    member_ratings: Mapping[int, str],
    opinion: str = "",
    address: str,
) -> EvaluationResponse:
    """Record one evaluator's answers and spend the code, both or neither.

    The code row is locked first, so two submissions with one code cannot both pass. Counted
    against the address's hourly limit: generous, since a whole village meeting may answer
    from one network address, but a script spending a stack of codes is stopped."""
    found = check_code(code, for_update=True)
    evaluation = found.evaluation
    if rating not in Satisfaction.values:
        raise TransitionError(_("请对党组织作出评价"))
    member_ids = set(evaluation.members.values_list("id", flat=True))
    if set(member_ratings) != member_ids:
        raise TransitionError(_("请对每一名党员作出评价"))
    if any(value not in Satisfaction.values for value in member_ratings.values()):
        raise TransitionError(_("评价选项无效"))
    opinion = checked_text(opinion, MAX_OPINION_LENGTH, _("意见建议"))
    # Counted once the answers are complete: a refused form does not use up a try.
    if rate_limited("evaluate", address, limit=SUBMIT_RATE_LIMIT, seconds=3600):
        raise TransitionError(
            _("提交过于频繁：同一网络每小时最多提交 %(n)d 份评议，请稍后再试")
            % {"n": SUBMIT_RATE_LIMIT}
        )
    # Only the day is kept: an exact time would line the spent codes up with the answers
    # (stored in arrival order), and the organizer knows which slip went to whom.
    found.used_at = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    found.save(update_fields=["used_at"])
    response = EvaluationResponse.objects.create(
        evaluation=evaluation, rating=rating, opinion=opinion
    )
    MemberRating.objects.bulk_create(
        [
            MemberRating(response=response, member_id=member_id, rating=value)
            for member_id, value in sorted(member_ratings.items())
        ]
    )
    return response
