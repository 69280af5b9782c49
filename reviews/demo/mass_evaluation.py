"""Demo data of the mass evaluation and the annual assessment; run by `seed_demo`.

County: one finished evaluation of 东街社区党支部 (36 answers, so a valid 统计表), an open one
of 桃源村党支部 with unused codes to print and try on a phone (12 answers: not yet valid), and
this year's grades of 城关镇's branches. City: every third branch evaluated this half, written
with bulk inserts (organization ratings only). Idempotent: what exists is left alone.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import NOTHING
from core.db import analyse, copy_insert
from pledges.demo import bulk_roots
from pledges.models import Member, Organization, Position

from ..models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    AnnualAssessment,
    EvaluationCode,
    EvaluationResponse,
    MassEvaluation,
    MemberRating,
    Satisfaction,
)
from ..services.mass_evaluation import half_end

S = Satisfaction
COUNTY_NAME = "青溪县委"
OPINIONS = [
    "希望多组织便民服务活动",
    "承诺的事项基本都办到了，点个赞",
    "小区路灯维修还要抓紧",
    "党员走访再多一些",
    "公开栏内容要及时更新",
    "为老年人办事很耐心",
]


def seed_mass_evaluations(*, scale: str, stdout) -> None:
    """Mass evaluations with responses, annual assessments."""
    if scale == "county":
        _seed_county(stdout)
    else:
        for root in bulk_roots(scale):
            _seed_city(root, stdout)
    analyse(MassEvaluation, EvaluationCode, EvaluationResponse, MemberRating, AnnualAssessment)


def _half(day: datetime.date) -> int:
    return 1 if day.month <= 6 else 2


def _previous_half(day: datetime.date) -> tuple[int, int, datetime.date]:
    """(year, half, last day) of the half-year before the one `day` falls in."""
    if _half(day) == 2:
        return day.year, 1, datetime.date(day.year, 6, 30)
    return day.year - 1, 2, datetime.date(day.year - 1, 12, 31)


def _codes(rng: random.Random, n: int, taken: set[str]) -> list[str]:
    out = []
    while len(out) < n:
        code = "".join(rng.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            out.append(code)
    return out


def _ratings(rng: random.Random, n: int, satisfied: float, basic: float) -> list[str]:
    out = []
    for _i in range(n):
        x = rng.random()
        out.append(
            S.SATISFIED if x < satisfied else S.BASIC if x < satisfied + basic else S.UNSATISFIED
        )
    return out


def _user_of(org: Organization, *kinds: str):
    """A login holding one of these positions at or above `org` (nearest first)."""
    paths = [org.path[: i * org.steplen] for i in range(org.depth, 0, -1)]
    positions = Position.objects.filter(
        organization__path__in=paths, kind__in=kinds
    ).select_related("user", "organization")
    best = sorted(positions, key=lambda p: -len(p.organization.path))
    return best[0].user if best else None


def _fill(
    rng: random.Random,
    evaluation: MassEvaluation,
    *,
    answers: int,
    unused: int,
    members: list[Member],
    satisfied: float,
    basic: float,
    used_at: datetime.datetime,
    taken: set[str],
) -> None:
    codes = _codes(rng, answers + unused, taken)
    EvaluationCode.objects.bulk_create(
        [
            EvaluationCode(
                evaluation=evaluation,
                code=c,
                used_at=used_at if i < answers else None,
                created_at=evaluation.created_at,
            )
            for i, c in enumerate(codes)
        ]
    )
    responses = EvaluationResponse.objects.bulk_create(
        [
            EvaluationResponse(
                evaluation=evaluation,
                rating=r,
                opinion=rng.choice(OPINIONS) if rng.random() < 0.25 else "",
            )
            for r in _ratings(rng, answers, satisfied, basic)
        ]
    )
    # Each member has a reputation of his own: some are rated lower than others.
    leaning = {m.pk: rng.uniform(satisfied - 0.25, min(satisfied + 0.1, 0.95)) for m in members}
    MemberRating.objects.bulk_create(
        [
            MemberRating(response=resp, member=m, rating=_ratings(rng, 1, leaning[m.pk], basic)[0])
            for resp in responses
            for m in members
        ]
    )


@transaction.atomic
def _seed_county(stdout) -> None:
    root = Organization.objects.get_root_nodes().filter(name=COUNTY_NAME).first()
    if root is None:
        return
    rng = random.Random(30)
    today = timezone.localdate()
    taken = set(EvaluationCode.objects.values_list("code", flat=True))
    subtree = Organization.objects.filter(path__startswith=root.path)

    dongjie = subtree.filter(name="东街社区党支部").first()
    if dongjie is not None:
        year, half, ended = _previous_half(today)
        by = _user_of(dongjie, Position.Kind.SECRETARY, Position.Kind.OFFICE)
        if (
            by
            and not MassEvaluation.objects.filter(
                organization=dongjie, year=year, half=half
            ).exists()
        ):
            members = list(Member.objects.filter(organization=dongjie).order_by("id")[:6])
            started = timezone.make_aware(
                datetime.datetime.combine(ended - datetime.timedelta(days=14), datetime.time(9))
            )
            evaluation = MassEvaluation.objects.create(
                organization=dongjie,
                year=year,
                half=half,
                ends_on=ended,
                created_by=by,
                created_at=started,
            )
            evaluation.members.set(members)
            _fill(
                rng,
                evaluation,
                answers=36,
                unused=4,
                members=members,
                satisfied=0.72,
                basic=0.22,
                used_at=started + datetime.timedelta(days=3),
                taken=taken,
            )
            stdout.write(
                _("群众评议（已结束，36 人参评）：%(t)s") % {"t": evaluation.display_title}
            )

    taoyuan = subtree.filter(name="桃源村党支部").first()
    if taoyuan is not None:
        by = _user_of(taoyuan, Position.Kind.SECRETARY, Position.Kind.OFFICE)
        half = _half(today)
        if (
            by
            and not MassEvaluation.objects.filter(
                organization=taoyuan, year=today.year, half=half
            ).exists()
        ):
            members = list(Member.objects.filter(organization=taoyuan).order_by("id")[:4])
            evaluation = MassEvaluation.objects.create(
                organization=taoyuan,
                year=today.year,
                half=half,
                ends_on=max(today + datetime.timedelta(days=14), half_end(today.year, half)),
                created_by=by,
            )
            evaluation.members.set(members)
            _fill(
                rng,
                evaluation,
                answers=12,
                unused=28,
                members=members,
                satisfied=0.6,
                basic=0.3,
                used_at=timezone.now(),
                taken=taken,
            )
            stdout.write(
                _("群众评议（进行中，可打印评议卡试用）：%(t)s") % {"t": evaluation.display_title}
            )

    town = subtree.filter(name="城关镇党委").first()
    office = _user_of(town, Position.Kind.OFFICE) if town else None
    if town is not None and office is not None:
        grades = [
            (AnnualAssessment.Grade.GOOD, True),
            (AnnualAssessment.Grade.FAIRLY_GOOD, False),
            (AnnualAssessment.Grade.GOOD, False),
            (AnnualAssessment.Grade.AVERAGE, False),
        ]
        branches = subtree.filter(path__startswith=town.path, depth=town.depth + 1).order_by("path")
        done = set(
            AnnualAssessment.objects.filter(
                year=today.year, organization__in=branches, member__isnull=True
            ).values_list("organization_id", flat=True)
        )
        AnnualAssessment.objects.bulk_create(
            [
                AnnualAssessment(
                    year=today.year,
                    organization=branch,
                    grade=grade,
                    exemplary=exemplary,
                    decided_by=office,
                )
                for branch, (grade, exemplary) in zip(branches, grades, strict=False)
                if branch.pk not in done
            ]
        )


def _seed_city(root: Organization, stdout) -> None:
    if MassEvaluation.objects.filter(organization__path__startswith=root.path).exists():
        return
    by = _user_of(root, Position.Kind.OFFICE, Position.Kind.SECRETARY)
    if by is None:
        by = Position.objects.filter(organization__path__startswith=root.path).first()
        by = by.user if by else None
    if by is None:
        return
    rng = random.Random(31)
    today = timezone.localdate()
    half = _half(today)
    branches = list(
        Organization.objects.filter(path__startswith=root.path, level=Organization.Level.BRANCH)
        .order_by("path")
        .values_list("id", flat=True)[::3]
    )
    taken = set(EvaluationCode.objects.values_list("code", flat=True))
    now = timezone.now()
    ends_on = half_end(today.year, half)
    with transaction.atomic():
        evaluations = MassEvaluation.objects.bulk_create(
            [
                MassEvaluation(
                    organization_id=org_id,
                    year=today.year,
                    half=half,
                    ends_on=ends_on,
                    created_by=by,
                    created_at=now,
                    # Finished: results only count once an evaluation has ended.
                    closed_at=now,
                )
                for org_id in branches
            ],
            batch_size=2000,
        )
        codes, responses = [], []
        for evaluation in evaluations:
            n = rng.randint(26, 45)  # some under 30: not valid, and not counted
            satisfied = rng.uniform(0.55, 0.85)
            for code, rating in zip(
                _codes(rng, n, taken), _ratings(rng, n, satisfied, 0.9 - satisfied), strict=True
            ):
                codes.append((evaluation.pk, code, now))
                responses.append((evaluation.pk, rating))
        # Rows, not model instances, written with COPY (core.db.copy_insert).
        copy_insert(EvaluationCode, codes, fields=("evaluation_id", "code", "used_at"))
        copy_insert(EvaluationResponse, responses, fields=("evaluation_id", "rating"))
    stdout.write(
        _("群众评议：%(e)d 个党支部，%(r)d 人次（仅对党组织的评价）")
        % {"e": len(evaluations), "r": len(responses)}
    )


def reset_mass_evaluations(*, org_paths: list[str]) -> None:
    """`seed_demo --reset`: remove the evaluations and assessments under these organizations
    (they protect organizations and members), so the pledge book's reset can go ahead."""
    q = NOTHING
    for path in org_paths:
        q |= Q(organization__path__startswith=path)
    evaluations = MassEvaluation.objects.filter(q)
    # Ratings protect members; the rest goes with its evaluation (CASCADE).
    MemberRating.objects.filter(response__evaluation__in=evaluations).delete()
    evaluations.delete()
    AnnualAssessment.objects.filter(q).delete()
