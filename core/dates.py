"""Years and dates as users type them: never a 500, always within sane bounds."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FIRST_YEAR = 2000
LAST_YEAR = 2100


def parse_year(raw: str | None) -> int:
    """A year from a query string; this year when it is missing, odd or out of range."""
    this_year = timezone.localdate().year
    try:
        year = int(raw or "")
    except ValueError:
        return this_year
    return year if FIRST_YEAR <= year <= LAST_YEAR else this_year


def recent_years(count: int = 5) -> range:
    """This year and the ones before it, newest first, for year pickers."""
    this_year = timezone.localdate().year
    return range(this_year, this_year - count, -1)


def is_sane(date: datetime.date) -> bool:
    return FIRST_YEAR <= date.year <= LAST_YEAR


class DateInput(forms.DateInput):
    # Old browsers fall back to a text box; the placeholder then shows the format.
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)
        self.attrs.setdefault("placeholder", "2026-06-30")


def validate_sane(value: datetime.date) -> None:
    """A model/form validator: a date typed as 1900-01-01 or 9999-12-31 is a typo."""
    if value is not None and not is_sane(value):
        raise ValidationError(
            _("日期应在 %(first)d 年至 %(last)d 年之间"),
            code="date_out_of_range",
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )
