"""A review's grade and period in the words of its committee's calendar.

`{{ review|grade_word }}` shows "中" for "average" where the committee grades 好/中/差, and
`{{ review|period_word }}` "2026年上半年" where it reviews half-yearly. Each reads the calendar
through calendar_for, which asks the database once per request and year however many reviews
a page lists (the review's organization must be loaded with it: for_list, for_detail).
"""

from __future__ import annotations

from django import template

from ..rules.calendar import calendar_of, grade_label, period_label

register = template.Library()


@register.filter
def grade_word(review) -> str:
    if review is None or not review.grade:
        return ""
    return grade_label(review.grade, calendar_of(review.organization, review.year).grade_scale)


@register.filter
def period_word(review) -> str:
    if review is None:
        return ""
    return period_label(review.quarter_obj, calendar_of(review.organization, review.year))
