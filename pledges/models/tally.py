"""Counter rows: each figure the dashboard and the office's pages show, per leaf organization
and period, kept by pledges.tallies in the writer's transaction."""

from __future__ import annotations

from django.db import models

from .organization import Organization


class Tally(models.Model):
    """n rows of `kind` (and `key`: a state, a grade, a deadline…) under one organization in a
    year (0: not by year) and a period of it (a quarter, a half; 0: none)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    # The organization's path, copied: a subtree's figure is one indexed range of the
    # (kind, year, path) index, without a join.
    path = models.CharField(max_length=255)
    year = models.PositiveSmallIntegerField()
    period = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=32)
    key = models.CharField(max_length=64, blank=True)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "period", "kind", "key"], name="tally_unique"
            )
        ]
        indexes = [
            # PostgreSQL answers `path LIKE 'prefix%'` from a btree only with the pattern
            # operator classes (other databases ignore opclasses).
            models.Index(
                fields=["kind", "year", "path"],
                name="tally_kind_year_path",
                opclasses=["varchar_pattern_ops", "int2_ops", "varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.path} {self.year}/{self.period} {self.kind}:{self.key}={self.n}"
