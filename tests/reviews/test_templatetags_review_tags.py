"""A review's grade and period in the words of its committee's calendar."""

from pledges.services.calendar import calendar_set
from reviews.models import Quarter
from reviews.templatetags.review_tags import grade_word, period_word
from tests.factories import calendar_content, make_review, today


def test_it_names_the_grade_and_period_in_the_committee_s_words(world):
    year = today().year
    review = make_review(Quarter(year, 4), "average", reviewer=world.secretary, member=world.member)
    assert (grade_word(review), period_word(review)) == ("一般", f"{year}年第4季度")
    calendar_set(  # next year, before anything of it exists
        organization=world.town,
        year=year + 1,
        content=calendar_content(year=year + 1),
        version=0,
        by=world.office,
    )
    other = make_review(Quarter(year + 1, 2), "average", reviewer=world.secretary, org=world.branch)
    assert (grade_word(other), period_word(other)) == ("中", f"{year + 1}年上半年")


def test_it_shows_nothing_for_no_review_or_no_grade(world):
    assert grade_word(None) == "" and period_word(None) == ""
