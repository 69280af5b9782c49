"""The pledge content rules (pledges/rules/pledge_content.py), shared by the services and the
import."""

import datetime

from django.utils import timezone

from pledges.models import Pledge
from pledges.rules import pledge_content


def test_it_lists_every_content_problem_by_field(content):
    year = timezone.localdate().year
    bad = content(title="", kind="x", deadline=datetime.date(year, 7, 1))
    problems = pledge_content.content_problems(bad, year, Pledge.Half.FIRST, within_period=True)
    assert [name for name, _message in problems] == ["title", "kind", "deadline"]
    assert "晚于承诺期间的结束日期" in problems[2][1]
    # Without within_period (the entry page), an item may run past the period's end.
    assert pledge_content.content_problems(bad, year, Pledge.Half.FIRST)[2:] == []


def test_it_gives_each_period_its_bounds():
    assert pledge_content.period_bounds(2026, Pledge.Half.WHOLE_YEAR) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 12, 31),
    )
    assert pledge_content.period_bounds(2026, Pledge.Half.FIRST)[1] == datetime.date(2026, 6, 30)
    assert pledge_content.period_bounds(2026, Pledge.Half.SECOND)[0] == datetime.date(2026, 7, 1)
