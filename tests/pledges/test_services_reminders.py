"""The pledge book's reminder rules on a fixed clock (days in Asia/Shanghai)."""

import datetime

import pytest
from django.core.cache import cache

from core.notifications import digest
from core.notifications import reminders as registry
from core.notifications.models import Delivery, Notification
from pledges.models import Pledge, ProgressRecord
from pledges.services import reminders
from tests.factories import MemberFactory, PledgeFactory, UserFactory

D = datetime.date
Status = Pledge.Status


@pytest.fixture(autouse=True)
def _clean_cache(settings):
    settings.NOTIFICATION_CHANNELS = ["core.notifications.channels.Email"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()


def running(owner_member=None, owner_org=None, **kw) -> Pledge:
    return PledgeFactory(
        owner_member=owner_member,
        owner_org=owner_org or owner_member.organization,
        status=kw.pop("status", Status.PUBLISHED),
        year=2026,
        deadline=kw.pop("deadline", D(2026, 12, 31)),
        **kw,
    )


def keys(items) -> set[tuple[int, str, str, str]]:
    return {item.key for item in items}


# --- 一月一提醒 -------------------------------------------------------------------------------


def test_it_reminds_monthly_from_the_20th_only(world):
    running(world.member)
    assert reminders.monthly_progress(D(2026, 3, 19)) == []
    assert keys(reminders.monthly_progress(D(2026, 3, 20))) == {
        (world.member_user.pk, "monthly_progress", f"m:{world.member.pk}", "2026-03")
    }
    assert len(reminders.monthly_progress(D(2026, 3, 31))) == 1


def test_it_does_not_remind_who_recorded_this_month(world):
    pledge = running(world.member)
    ProgressRecord.objects.create(
        pledge=pledge, date=D(2026, 3, 2), text="走访", author=world.member_user
    )
    assert reminders.monthly_progress(D(2026, 3, 20)) == []
    # Last month's record does not count for April.
    assert len(reminders.monthly_progress(D(2026, 4, 20))) == 1


def test_it_skips_pledges_not_running(world):
    for status in (Status.DRAFT, Status.SUBMITTED, Status.CLOSED, Status.UNFULFILLED):
        running(world.member, status=status, closed_on=D(2026, 2, 1))
    assert reminders.monthly_progress(D(2026, 3, 20)) == []


def test_it_tells_the_secretary_for_a_member_without_a_login_and_the_branch(world):
    no_login = MemberFactory(name="王五", organization=world.branch)
    running(no_login)
    running(owner_org=world.branch)
    items = reminders.monthly_progress(D(2026, 3, 20))
    assert keys(items) == {
        (world.secretary.pk, "monthly_progress", f"o:{world.branch.pk}", "2026-03")
    }
    assert "2 项承诺" in items[0].body
    assert items[0].link == f"/org/{world.branch.pk}/round/?month=2026-03"


def test_it_tells_the_secretary_for_a_member_whose_login_is_disabled(world):
    world.member_user.is_active = False
    world.member_user.save()
    running(world.member)
    items = reminders.monthly_progress(D(2026, 3, 25))
    assert [i.recipient_id for i in items] == [world.secretary.pk]


def test_it_keeps_the_monthly_query_count_flat(world, django_assert_num_queries):
    running(world.member)
    running(MemberFactory(name="王五", organization=world.branch))
    with django_assert_num_queries(3):
        assert len(reminders.monthly_progress(D(2026, 3, 20))) == 2
    for i in range(15):
        running(MemberFactory(name=f"成员{i}", organization=world.other_branch, user=UserFactory()))
        running(MemberFactory(name=f"无账号{i}", organization=world.branch))
    with django_assert_num_queries(3):
        assert (
            len(reminders.monthly_progress(D(2026, 3, 20))) == 17
        )  # 16 members and the branch's secretary, once


# --- deadlines ----------------------------------------------------------------------------


def test_it_reminds_seven_days_before_a_deadline(world):
    pledge = running(world.member, deadline=D(2026, 5, 10))
    assert reminders.pledge_deadline_soon(D(2026, 5, 2)) == []
    items = reminders.pledge_deadline_soon(D(2026, 5, 3))
    assert keys(items) == {
        (world.member_user.pk, "pledge_deadline_soon", f"p:{pledge.pk}", "2026-05-10")
    }
    assert items[0].link == f"/pledge/{pledge.pk}/"
    assert reminders.pledge_deadline_soon(D(2026, 5, 10)) == []


def test_it_reminds_the_day_after_a_deadline_the_owner_and_the_secretary(world):
    pledge = running(world.member, deadline=D(2026, 5, 10))
    assert reminders.pledge_overdue(D(2026, 5, 10)) == []
    items = reminders.pledge_overdue(D(2026, 5, 11))
    assert {i.recipient_id for i in items} == {world.member_user.pk, world.secretary.pk}
    assert {i.subject_key for i in items} == {f"p:{pledge.pk}"}
    # Still caught up a week later (a missed beat), not after.
    assert len(reminders.pledge_overdue(D(2026, 5, 17))) == 2
    assert reminders.pledge_overdue(D(2026, 5, 18)) == []


def test_it_does_not_remind_of_a_closed_pledge(world):
    running(world.member, deadline=D(2026, 5, 10), status=Status.CLOSED, closed_on=D(2026, 5, 1))
    assert reminders.pledge_overdue(D(2026, 5, 11)) == []
    assert reminders.pledge_deadline_soon(D(2026, 5, 4)) == []


# --- through the registry -----------------------------------------------------------------


def test_it_registers_every_rule():
    assert set(reminders.RULES) <= set(registry.kinds())


def test_it_sends_each_reminder_once_however_often_it_runs(world):
    running(world.member)
    first = registry.reminders_send(kind="monthly_progress", day=D(2026, 3, 20))
    again = registry.reminders_send(kind="monthly_progress", day=D(2026, 3, 21))
    assert (first.created, again.created, again.existing) == (1, 0, 1)
    assert Notification.objects.filter(recipient=world.member_user).count() == 1


def test_it_reaches_the_app_without_an_email_address(world):
    running(world.member)
    world.member_user.email = ""
    world.member_user.save()
    report = registry.reminders_send(kind="monthly_progress", day=D(2026, 3, 20))
    assert report.in_app_only == 1
    # Email is a daily digest unless the user chose otherwise: skipped there, for want of an
    # address.
    digest.digests_send(day=D(2026, 3, 20))
    assert Delivery.objects.get().status == Delivery.Status.SKIPPED
    notification = Notification.objects.get()
    assert notification.recipient == world.member_user
    assert notification.read_at is None
