"""`manage.py send_reminders [--kind KIND] [--date YYYY-MM-DD] [--dry-run]`: the beat's reminder
runs by hand, with what each did. `--help` lists the kinds."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.notifications import reminders


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("日期格式应为 YYYY-MM-DD：%(value)s") % {"value": value}) from None


class Command(BaseCommand):
    help = gettext_noop("按提醒规则发送提醒（默认今天、全部类别）")

    def add_arguments(self, parser):
        # The registered kinds, so `--help` shows what --kind takes (rules register at startup).
        parser.add_argument(
            "--kind",
            action="append",
            metavar="KIND",
            help=f"提醒类别，可重复；默认全部。可用：{', '.join(reminders.kinds())}",
        )
        parser.add_argument("--date", help="按哪一天运行（YYYY-MM-DD，默认今天，北京时间）")
        parser.add_argument("--dry-run", action="store_true", help="只统计，不写入、不发送")

    def handle(self, *args, kind: list[str] | None, date: str | None, dry_run: bool, **options):
        day = _date(date) if date else timezone.localdate()
        known = reminders.kinds()
        chosen = kind or known
        unknown = sorted(set(chosen) - set(known))
        if unknown:
            raise CommandError(
                _("没有这种提醒：%(unknown)s（可用：%(known)s）")
                % {"unknown": ", ".join(unknown), "known": ", ".join(known)}
            )
        self.stdout.write(_("提醒日期：%(day)s") % {"day": day.isoformat()})
        for name in chosen:
            if dry_run:
                report = reminders.reminders_dry_run(kind=name, day=day)
            else:
                report = reminders.reminders_send(kind=name, day=day)
            self.stdout.write(f"[{name}]")
            for line in report.lines():
                self.stdout.write(f"  {line}")
