"""Demo data of 每月评比 and 述职; run by `seed_demo` (county scale).

东街社区党支部: the last two months rated by its secretary and published (the public page shows
the latest), the grades leaning on each member's 记实 of the month as a secretary would; the
secretary's 述职 of this year handed in, with the members' 测评 entered and the committee's
still to come (the town office is told). Through the services; idempotent: a branch that has
sheets or a report is left alone.
"""

from __future__ import annotations

import datetime
import random

from django.db.models import Q
from django.utils import timezone

from core.access import NOTHING
from pledges.models import Organization, Position

from ..models import DutyReport, DutyReportTally, MonthlyRating, MonthlyRatingSheet
from ..selectors.duty_report import draft_text
from ..selectors.monthly_rating import month_page, previous_month
from ..services.duty_report import duty_report_save, duty_report_submit, duty_report_tally_record
from ..services.monthly_rating import (
    RatingChange,
    monthly_rating_sheet_publish,
    monthly_ratings_save,
)

COUNTY_NAME = "青溪县委"
BRANCH_NAME = "东街社区党支部"


def _secretary(org: Organization):
    position = (
        Position.objects.filter(organization=org, kind=Position.Kind.SECRETARY)
        .select_related("user")
        .first()
    )
    return position.user if position else None


def _rate_month(rng: random.Random, org: Organization, by, year: int, month: int) -> None:
    page = month_page(org, year, month)
    changes = []
    for row in page.rows:
        # 践诺进度, 记实, 群众反映: no record this month costs the 记实 grade.
        progress = rng.choice(["good", "good", "fairly_good", "average"])
        record = "average" if row.no_record else rng.choice(["good", "fairly_good"])
        people = rng.choice(["good", "fairly_good", "fairly_good"])
        grades = [progress, record, people][: len(page.criteria)]
        grades += ["fairly_good"] * (len(page.criteria) - len(grades))
        changes.append(RatingChange(row.member, None, {"grades": grades, "version": 0}))
    monthly_ratings_save(by=by, organization=org, year=year, month=month, changes=changes)
    sheet = MonthlyRatingSheet.objects.get(organization=org, year=year, month=month)
    monthly_rating_sheet_publish(by=by, sheet=sheet)


def seed_monthly_ratings(*, scale: str, stdout) -> None:
    if scale != "county":
        return
    root = Organization.objects.get_root_nodes().filter(name=COUNTY_NAME).first()
    if root is None:
        return
    branch = Organization.objects.filter(path__startswith=root.path, name=BRANCH_NAME).first()
    by = _secretary(branch) if branch else None
    if by is None:
        return
    rng = random.Random(15)
    today = timezone.localdate()
    if not MonthlyRatingSheet.objects.filter(organization=branch).exists():
        last = previous_month(today.year, today.month)
        for year, month in (previous_month(*last), last):
            _rate_month(rng, branch, by, year, month)
        stdout.write(f"每月评比: {BRANCH_NAME} 两个月已公布")
    if not DutyReport.objects.filter(organization=branch).exists():
        report = duty_report_save(
            by=by,
            organization=branch,
            year=today.year,
            text=draft_text(branch, None, today.year),
            version=0,
        )
        report = duty_report_submit(by=by, report=report)
        duty_report_tally_record(
            by=by,
            report=report,
            audience=DutyReportTally.Audience.MEMBERS,
            held_on=today - datetime.timedelta(days=1),
            counts={"good": 21, "fairly_good": 9, "average": 2, "poor": 0},
            version=0,
        )
        stdout.write(f"述职: {BRANCH_NAME}书记述职已提交，党员群众测评已录入")


def reset_monthly_ratings(*, org_paths: list[str]) -> None:
    """`seed_demo --reset`: ratings and reports protect members and organizations."""
    q = NOTHING
    for path in org_paths:
        q |= Q(organization__path__startswith=path)
    MonthlyRating.objects.filter(sheet__in=MonthlyRatingSheet.objects.filter(q)).delete()
    MonthlyRatingSheet.objects.filter(q).delete()
    DutyReport.objects.filter(q).delete()
