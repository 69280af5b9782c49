"""Setting a committee's calendar and dropping it: who may, what is checked, and a year under
way."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from core import request_memo
from core.errors import TransitionError
from core.versions import StaleEdit
from pledges.models import Calendar, Pledge
from pledges.selectors.calendar import calendar_for
from pledges.services.calendar import calendar_drop, calendar_set
from tests.factories import PledgeFactory, calendar_content, make_org, today

YEAR = today().year


def test_it_sets_the_calendar_of_the_office_s_committee(world):
    row = calendar_set(
        organization=world.town, year=YEAR, content=calendar_content(), version=0, by=world.office
    )
    assert (row.grade_scale, row.review_cadence, row.edited_by) == ("three", "half", world.office)
    assert calendar_for(world.branch, YEAR).grade_scale == "three"


def test_it_refuses_anyone_but_the_office_above(world):
    for who in (world.secretary, world.leader, world.far_office, world.member_user):
        with pytest.raises(PermissionDenied):
            calendar_set(
                organization=world.town, year=YEAR, content=calendar_content(), version=0, by=who
            )
    assert not Calendar.objects.exists()


def test_it_refuses_a_stale_version(world):
    calendar_set(
        organization=world.town, year=YEAR, content=calendar_content(), version=0, by=world.office
    )
    with pytest.raises(StaleEdit, match="已被修改"):
        calendar_set(
            organization=world.town,
            year=YEAR,
            content=calendar_content(grade_scale="four"),
            version=0,
            by=world.office,
        )
    assert Calendar.objects.get().grade_scale == "three"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"grade_scale": "five"}, "无效"),
        ({"filing_first_half": datetime.date(YEAR + 1, 7, 15)}, "本年度内"),
        ({"filing_second_half": datetime.date(YEAR, 3, 1)}, "次年年底"),
    ],
)
def test_it_refuses_bad_values_and_changes_nothing(world, change, message):
    with pytest.raises(TransitionError, match=message):
        calendar_set(
            organization=world.town,
            year=YEAR,
            content=calendar_content(**change),
            version=0,
            by=world.office,
        )
    assert not Calendar.objects.exists()


def test_it_keeps_the_rhythm_of_a_year_under_way_but_lets_the_filing_dates_move(world):
    PledgeFactory(owner_member=world.member, year=YEAR, status=Pledge.Status.DRAFT)
    with pytest.raises(TransitionError, match="年度中途保持年初的设置"):
        calendar_set(
            organization=world.town,
            year=YEAR,
            content=calendar_content(),
            version=0,
            by=world.office,
        )
    defaults = calendar_for(world.town, YEAR)
    later = datetime.date(YEAR, 7, 31)
    row = calendar_set(
        organization=world.town,
        year=YEAR,
        content=calendar_content(
            pledge_period=defaults.pledge_period,
            review_cadence=defaults.review_cadence,
            mass_evaluation_cadence=defaults.mass_evaluation_cadence,
            grade_scale=defaults.grade_scale,
            filing_first_half=later,
        ),
        version=0,
        by=world.office,
    )
    assert row.filing_first_half == later


def test_it_sets_next_year_while_this_one_is_under_way(world):
    PledgeFactory(owner_member=world.member, year=YEAR, status=Pledge.Status.DRAFT)
    row = calendar_set(
        organization=world.town,
        year=YEAR + 1,
        content=calendar_content(year=YEAR + 1),
        version=0,
        by=world.office,
    )
    assert row.year == YEAR + 1


def test_it_does_not_count_a_part_that_keeps_its_own_calendar(world):
    """The other branch sets its own: its pledges do not freeze the town's setting."""
    make_org("新支部", world.town)
    calendar_set(
        organization=world.other_branch,
        year=YEAR,
        content=calendar_content(grade_scale="four"),
        version=0,
        by=world.office,
    )
    PledgeFactory(owner_member=world.other_member, year=YEAR, status=Pledge.Status.DRAFT)
    calendar_set(
        organization=world.town, year=YEAR, content=calendar_content(), version=0, by=world.office
    )
    assert calendar_for(world.branch, YEAR).grade_scale == "three"
    assert calendar_for(world.other_branch, YEAR).grade_scale == "four"


def _own(org, by, **change):
    return calendar_set(
        organization=org, year=YEAR, content=calendar_content(**change), version=0, by=by
    )


def test_it_drops_a_branch_s_calendar_and_the_branch_follows_the_committee_again(world):
    _own(world.town, world.office)  # 好/中/差
    row = _own(world.branch, world.office, grade_scale="four")
    calendar_drop(organization=world.branch, year=YEAR, version=row.edit_version, by=world.office)
    assert not Calendar.objects.filter(organization=world.branch).exists()
    followed = calendar_for(world.branch, YEAR)
    assert (followed.grade_scale, followed.source_id) == ("three", world.town.pk)


def test_it_drops_the_committee_s_calendar_and_its_subtree_follows_the_defaults(world):
    row = _own(world.town, world.office)
    _own(world.other_branch, world.office, grade_scale="four")
    calendar_drop(organization=world.town, year=YEAR, version=row.edit_version, by=world.office)
    assert calendar_for(world.branch, YEAR).source_id is None
    assert calendar_for(world.branch, YEAR).grade_scale == "four"  # the default 好/较好/一般/差
    # A part with its own calendar keeps it.
    assert calendar_for(world.other_branch, YEAR).source_id == world.other_branch.pk


def test_it_refuses_anyone_but_the_office_above_to_drop(world):
    row = _own(world.town, world.office)
    for who in (world.secretary, world.leader, world.far_office, world.member_user):
        with pytest.raises(PermissionDenied):
            calendar_drop(organization=world.town, year=YEAR, version=row.edit_version, by=who)
    assert Calendar.objects.count() == 1


def test_it_refuses_a_stale_drop_and_a_drop_of_nothing(world):
    row = _own(world.town, world.office)
    seen = row.edit_version
    changed = calendar_set(
        organization=world.town,
        year=YEAR,
        content=calendar_content(grade_scale="four"),
        version=seen,
        by=world.office,
    )
    with pytest.raises(StaleEdit, match="已被修改"):
        calendar_drop(organization=world.town, year=YEAR, version=seen, by=world.office)
    with pytest.raises(StaleEdit):
        calendar_drop(organization=world.town, year=YEAR, version=None, by=world.office)
    assert Calendar.objects.get().grade_scale == "four"
    calendar_drop(organization=world.town, year=YEAR, version=changed.edit_version, by=world.office)
    with pytest.raises(TransitionError, match="已在沿用上级设置"):
        calendar_drop(
            organization=world.town, year=YEAR, version=changed.edit_version, by=world.office
        )


def test_it_keeps_the_rhythm_of_a_year_under_way_but_drops_a_row_of_filing_dates_only(world):
    rhythm = _own(world.town, world.office)
    defaults = calendar_for(world.county, YEAR)
    dates_only = _own(
        world.other_branch,
        world.office,
        pledge_period=rhythm.pledge_period,
        review_cadence=rhythm.review_cadence,
        mass_evaluation_cadence=rhythm.mass_evaluation_cadence,
        grade_scale=rhythm.grade_scale,
        filing_first_half=datetime.date(YEAR, 7, 31),
    )
    PledgeFactory(owner_member=world.member, year=YEAR, status=Pledge.Status.DRAFT)
    PledgeFactory(owner_member=world.other_member, year=YEAR, status=Pledge.Status.DRAFT)
    with pytest.raises(TransitionError, match="年度中途保持年初的设置"):
        calendar_drop(
            organization=world.town, year=YEAR, version=rhythm.edit_version, by=world.office
        )
    assert calendar_for(world.branch, YEAR).grade_scale == "three" != defaults.grade_scale
    calendar_drop(
        organization=world.other_branch,
        year=YEAR,
        version=dates_only.edit_version,
        by=world.office,
    )
    assert calendar_for(world.other_branch, YEAR).filing_first_half == datetime.date(YEAR, 7, 15)


def test_it_drops_next_year_s_calendar_while_this_one_is_under_way(world):
    PledgeFactory(owner_member=world.member, year=YEAR, status=Pledge.Status.DRAFT)
    row = calendar_set(
        organization=world.town,
        year=YEAR + 1,
        content=calendar_content(year=YEAR + 1),
        version=0,
        by=world.office,
    )
    calendar_drop(organization=world.town, year=YEAR + 1, version=row.edit_version, by=world.office)
    assert not Calendar.objects.exists()


def test_it_forgets_the_calendar_the_request_remembered(world):
    row = _own(world.town, world.office)
    request_memo._start()
    try:
        assert calendar_for(world.branch, YEAR).grade_scale == "three"
        calendar_drop(organization=world.town, year=YEAR, version=row.edit_version, by=world.office)
        assert calendar_for(world.branch, YEAR).source_id is None
    finally:
        request_memo._end()
