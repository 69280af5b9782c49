"""Progress records through the services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.errors import TransitionError
from pledges.models import Pledge, ProgressRecord
from pledges.services import progress

TODAY = timezone.localdate
S = Pledge.Status


S = Pledge.Status


def test_it_moves_a_published_pledge_into_progress_with_the_first_record(world, pledge_in):
    pledge = pledge_in("published", world)
    progress.progress_add(pledge=pledge, by=world.member_user, date=TODAY(), text="走访两户")
    pledge.refresh_from_db()
    assert pledge.status == S.IN_PROGRESS
    assert pledge.progress_records.count() == 1


def test_it_refuses_progress_on_a_draft_and_in_the_future(world, pledge_in):
    with pytest.raises(TransitionError):
        progress.progress_add(
            pledge=pledge_in("draft", world), by=world.secretary, date=TODAY(), text="x"
        )
    with pytest.raises(TransitionError):
        progress.progress_add(
            pledge=pledge_in("published", world),
            by=world.secretary,
            date=TODAY() + datetime.timedelta(days=1),
            text="x",
        )


def test_it_refuses_progress_by_outsiders(world, pledge_in):
    pledge = pledge_in("published", world)
    for user in (world.stranger, world.other_member_user, world.other_secretary):
        with pytest.raises(PermissionDenied):
            progress.progress_add(pledge=pledge, by=user, date=TODAY(), text="x")


# --- progress_record_many: the month's round ----------------------------------------------


def test_it_records_on_many_pledges_at_once(world, pledge_in):
    first = pledge_in("published", world)
    second = pledge_in("published", world, member=False)
    records = progress.progress_record_many(
        org=world.branch,
        by=world.secretary,
        date=timezone.localdate(),
        texts={first.pk: "走访五户", second.pk: "召开议事会"},
    )
    assert [r.text for r in records] == ["走访五户", "召开议事会"]
    first.refresh_from_db()
    assert first.status == Pledge.Status.IN_PROGRESS
    assert first.events.filter(action="progress", actor=world.secretary).exists()


def test_it_writes_nothing_when_one_pledge_fails(world, pledge_in):
    good = pledge_in("published", world)
    closed = pledge_in("closed", world, title="已办结的事")
    with pytest.raises(TransitionError) as e:
        progress.progress_record_many(
            org=world.branch,
            by=world.secretary,
            date=timezone.localdate(),
            texts={good.pk: "走访五户", closed.pk: "再记一次"},
        )
    assert "已办结的事" in str(e.value)
    assert not ProgressRecord.objects.filter(pledge=good).exists()


def test_it_refuses_empty_too_long_and_future_records(world, pledge_in):
    pledge = pledge_in("published", world)
    today = timezone.localdate()
    for texts, date in (
        ({pledge.pk: "  "}, today),
        ({pledge.pk: "长" * (progress.RECORD_TEXT_MAX + 1)}, today),
        ({pledge.pk: "走访"}, today + datetime.timedelta(days=1)),
        ({}, today),
    ):
        with pytest.raises(TransitionError):
            progress.progress_record_many(
                org=world.branch, by=world.secretary, date=date, texts=texts
            )
    assert not ProgressRecord.objects.exists()


def test_it_refuses_a_pledge_of_another_organization(world, pledge_in):
    pledge = pledge_in("published", world)
    with pytest.raises(TransitionError):
        progress.progress_record_many(
            org=world.other_branch,
            by=world.other_secretary,
            date=timezone.localdate(),
            texts={pledge.pk: "走访"},
        )


def test_it_refuses_a_stranger_on_the_round(world, pledge_in):
    pledge = pledge_in("published", world)
    with pytest.raises(PermissionDenied):
        progress.progress_record_many(
            org=world.branch, by=world.stranger, date=timezone.localdate(), texts={pledge.pk: "x"}
        )
    assert not ProgressRecord.objects.exists()


# --- 亮诺 before progress ------------------------------------------------------------------


def test_it_refuses_progress_on_an_approved_pledge_never_published(world, pledge_in):
    pledge = pledge_in("approved", world)
    with pytest.raises(TransitionError) as refused:
        progress.progress_add(pledge=pledge, by=world.secretary, date=TODAY(), text="走访两户")
    assert str(refused.value) == (
        "该承诺当前为“已审核备案”，不能记实；只有已亮诺或践诺中的承诺可以记实"
    )
    pledge.refresh_from_db()
    assert (pledge.status, pledge.published_at) == (S.APPROVED, None)
    assert not ProgressRecord.objects.exists()


def test_it_refuses_the_round_on_an_approved_pledge_and_names_it(world, pledge_in):
    published = pledge_in("published", world)
    approved = pledge_in("approved", world, title="未亮诺的事")
    with pytest.raises(TransitionError) as refused:
        progress.progress_record_many(
            org=world.branch,
            by=world.secretary,
            date=TODAY(),
            texts={published.pk: "走访五户", approved.pk: "走访三户"},
        )
    assert "张三：未亮诺的事 — 该承诺当前为“已审核备案”，不能记实" in str(refused.value)
    approved.refresh_from_db()
    assert approved.status == S.APPROVED
    assert not ProgressRecord.objects.exists()


def test_it_refuses_deleting_a_record_of_an_ended_pledge(world, pledge_in):
    pledge = pledge_in("closed", world)
    with pytest.raises(TransitionError, match="当前为“已销号”，不能删除记实"):
        progress.progress_delete(record=pledge.progress_records.get(), by=world.secretary)
    assert pledge.progress_records.count() == 1
