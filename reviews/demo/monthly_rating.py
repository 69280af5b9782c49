"""Demo data of 每月评比 and 述职; run by `seed_demo`.

- county: 东街社区党支部: the last two months rated by its secretary and published (the public
  page shows the latest), the grades leaning on each member's 记实 of the month as a secretary
  would; the secretary's 述职 of this year handed in, with the members' 测评 entered and the
  committee's still to come (the town office is told). Through the services; idempotent: a
  branch that has sheets or a report is left alone.
- small / city / province: bulk rows for the benchmark: the last two finished months of every
  branch with a secretary, each member rated by him on the criteria in force; the earlier month
  published everywhere, the latest in most branches. No notifications (the data set only needs
  shape and size); monthly ratings feed no counter rows. Idempotent: nothing is added under a
  city that has any sheet.
"""

from __future__ import annotations

import datetime
import random
import time

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import NOTHING
from core.db import analyse
from pledges.demo import bulk_roots
from pledges.models import Member, Organization, Position

from ..models import (
    DEFAULT_CRITERIA,
    DutyReport,
    DutyReportTally,
    Grade,
    MonthlyRating,
    MonthlyRatingSheet,
    RatingCriteria,
    overall_grade,
)
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
        _seed_bulk(scale, stdout)
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


# --- small, city and province: bulk -----------------------------------------------------------

SEED = 2028
BULK = 2000
# Branches whose sheets are written at once (their ratings follow in batches of BULK).
BRANCH_CHUNK = 500
GRADE_WEIGHTS = {Grade.GOOD: 45, Grade.FAIRLY_GOOD: 35, Grade.AVERAGE: 15, Grade.POOR: 5}
# Share of branches that published the latest month (the earlier one is published everywhere).
LATEST_PUBLISHED = 0.85


def _seed_bulk(scale: str, stdout) -> None:
    filled = False
    for i, root in enumerate(bulk_roots(scale)):
        if MonthlyRatingSheet.objects.filter(organization__path__startswith=root.path).exists():
            stdout.write(_("每月评比演示数据已存在，未重复生成"))
            continue
        started = time.monotonic()
        sheets, ratings = bulk_monthly_ratings(random.Random(SEED + i), root)
        filled = True
        done = _("每月评比：%(sheets)d 张评比表，%(ratings)d 名党员次（%(s).1f 秒）")
        stdout.write(done % {"sheets": sheets, "ratings": ratings, "s": time.monotonic() - started})
    if filled:
        analyse(MonthlyRatingSheet, MonthlyRating)


def _criteria_by_branch(root: Organization, branch_paths: dict[int, str]) -> dict[int, list[str]]:
    """Each branch's criteria as `criteria_for` finds them (the nearest organization at or above
    that set some, else the default), from one query for the whole tree."""
    above = Q(organization__path__startswith=root.path) | Q(
        organization__path__in=root.ancestor_paths()
    )
    names_at = dict(RatingCriteria.objects.filter(above).values_list("organization__path", "names"))
    default = [str(c) for c in DEFAULT_CRITERIA]
    step = Organization.steplen
    result = {}
    for org_id, path in branch_paths.items():
        own_and_above = (path[:i] for i in range(len(path), 0, -step))
        result[org_id] = next((list(names_at[p]) for p in own_and_above if p in names_at), default)
    return result


def _grade_pool(rng: random.Random, criteria: int) -> list[tuple[list[str], str]]:
    """Lines of grades drawn once per criteria count (with their overall grade): picking one per
    member keeps a city's few hundred thousand lines quick."""
    grades, weights = list(GRADE_WEIGHTS), list(GRADE_WEIGHTS.values())
    pool = []
    for _n in range(64):
        line = [str(g) for g in rng.choices(grades, weights, k=criteria)]
        pool.append((line, overall_grade(line)))
    return pool


@transaction.atomic
def bulk_monthly_ratings(rng: random.Random, root: Organization) -> tuple[int, int]:
    """The last two finished months of every branch under `root` that has a secretary: one sheet
    per month, every member of the branch rated by the secretary. Returns (sheets, ratings)."""
    today = timezone.localdate()
    now = timezone.now()
    latest = previous_month(today.year, today.month)
    months = (previous_month(*latest), latest)
    secretary_of = dict(
        Position.objects.filter(
            organization__path__startswith=root.path,
            organization__level=Organization.Level.BRANCH,
            kind=Position.Kind.SECRETARY,
        )
        .order_by("id")
        .values_list("organization_id", "user_id")
    )
    branch_paths = dict(
        Organization.objects.filter(pk__in=secretary_of.keys())
        .order_by("path")
        .values_list("id", "path")
    )
    criteria_of = _criteria_by_branch(root, branch_paths)
    members_of: dict[int, list[int]] = {org_id: [] for org_id in branch_paths}
    members = Member.objects.filter(organization_id__in=branch_paths.keys()).order_by("id")
    for member_id, org_id in members.values_list("id", "organization_id").iterator(chunk_size=BULK):
        members_of[org_id].append(member_id)
    pools: dict[int, list] = {}
    sheet_count = rating_count = 0
    branch_ids = [org_id for org_id in branch_paths if members_of[org_id]]
    for start in range(0, len(branch_ids), BRANCH_CHUNK):
        sheets = []
        for org_id in branch_ids[start : start + BRANCH_CHUNK]:
            by = secretary_of[org_id]
            for year, month in months:
                published = (year, month) != latest or rng.random() < LATEST_PUBLISHED
                sheets.append(
                    MonthlyRatingSheet(
                        organization_id=org_id,
                        year=year,
                        month=month,
                        criteria=criteria_of[org_id],
                        created_by_id=by,
                        published_at=now if published else None,
                        published_by_id=by if published else None,
                    )
                )
        # The database returns the new ids (PostgreSQL, SQLite 3.35+) for the ratings to use.
        MonthlyRatingSheet.objects.bulk_create(sheets, batch_size=BULK)
        sheet_count += len(sheets)
        ratings = []
        for sheet in sheets:
            by = sheet.created_by_id
            if len(sheet.criteria) not in pools:
                pools[len(sheet.criteria)] = _grade_pool(rng, len(sheet.criteria))
            pool = pools[len(sheet.criteria)]
            for member_id in members_of[sheet.organization_id]:
                grades, grade = rng.choice(pool)
                ratings.append(
                    MonthlyRating(
                        sheet_id=sheet.pk,
                        member_id=member_id,
                        grades=grades,
                        grade=grade,
                        edited_by_id=by,
                        edited_at=now,
                    )
                )
            if len(ratings) >= BULK:
                MonthlyRating.objects.bulk_create(ratings, batch_size=BULK)
                rating_count += len(ratings)
                ratings = []
        MonthlyRating.objects.bulk_create(ratings, batch_size=BULK)
        rating_count += len(ratings)
    return sheet_count, rating_count


def reset_monthly_ratings(*, org_paths: list[str]) -> None:
    """`seed_demo --reset`: ratings and reports protect members and organizations."""
    q = NOTHING
    for path in org_paths:
        q |= Q(organization__path__startswith=path)
    MonthlyRating.objects.filter(sheet__in=MonthlyRatingSheet.objects.filter(q)).delete()
    MonthlyRatingSheet.objects.filter(q).delete()
    DutyReport.objects.filter(q).delete()
