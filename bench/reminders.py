#!/usr/bin/env python
"""Reminder rules at city scale: the monthly and quarterly runs on an existing city database.

Times each rule twice: the first run (the rule's queries, the batch insert, delivery by email
through Django's locmem backend) and a second that finds every reminder stored and sends
nothing. The database must already hold the city (`seed_demo --scale city`); this script never
seeds it. See bench/README.md. The target: a quarterly run under 60 s.

    DATABASE_URL=postgres://.../pb_city .venv/bin/python bench/reminders.py \
        [--date YYYY-MM-DD] [--fresh]

`--fresh` first deletes the notifications these runs would create (their kinds and periods),
so the first run starts from nothing; use it on a bench database only.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "DATABASE_URL" not in os.environ:
    sys.exit(
        "bench/reminders.py needs DATABASE_URL: an existing city database (seed_demo --scale city)"
    )

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection  # noqa: E402

from core.notifications import preferences, reminders  # noqa: E402
from core.notifications.models import Notification  # noqa: E402
from pledges.models import Member, Pledge  # noqa: E402
from reviews.models import Quarter  # noqa: E402

MONTHLY = ["monthly_progress"]
QUARTERLY = ["review_owed", "self_evaluation_owed"]
LAST_CALL = ["review_owed_last", "self_evaluation_owed_last"]


def timed(kind: str, day: datetime.date) -> None:
    start, cpu = time.perf_counter(), time.process_time()
    items = reminders.reminders_due(kind=kind, day=day)
    rule_s = time.perf_counter() - start
    report = reminders.reminders_send(kind=kind, day=day)
    total_s, cpu_s = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"  {kind:28} {day}  rule {rule_s:6.1f} s, whole run {total_s:6.1f} s "
        f"(CPU {cpu_s:5.1f} s), {len(items):,} due, {len(mail.outbox):,} emails"
    )
    for line in report.lines():
        print(f"      {line}")
    mail.outbox = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", help="the month and quarter to run (default today)")
    parser.add_argument("--fresh", action="store_true", help="delete earlier bench notifications")
    args = parser.parse_args()
    today = datetime.date.fromisoformat(args.date) if args.date else datetime.date.today()
    quarter = Quarter.of(today)
    monthly_day = today.replace(day=25)
    quarterly_day = quarter.end.replace(day=1)
    last_day = quarter.end - datetime.timedelta(days=3)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATION_CHANNELS = ["core.notifications.channels.Email"]
    # Measure sending at once, as before the daily digest became email's default.
    preferences.DEFAULT_DIGEST = frozenset()
    mail.outbox = []
    if args.fresh:
        deleted, _ = Notification.objects.filter(
            kind__in=MONTHLY + QUARTERLY + LAST_CALL,
            period__in=[f"{monthly_day:%Y-%m}", quarter.code],
        ).delete()
        print(f"deleted {deleted:,} earlier rows")
    print(
        f"database: {connection.vendor}; {Member.objects.count():,} members, "
        f"{Member.objects.filter(user__isnull=False).count():,} with a login, "
        f"{Pledge.objects.filter(status__in=Pledge.RUNNING_STATUSES).count():,} running pledges"
    )
    for label, kinds, day in (
        ("monthly (一月一提醒)", MONTHLY, monthly_day),
        ("quarterly (一季一点评, 先报后评)", QUARTERLY, quarterly_day),
        ("quarterly last call", LAST_CALL, last_day),
    ):
        for attempt in ("first run", "second run"):
            start = time.perf_counter()
            print(f"{label}, {attempt}:")
            for kind in kinds:
                timed(kind, day)
            print(f"  total {time.perf_counter() - start:.1f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB (the locmem outbox keeps every message)")


if __name__ == "__main__":
    main()
