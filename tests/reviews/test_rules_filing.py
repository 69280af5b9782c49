import datetime

from pledges.services.calendar import calendar_set
from reviews.rules.filing import filing_due
from tests.factories import calendar_content, today


def test_it_takes_the_due_dates_from_the_committee_s_calendar(world):
    year = today().year + 1
    calendar_set(
        organization=world.town,
        year=year,
        content=calendar_content(
            year=year,
            filing_first_half=datetime.date(year, 7, 10),
            filing_second_half=datetime.date(year + 1, 1, 8),
        ),
        version=0,
        by=world.office,
    )

    assert filing_due(world.branch, year, 1) == datetime.date(year, 7, 10)
    assert filing_due(world.branch, year, 2) == datetime.date(year + 1, 1, 8)


def test_it_falls_back_to_mid_july_and_mid_january(world):
    year = today().year + 1

    assert filing_due(world.branch, year, 1) == datetime.date(year, 7, 15)
    assert filing_due(None, year, 2) == datetime.date(year + 1, 1, 15)
