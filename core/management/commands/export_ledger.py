"""`python manage.py export_ledger KIND --org ORG_ID --period PERIOD --out FILE.xlsx`: the same
export the pages start, built here and now, with a progress bar on stderr.

The kind is looked up in core.exports' registry (the domain apps register theirs), so core names
no domain app. The rows are those the user given by --user may see (default: the first active
superuser), and the same permission check as the pages applies.
"""

from __future__ import annotations

import os
import tempfile
import time
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.errors import TransitionError
from core.exports import registry

BAR_WIDTH = 30
# Redrawn at most this often: a city ledger reports every 1,000 rows.
REDRAW_SECONDS = 0.2


class ProgressBar:
    """`progress(done, total)` for a builder, drawn on one line of `stream`."""

    def __init__(self, stream, label: str):
        self.stream, self.label = stream, label
        self.done, self.total = 0, None
        self._drawn_at = float("-inf")

    def __call__(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        now = time.monotonic()
        if now - self._drawn_at >= REDRAW_SECONDS:
            self._drawn_at = now
            self.draw()

    def draw(self) -> None:
        if self.total:
            filled = min(BAR_WIDTH, self.done * BAR_WIDTH // self.total)
            percent = min(100, self.done * 100 // self.total)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            text = f"\r{self.label} [{bar}] {percent:3d}% {self.done}/{self.total}"
        else:
            text = f"\r{self.label} {self.done}"
        self.stream.write(text, ending="")
        self.stream.flush()

    def finish(self) -> None:
        self.draw()
        self.stream.write("")


class Command(BaseCommand):
    help = "Build a ledger export (e.g. pledges, reviews, rectification, evaluation, grades)."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="the export's kind, as registered")
        parser.add_argument("--org", required=True, help="organization id")
        parser.add_argument("--period", required=True, help="2026, 2026H1 or 2026Q3")
        parser.add_argument("--out", required=True, help="the .xlsx file to write")
        parser.add_argument("--user", help="whose view of the data (default: a superuser)")

    def handle(self, *args, kind: str, org: str, period: str, out: str, user=None, **options):
        entry = registry.get(kind)
        if entry is None:
            raise CommandError(f"没有这种导出：{kind}")
        requester = self._user(user)
        try:
            params = entry.clean_params({"org": org, "period": period})
        except TransitionError as e:
            raise CommandError(str(e)) from e
        if not entry.permission(requester, params):
            raise CommandError(f"{requester.get_username()} 无权导出这些数据")
        title = entry.title_for(params)
        # What a builder reads from its job: params, requester and title.
        job = SimpleNamespace(pk=None, kind=kind, params=params, requester=requester, title=title)
        bar = ProgressBar(self.stderr, title)
        target = os.path.abspath(out)
        # Written next to the target and renamed: a failed run leaves no half file behind.
        fd, partial = tempfile.mkstemp(suffix=".xlsx", dir=os.path.dirname(target))
        try:
            with os.fdopen(fd, "w+b") as f:
                rows = entry.builder(job, f, bar)
            os.replace(partial, target)
        except BaseException:
            os.unlink(partial)
            raise
        bar.finish()
        count = rows if isinstance(rows, int) else bar.done
        self.stdout.write(f"{title}：{count} 行 → {target}")

    @staticmethod
    def _user(username: str | None):
        users = get_user_model().objects.filter(is_active=True)
        if username:
            found = users.filter(username=username).first()
            if found is None:
                raise CommandError(f"没有这个用户：{username}")
            return found
        found = users.filter(is_superuser=True).order_by("pk").first()
        if found is None:
            raise CommandError("没有可用的超级用户，请用 --user 指定")
        return found
