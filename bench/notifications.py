#!/usr/bin/env python
"""Notifications at city scale: 56,000 reminders to 56,000 users with an email address.

Creates the users (once), then times one run of `notifications_send` — the batch insert, then
delivery by email (Django's locmem backend: the messages are built, not sent) — and a second
run that finds everything there and sends nothing. See bench/README.md.

    .venv/bin/python bench/notifications.py [--users 56000]
    DATABASE_URL=postgres://... .venv/bin/python bench/notifications.py

Without DATABASE_URL it uses its own SQLite file (/tmp/pb_notifications.sqlite3), never the
development database.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = "sqlite:////tmp/pb_notifications.sqlite3"
    os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from core.notifications import sending  # noqa: E402
from core.notifications.models import Delivery, Notification  # noqa: E402
from core.notifications.services import NotificationItem  # noqa: E402

User = get_user_model()


def ensure_users(count: int) -> list[int]:
    have = User.objects.filter(username__startswith="bench-").count()
    if have < count:
        User.objects.bulk_create(
            [
                User(
                    username=f"bench-{i}",
                    email=f"bench-{i}@example.cn",
                    password="!",  # unusable: these users never log in
                )
                for i in range(have, count)
            ],
            batch_size=2000,
        )
    return list(
        User.objects.filter(username__startswith="bench-")
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=56_000)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATION_CHANNELS = ["core.notifications.channels.Email"]
    mail.outbox = []
    user_ids = ensure_users(args.users)
    # Start from an empty inbox: earlier runs' notifications would be retried or counted.
    Delivery.objects.filter(notification__recipient__username__startswith="bench-").delete()
    Notification.objects.filter(recipient__username__startswith="bench-").delete()
    # A period of its own each time, so every run starts with 56,000 new reminders.
    period = uuid.uuid4().hex[:12]
    items = [
        NotificationItem(
            recipient_id=pk,
            kind="monthly_progress",
            subject_key=f"member:{pk}",
            period=period,
            title="本月尚未记实",
            body="您有进行中的承诺本月尚未记实，请及时记录践诺情况。",
            link=f"/members/{pk}/",
        )
        for pk in user_ids
    ]

    start, cpu = time.perf_counter(), time.process_time()
    first = sending.notifications_send(items=items)
    first_s, first_cpu = time.perf_counter() - start, time.process_time() - cpu
    sent = len(mail.outbox)
    mail.outbox = []

    start, cpu = time.perf_counter(), time.process_time()
    second = sending.notifications_send(items=items)
    second_s, second_cpu = time.perf_counter() - start, time.process_time() - cpu

    print(f"database: {connection.vendor}; {len(user_ids):,} users with an email address")
    # CPU time too: on a shared machine the wall clock also counts other processes' turns.
    print(f"first run:  {first_s:6.1f} s, CPU {first_cpu:5.1f} s  ({sent:,} emails built)")
    for line in first.lines():
        print(f"    {line}")
    print(f"second run: {second_s:6.1f} s, CPU {second_cpu:5.1f} s  ({len(mail.outbox):,} emails)")
    for line in second.lines():
        print(f"    {line}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB (the locmem outbox keeps every message)")
    print(f"notifications in the database: {Notification.objects.count():,}")


if __name__ == "__main__":
    main()
