"""每月评比: rating a branch's members for a month, the criteria, publication, the reminder."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.errors import TransitionError
from core.notifications.models import Notification
from reviews.models import MonthlyRating, RatingCriteria, overall_grade
from reviews.services import monthly_rating as services
from tests.factories import MemberFactory, rate_month, this_month

G, FG, AV, P = "good", "fairly_good", "average", "poor"


def test_it_rounds_the_mean_of_the_criteria_half_up():
    assert overall_grade([G, G, FG]) == G
    assert overall_grade([G, FG]) == G  # 3.5 rounds up
    assert overall_grade([FG, AV, AV]) == AV
    assert overall_grade([P, P, AV]) == P


def test_it_rates_the_members_and_keeps_the_criteria_on_the_sheet(world):
    sheet = rate_month(world, {world.member: [G, FG, G]})
    rating = MonthlyRating.objects.get()
    assert (rating.grade, rating.grades, rating.edited_by) == (G, [G, FG, G], world.secretary)
    assert sheet.criteria == ["践诺进度", "记实", "群众反映"]


def test_it_uses_the_criteria_the_committee_set(world):
    services.rating_criteria_set(
        by=world.office, organization=world.town, names=["践诺", "学习", "践诺"], version=0
    )
    sheet = rate_month(world, {world.member: [G, AV]})
    assert sheet.criteria == ["践诺", "学习"]


def test_it_refuses_criteria_from_a_secretary_and_empty_criteria(world):
    with pytest.raises(PermissionDenied):
        services.rating_criteria_set(
            by=world.secretary, organization=world.branch, names=["x"], version=0
        )
    with pytest.raises(TransitionError, match="至少"):
        services.rating_criteria_set(by=world.office, organization=world.town, names=[], version=0)
    assert not RatingCriteria.objects.exists()


def test_it_refuses_a_line_with_a_criterion_missing_and_saves_the_others(world):
    wang = MemberFactory(name="王五", organization=world.branch)
    year, month = this_month()
    changes = [
        services.RatingChange(world.member, None, {"grades": [G, "", G], "version": 0}),
        services.RatingChange(wang, None, {"grades": [AV, AV, AV], "version": 0}),
    ]
    saved, errors = services.monthly_ratings_save(
        by=world.secretary, organization=world.branch, year=year, month=month, changes=changes
    )
    assert saved == 1 and errors == ["张三：请为每一项评比内容选择等次"]
    assert list(MonthlyRating.objects.values_list("member__name", flat=True)) == ["王五"]


def test_it_refuses_a_stale_line(world):
    rate_month(world, {world.member: [G, G, G]})
    year, month = this_month()
    change = services.RatingChange(world.member, None, {"grades": [P, P, P], "version": 0})
    saved, errors = services.monthly_ratings_save(
        by=world.office, organization=world.branch, year=year, month=month, changes=[change]
    )
    assert saved == 0 and "已被修改" in errors[0]
    assert MonthlyRating.objects.get().grade == G


def test_it_refuses_a_stranger_a_future_month_and_another_branch_s_member(world):
    year, month = this_month()
    change = services.RatingChange(world.member, None, {"grades": [G, G, G], "version": 0})
    for user in (world.other_secretary, world.leader, world.member_user):
        with pytest.raises(PermissionDenied):
            services.monthly_ratings_save(
                by=user, organization=world.branch, year=year, month=month, changes=[change]
            )
    with pytest.raises(TransitionError, match="尚未开始"):
        services.monthly_ratings_save(
            by=world.secretary, organization=world.branch, year=year + 1, month=1, changes=[change]
        )
    other = services.RatingChange(world.other_member, None, {"grades": [G, G, G], "version": 0})
    with pytest.raises(TransitionError, match="不属于"):
        services.monthly_ratings_save(
            by=world.office, organization=world.branch, year=year, month=month, changes=[other]
        )
    assert not MonthlyRating.objects.exists()


def test_it_publishes_once_and_then_keeps_the_month(world):
    sheet = rate_month(world, {world.member: [G, G, G]}, publish=True)
    assert sheet.published_at is not None and sheet.published_by == world.secretary
    with pytest.raises(TransitionError, match="已经公布"):
        services.monthly_rating_sheet_publish(by=world.secretary, sheet=sheet)
    year, month = this_month()
    rating = MonthlyRating.objects.get()
    change = services.RatingChange(
        world.member, rating, {"grades": [P, P, P], "version": rating.edit_version}
    )
    with pytest.raises(TransitionError, match="不能再修改"):
        services.monthly_ratings_save(
            by=world.secretary, organization=world.branch, year=year, month=month, changes=[change]
        )


def test_it_reminds_the_secretary_of_last_month_until_it_is_published(world):
    today = timezone.localdate()
    first = today.replace(day=1)
    last_month = (first - datetime.timedelta(days=1)).replace(day=1)
    items = services.monthly_rating_due(first)
    assert sorted((i.recipient_id, i.period) for i in items) == [
        (world.secretary.pk, f"{last_month:%Y-%m}"),
        (world.other_secretary.pk, f"{last_month:%Y-%m}"),
    ]
    assert services.monthly_rating_due(first.replace(day=11)) == []
    rate_month(
        world, {world.member: [G, G, G]}, month=(last_month.year, last_month.month), publish=True
    )
    items = services.monthly_rating_due(first)
    assert [i.recipient_id for i in items] == [world.other_secretary.pk]


def test_it_tells_the_rated_members_with_a_login_when_it_is_published(
    world, django_capture_on_commit_callbacks
):
    MemberFactory(name="王五", organization=world.branch)  # no login: told by no one
    with django_capture_on_commit_callbacks(execute=True):
        rate_month(world, {world.member: [G, G, G]}, publish=True)
    assert list(Notification.objects.values_list("recipient_id", "kind")) == [
        (world.member_user.pk, "monthly_rating_published")
    ]
