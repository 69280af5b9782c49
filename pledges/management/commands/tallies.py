"""`manage.py tallies --check | --rebuild`: recount every counter row from the rows."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from pledges import tallies
from pledges.models import Tally

SHOWN = 20


class Command(BaseCommand):
    help = (
        "Recount the counter rows (pledges.tallies, own and subtree) from the rows and report "
        "any difference."
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument(
            "--check", action="store_true", help="report differences, exit 1 if any"
        )
        action.add_argument("--rebuild", action="store_true", help="replace the wrong counters")

    def handle(self, *args, check: bool, rebuild: bool, **options):
        if rebuild:
            changed = tallies.rebuild(report=self.show)
            self.stdout.write(f"rebuilt: {changed} counter rows changed")
            return
        diff = tallies.differences()
        self.show(diff)
        if diff:
            raise CommandError(f"{len(diff)} counter rows differ from a recount")
        self.stdout.write("counters match a recount")

    def show(self, diff: dict) -> None:
        for (scope, org_id, year, period, kind, key), (have, want) in sorted(diff.items())[:SHOWN]:
            where = "subtree" if scope == Tally.SUBTREE else "own"
            self.stdout.write(
                f"organization {org_id} ({where}) {year}/{period} {kind}:{key} "
                f"stored {have}, counted {want}"
            )
        if len(diff) > SHOWN:
            self.stdout.write(f"… and {len(diff) - SHOWN} more")
