"""Counter rows: each figure the dashboard and the office's pages show, per organization and
period, kept by pledges.tallies in the writer's transaction: an organization's own rows, and
its subtree's (rolled up: itself and everything under it)."""

from __future__ import annotations

from django.db import models

from .organization import Organization


class Tally(models.Model):
    """n rows of `kind` (and `key`: a state, a grade, a deadline…) in one organization's own
    level (scope OWN) or in its whole subtree (scope SUBTREE) in a year (0: not by year) and a
    period of it (a quarter, a half; 0: none)."""

    OWN = "o"
    SUBTREE = "s"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    # The organization's path, copied: a page's rows name their child without a join.
    path = models.CharField(max_length=255)
    scope = models.CharField(max_length=1, default=OWN)
    year = models.PositiveSmallIntegerField()
    period = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=32)
    key = models.CharField(max_length=64, blank=True)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index every read uses: an organization's (or its children's) rows of
            # some kinds in a year.
            models.UniqueConstraint(
                fields=["organization", "scope", "kind", "year", "period", "key"],
                name="tally_unique_scope",
            )
        ]

    def __str__(self) -> str:
        return f"{self.path}/{self.scope} {self.year}/{self.period} {self.kind}:{self.key}={self.n}"
