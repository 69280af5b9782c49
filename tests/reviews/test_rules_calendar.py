"""What a committee's calendar means for reviews: grade words, periods, a year under way."""

import pytest

from core.errors import TransitionError
from pledges.models import Calendar
from pledges.selectors.calendar import YearCalendar
from pledges.services.calendar import calendar_set
from reviews.models import Quarter
from reviews.rules.calendar import (
    grade_choices,
    grade_label,
    is_review_quarter,
    period_label,
    review_period,
)
from tests.factories import calendar_content, make_review, today

HALF = YearCalendar(year=2026, review_cadence="half", grade_scale="three")
QUARTERLY = YearCalendar(year=2026)


def test_it_offers_good_fair_poor_on_the_three_step_scale():
    assert [label for _v, label in grade_choices("three")] == ["好", "中", "差"]
    assert [v for v, _label in grade_choices("three")] == ["good", "average", "poor"]
    assert len(grade_choices("four")) == 4


def test_it_names_a_stored_grade_in_the_words_of_the_scale():
    assert grade_label("average", "three") == "中"
    assert grade_label("average", "four") == "一般"
    assert grade_label("", "three") == ""


def test_it_files_a_half_yearly_review_under_the_half():
    assert review_period(Quarter(2026, 1), HALF) == Quarter(2026, 2)
    assert review_period(Quarter(2026, 3), HALF) == Quarter(2026, 4)
    assert review_period(Quarter(2026, 3), QUARTERLY) == Quarter(2026, 3)
    assert period_label(Quarter(2026, 2), HALF) == "2026年上半年"
    assert [is_review_quarter(Quarter(2026, q), HALF) for q in (1, 2, 3, 4)] == [
        False,
        True,
        False,
        True,
    ]


def test_it_freezes_the_rhythm_once_a_review_of_the_year_exists(world):
    year = today().year
    make_review(Quarter(year, 1), "good", reviewer=world.secretary, member=world.member)
    with pytest.raises(TransitionError, match="领导点评"):
        calendar_set(
            organization=world.town,
            year=year,
            content=calendar_content(),
            version=0,
            by=world.office,
        )
    assert not Calendar.objects.exists()
