"""calendar_for: own row, nearest ancestor's, or the defaults; one query for many."""

import datetime

from pledges.models import Position
from pledges.selectors.calendar import calendar_for, calendars_for, filing_due_dates
from pledges.services.calendar import calendar_set
from tests.factories import UserFactory, calendar_content, make_org, make_position, today

YEAR = today().year


def test_it_gives_the_defaults_without_any_row(world):
    calendar = calendar_for(world.branch, YEAR)
    assert (calendar.grade_scale, calendar.review_cadence, calendar.source_id) == (
        "four",
        "quarter",
        None,
    )
    assert filing_due_dates(world.branch, YEAR) == (
        datetime.date(YEAR, 7, 15),
        datetime.date(YEAR + 1, 1, 15),
    )


def test_it_inherits_from_the_nearest_ancestor_unless_a_child_sets_its_own(world):
    calendar_set(
        organization=world.county,
        year=YEAR,
        content=calendar_content(grade_scale="four", review_cadence="quarter"),
        version=0,
        by=_county_office(world),
    )
    calendar_set(
        organization=world.town, year=YEAR, content=calendar_content(), version=0, by=world.office
    )
    assert calendar_for(world.branch, YEAR).source_id == world.town.pk
    assert calendar_for(world.branch, YEAR).grade_scale == "three"
    assert calendar_for(world.far_town, YEAR).source_id == world.county.pk
    assert calendar_for(world.branch, YEAR + 1).source_id is None  # another year: defaults


def test_it_reads_the_calendars_of_many_organizations_in_one_query(
    world, django_assert_num_queries
):
    calendar_set(
        organization=world.town, year=YEAR, content=calendar_content(), version=0, by=world.office
    )
    orgs = [make_org(f"支部{i}", world.town) for i in range(20)]
    with django_assert_num_queries(1):
        found = calendars_for([*orgs, world.far_town], YEAR)
    assert {found[o.pk].grade_scale for o in orgs} == {"three"}
    assert found[world.far_town.pk].grade_scale == "four"


def _county_office(world):
    user = UserFactory(username="county_office")
    make_position(user, world.county, Position.Kind.OFFICE)
    return user
