"""What reports, reviews and rectification items are about: a subject (an organization, its
secretary or a member) in a quarter, and the one grading scale.

A subject is an organization, its secretary (the organization plus kind "secretary") or a
member. `organization` is always set (a member's branch for member subjects) so every subtree
query is one prefix match on the organization path; `subject_key` ("o:12", "s:12", "m:345",
read and written by `SubjectKey` only) names the subject in one column for unique constraints,
for matching rows in selectors and in the query strings of the pages.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pledges.models import Member, Organization
from pledges.roles import Roles

__all__ = [
    "Quarter",
    "SubjectKind",
    "Subject",
    "SubjectKey",
    "Grade",
    "DUE_SOON_DAYS",
    "subject_key_for",
]


# A review owed for a quarter is "due soon" this many days before the quarter ends and
# "overdue" once the quarter has ended ("一季一点评": the review belongs to its quarter).
DUE_SOON_DAYS = 15


def subtree_q(roles: Roles, lookup: str = "organization__path") -> Q:
    """Rows under any of the user's positions (NOTHING without one)."""
    return roles.within(lookup)


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter; stored on rows as two small integers (year, quarter)."""

    year: int
    quarter: int

    @classmethod
    def of(cls, day: datetime.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def current(cls) -> Quarter:
        return cls.of(timezone.localdate())

    @classmethod
    def parse(cls, code: str | None, default: Quarter | None = None) -> Quarter:
        """'2026Q3' → Quarter(2026, 3); anything malformed gives the default (or current)."""
        try:
            year, q = (code or "").upper().split("Q")
            result = cls(int(year), int(q))
        except ValueError:
            return default or cls.current()
        if not (2000 <= result.year <= 2100 and 1 <= result.quarter <= 4):
            return default or cls.current()
        return result

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def label(self) -> str:
        return _("%(year)d年第%(q)d季度") % {"year": self.year, "q": self.quarter}

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> datetime.date:
        nxt = self.next()
        return datetime.date(nxt.year, 3 * nxt.quarter - 2, 1) - datetime.timedelta(days=1)

    def next(self) -> Quarter:
        if self.quarter == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.quarter + 1)

    def prev(self) -> Quarter:
        if self.quarter == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.quarter - 1)

    def is_ended(self, today: datetime.date | None = None) -> bool:
        return (today or timezone.localdate()) > self.end

    def is_due_soon(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return not self.is_ended(today) and (self.end - today).days < DUE_SOON_DAYS

    def __str__(self) -> str:
        return str(self.label)


class SubjectKind(models.TextChoices):
    ORGANIZATION = "organization", _("党组织")
    SECRETARY = "secretary", _("党组织书记")
    MEMBER = "member", _("党员")


@dataclass(frozen=True)
class SubjectKey:
    """A subject named by kind and id, as it travels in a query string and in the
    `subject_key` column: "o:12" (organization 12), "s:12" (its secretary), "m:345" (member 345).
    `parse` is the one reader; `str()` the one writer."""

    kind: str  # a SubjectKind
    pk: int

    PREFIXES = {
        SubjectKind.ORGANIZATION: "o",
        SubjectKind.SECRETARY: "s",
        SubjectKind.MEMBER: "m",
    }
    # More digits than any id: a longer key is malformed, never a database error.
    MAX_DIGITS = 12

    @classmethod
    def parse(cls, raw: str | None) -> SubjectKey:
        """'o:12' → SubjectKey(ORGANIZATION, 12); ValueError (with a Chinese message) else."""
        prefix, _sep, digits = (raw or "").partition(":")
        kinds = {p: kind for kind, p in cls.PREFIXES.items()}
        # isascii: str.isdigit() also accepts '²' and other digits int() refuses.
        if prefix not in kinds or not (
            digits.isascii() and digits.isdigit() and len(digits) <= cls.MAX_DIGITS
        ):
            raise ValueError(_("点评对象参数有误"))
        return cls(kinds[prefix], int(digits))

    @classmethod
    def of(cls, kind: str, organization_id: int, member_id: int | None = None) -> SubjectKey:
        return cls(kind, member_id if kind == SubjectKind.MEMBER else organization_id)

    def __str__(self) -> str:
        return f"{self.PREFIXES[self.kind]}:{self.pk}"


def subject_key_for(kind: str, organization_id: int, member_id: int | None = None) -> str:
    return str(SubjectKey.of(kind, organization_id, member_id))


@dataclass(frozen=True)
class Subject:
    """Whom a report, review or rectification item is about."""

    kind: str
    organization: Organization
    member: Member | None = None

    @classmethod
    def of(cls, row: SubjectFields) -> Subject:
        return cls(row.subject_kind, row.organization, row.member)

    @property
    def key(self) -> str:
        return subject_key_for(
            self.kind, self.organization.pk, self.member.pk if self.member else None
        )

    @property
    def name(self) -> str:
        if self.kind == SubjectKind.MEMBER:
            return self.member.name
        if self.kind == SubjectKind.SECRETARY:
            return _("%(org)s书记") % {"org": self.organization.name}
        return self.organization.name

    @property
    def kind_label(self) -> str:
        return str(SubjectKind(self.kind).label)

    def fields(self) -> dict:
        """Keyword arguments for a row's subject columns."""
        return {
            "subject_kind": self.kind,
            "organization": self.organization,
            "member": self.member,
            "subject_key": self.key,
        }


class SubjectFields(models.Model):
    subject_kind = models.CharField(_("点评对象类别"), max_length=20, choices=SubjectKind.choices)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("党组织")
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("党员"),
    )
    subject_key = models.CharField(_("对象键"), max_length=24, editable=False, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.subject_key = subject_key_for(self.subject_kind, self.organization_id, self.member_id)
        super().save(*args, **kwargs)

    @property
    def subject(self) -> Subject:
        return Subject.of(self)

    @property
    def subject_name(self) -> str:
        return Subject.of(self).name

    @property
    def quarter_obj(self) -> Quarter:
        return Quarter(self.year, self.quarter)


def _subject_checks(prefix: str) -> list[models.CheckConstraint]:
    """Exactly the right foreign keys for the kind; the key column agrees with the kind."""
    return [
        models.CheckConstraint(
            condition=(
                Q(subject_kind=SubjectKind.MEMBER, member__isnull=False)
                | Q(
                    subject_kind__in=[SubjectKind.ORGANIZATION, SubjectKind.SECRETARY],
                    member__isnull=True,
                )
            ),
            name=f"{prefix}_subject_fk_matches_kind",
        ),
        models.CheckConstraint(
            condition=Q(quarter__gte=1, quarter__lte=4), name=f"{prefix}_quarter_1_to_4"
        ),
    ]


class Grade(models.TextChoices):
    """The one grading scale of the sources (好/较好/一般/差): quarterly reviews and the
    annual assessment both use it."""

    GOOD = "good", _("好")
    FAIRLY_GOOD = "fairly_good", _("较好")
    AVERAGE = "average", _("一般")
    POOR = "poor", _("差")
