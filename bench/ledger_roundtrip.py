#!/usr/bin/env python
"""The office's Excel comes back unchanged, at city scale (issue 13 §5): for random branches of
an existing city database, the branch secretary's 承诺践诺台账 (pledges/ledgers/pledge.py) is
uploaded again through 导入承诺 (pledges/services/pledge_import.py), as exported and then with one
cell of each editable column changed on a pledge the secretary may still edit.

As exported, the import must change nothing and say so (every row counted unchanged); with one
cell edited it must change exactly that field of that pledge (and bump its version) and list
it, and nothing else in the book. Each branch runs inside a transaction that is rolled back
(a draft is added there where a branch has none to edit), so the database is left as it was.
Prints one line per failing case, then a summary with the export and import times; exits 1 on
any failure. The database must already hold the city (`seed_demo --scale city`, or a smaller
`seed_demo --branches N`); this script never seeds it. See bench/README.md.

    DATABASE_URL=postgres://.../pb_city .venv/bin/python bench/ledger_roundtrip.py \
        [--branches 50] [--seed 1] [--year YYYY]
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "DATABASE_URL" not in os.environ:
    sys.exit("bench/ledger_roundtrip.py needs DATABASE_URL: an existing city database")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from pledges.ledgers import pledge as ledger  # noqa: E402
from pledges.models import Organization, Pledge, Position  # noqa: E402
from pledges.rules.pledge_content import PledgeContent  # noqa: E402
from pledges.services.pledge import pledge_create  # noqa: E402
from pledges.services.pledge_import import pledges_import  # noqa: E402

EDITABLE = ("kind", "title", "measures", "deadline", "expected_result")
HEADERS = {
    "kind": "承诺类别",
    "title": "承诺事项",
    "measures": "践诺措施",
    "deadline": "完成时限",
    "expected_result": "预期效果",
}
KIND_LABELS = {v: str(label) for v, label in Pledge.Kind.choices}
STATE = ("id", "edit_version", "status", *EDITABLE)


class Rollback(Exception):
    """Leaves the branch's transaction, undoing whatever the run wrote."""


def book(org: Organization) -> dict[int, tuple]:
    rows = Pledge.objects.filter(owner_org__path__startswith=org.path).values_list(*STATE)
    return {row[0]: row for row in rows}


def export(user, org: Organization, year: int) -> tuple[bytes, float]:
    out = io.BytesIO()
    start = time.perf_counter()
    ledger.write_pledge_ledger(out, user=user, org=org, period=ledger.Period(year))
    return out.getvalue(), time.perf_counter() - start


def upload(user, org: Organization, data: bytes, year: int):
    file = SimpleUploadedFile("台账.xlsx", data)
    start = time.perf_counter()
    result = pledges_import(org=org, by=user, file=file, year=year)
    return result, time.perf_counter() - start


def edit_cell(data: bytes, pledge_id: int, key: str, value) -> tuple[bytes, int]:
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    header = {cell.value: cell.column for cell in sheet[2]}
    for row in sheet.iter_rows(min_row=3):
        if row[header["编号"] - 1].value == pledge_id:
            row[header[HEADERS[key]] - 1].value = value
            out = io.BytesIO()
            workbook.save(out)
            return out.getvalue(), row[0].row
    raise LookupError(f"pledge {pledge_id} is not in the ledger")


def new_value(pledge: Pledge, key: str):
    """(what a person types in the cell, what the book should then hold)."""
    if key == "kind":
        other = next(v for v in Pledge.Kind.values if v != pledge.kind)
        return KIND_LABELS[other], other
    if key == "deadline":
        day = datetime.date(pledge.year, 12, 30)
        value = day if pledge.deadline != day else day - datetime.timedelta(days=1)
        return value, value
    value = getattr(pledge, key) + "（台账中改过）"
    return value, value


def editable_pledge(user, org: Organization, year: int) -> Pledge:
    """A pledge of the branch its secretary may still edit; a draft is added if none."""
    rows = ledger.ledger_rows(user, org, year)
    ids = rows.filter(status__in=Pledge.EDITABLE_STATUSES).values_list("id", flat=True)[:1]
    found = Pledge.objects.filter(pk__in=list(ids)).first()
    if found is not None:
        return found
    content = PledgeContent(
        kind=Pledge.Kind.SERVICE,
        title="台账往返用的承诺",
        measures="每月走访",
        deadline=datetime.date(year, 11, 30),
        expected_result="群众满意",
    )
    return pledge_create(by=user, owner_org=org, content=content, year=year)


def errors(result) -> str:
    return "; ".join(str(e) for e in result.errors[:3])


def run_branch(org: Organization, user, year: int, times: dict, failures: list) -> int:
    """The branch's round trips; the number of ledger rows."""
    data, seconds = export(user, org, year)
    times["export"].append(seconds)
    before = book(org)
    result, seconds = upload(user, org, data, year)
    times["import"].append(seconds)
    count = result.rows
    if not (result.ok and result.changes_nothing and result.unchanged == result.rows):
        failures.append(f"{org.pk} {org.name}: as exported: {errors(result) or result}")
    if book(org) != before:
        failures.append(f"{org.pk} {org.name}: as exported, the book changed")
    pledge = editable_pledge(user, org, year)
    data, _seconds = export(user, org, year)
    before = book(org)
    for key in EDITABLE:
        typed, stored = new_value(pledge, key)
        changed, number = edit_cell(data, pledge.pk, key, typed)
        label = str(Pledge._meta.get_field(key).verbose_name)
        try:
            with transaction.atomic():
                result, seconds = upload(user, org, changed, year)
                after = book(org)
                raise Rollback
        except Rollback:
            pass
        times["import_edited"].append(seconds)
        said = [(n, p.pk, fields) for n, p, fields in result.updated]
        expected = list(before[pledge.pk])
        expected[STATE.index(key)], expected[1] = stored, expected[1] + 1
        others_before = {k: v for k, v in before.items() if k != pledge.pk}
        others_after = {k: v for k, v in after.items() if k != pledge.pk}
        if not result.ok or said != [(number, pledge.pk, [label])]:
            failures.append(f"{org.pk} {org.name}: {key}: {errors(result) or said}")
        elif after[pledge.pk] != tuple(expected) or others_after != others_before:
            failures.append(f"{org.pk} {org.name}: {key}: changed more or less than the cell")
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--branches", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", type=int, default=timezone.localdate().year)
    args = parser.parse_args()
    secretaries = {
        p.organization_id: p.user
        for p in Position.objects.filter(
            kind=Position.Kind.SECRETARY, organization__level=Organization.Level.BRANCH
        ).select_related("user")
    }
    if not secretaries:
        sys.exit("no branch secretaries in this database: seed the city first")
    chosen = random.Random(args.seed).sample(
        sorted(secretaries), min(args.branches, len(secretaries))
    )
    times: dict[str, list[float]] = {"export": [], "import": [], "import_edited": []}
    failures: list[str] = []
    rows = 0
    start = time.perf_counter()
    for org in Organization.objects.filter(pk__in=chosen).order_by("path"):
        try:
            with transaction.atomic():
                rows += run_branch(org, secretaries[org.pk], args.year, times, failures)
                raise Rollback
        except Rollback:
            pass
    for line in failures:
        print("FAIL", line)
    cases = len(chosen) * (1 + len(EDITABLE))
    ms = {k: round(statistics.median(v) * 1000) if v else 0 for k, v in times.items()}
    print(
        f"ledger round trip: {len(chosen)} branches (seed {args.seed}), {rows:,} ledger rows, "
        f"{cases - len(failures)}/{cases} cases as expected (as exported: nothing changed; "
        f"one cell edited in each of {len(EDITABLE)} columns: exactly that field); median "
        f"export {ms['export']} ms, import {ms['import']} ms, edited import "
        f"{ms['import_edited']} ms; {time.perf_counter() - start:.0f} s in all"
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
