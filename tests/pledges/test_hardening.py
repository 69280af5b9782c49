"""Input hardening and lost updates in the pledge book (issue 9 §1): limits, dates, huge ids,
versions, tokenless double posts, and who keeps a branch's book."""

import datetime
import uuid

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.errors import TransitionError
from pledges.models import Pledge, Position, ProgressRecord
from pledges.rules.pledge import can_approve_pledge, can_edit_pledge
from pledges.services import pledge as services
from pledges.services.progress import progress_add
from tests.factories import UserFactory, make_position

HUGE = "9" * 20


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_it_refuses_a_million_character_measure_in_the_service(world, content):
    with pytest.raises(TransitionError, match="践诺措施不能超过 2000 个字"):
        services.pledge_create(
            by=world.secretary,
            owner_org=world.branch,
            content=content(measures="措" * 1_000_000),
            year=timezone.localdate().year,
        )
    assert not Pledge.objects.exists()


def test_it_refuses_a_million_character_measure_on_the_page(world, client, pledge_in, form_row):
    draft = pledge_in("draft", world)
    client.force_login(world.secretary)
    data = {**form_row(), "measures": "措" * 1_000_000, "version": draft.edit_version}
    response = client.post(f"/pledge/{draft.pk}/edit/", data)
    assert response.status_code == 200
    assert "2000" in response.content.decode()
    draft.refresh_from_db()
    assert draft.measures == "每月走访一次，联系水务站"


@pytest.mark.parametrize("field", ["reason"])
def test_it_refuses_an_overlong_reason_read_straight_from_the_post(world, client, pledge_in, field):
    pledge = pledge_in("submitted", world)
    client.force_login(world.secretary)
    response = client.post(f"/pledge/{pledge.pk}/return/", {field: "因" * 501})
    assert "退回原因不能超过 500 个字" in _messages(response)
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.SUBMITTED


def test_it_refuses_an_overlong_unfulfilled_reason(world, pledge_in):
    pledge = pledge_in("published", world)
    with pytest.raises(TransitionError, match="500"):
        services.pledge_mark_unfulfilled(pledge=pledge, by=world.secretary, reason="因" * 501)


def test_it_refuses_a_progress_record_dated_1900(world, pledge_in):
    pledge = pledge_in("published", world)
    with pytest.raises(TransitionError, match="记实日期"):
        progress_add(pledge=pledge, by=world.secretary, date=datetime.date(1900, 1, 1), text="x")
    assert not ProgressRecord.objects.exists()


def test_it_refuses_a_progress_record_dated_1900_on_the_page(world, client, pledge_in):
    pledge = pledge_in("published", world)
    client.force_login(world.secretary)
    response = client.post(f"/pledge/{pledge.pk}/progress/", {"date": "1900-01-01", "text": "走访"})
    assert response.status_code == 200
    assert "2000 年至 2100 年" in response.content.decode()
    assert not ProgressRecord.objects.exists()


def test_it_refuses_a_deadline_in_the_year_9999(world, content):
    with pytest.raises(TransitionError, match="2100"):
        services.pledge_create(
            by=world.secretary,
            owner_org=world.branch,
            content=content(deadline=datetime.date(9999, 12, 31)),
            year=timezone.localdate().year,
        )


def test_it_answers_a_20_digit_id_in_the_bulk_form_without_a_500(world, client, pledge_in):
    pledge = pledge_in("submitted", world)
    client.force_login(world.secretary)
    url = f"/org/{world.branch.pk}/bulk/"
    response = client.post(url, {"action": "approve", "pledges": [HUGE, str(pledge.pk)]})
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.SUBMITTED  # the whole post is refused, nothing done


def test_it_answers_a_20_digit_id_in_the_entry_form_without_a_500(world, client, form_row):
    client.force_login(world.secretary)
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "year": str(timezone.localdate().year),
        "half": "0",
        **{f"form-0-{k}": v for k, v in form_row().items()},
        "form-0-pledge_id": HUGE,
        "form-0-version": HUGE,
    }
    response = client.post(f"/org/{world.branch.pk}/entry/{world.member.pk}/", data)
    assert response.status_code == 200
    assert not Pledge.objects.exists()


def test_it_refuses_an_edit_without_a_version(world, client, pledge_in, form_row):
    draft = pledge_in("draft", world)
    client.force_login(world.secretary)
    response = client.post(f"/pledge/{draft.pk}/edit/", form_row("没有版本"))
    assert "缺少版本信息" in response.content.decode()
    draft.refresh_from_db()
    assert draft.title != "没有版本"


def test_it_refuses_the_second_tab_and_says_what_differs_and_who_saved(world, pledge_in, content):
    draft = pledge_in("draft", world)
    seen = draft.edit_version
    services.pledge_update(
        pledge=draft, by=world.member_user, content=content(title="第一个标签页"), version=seen
    )
    with pytest.raises(TransitionError) as refused:
        services.pledge_update(
            pledge=draft,
            by=world.secretary,
            content=content(title="第二个标签页", measures="另写的措施"),
            version=seen,
        )
    message = str(refused.value)
    assert (
        "承诺事项" in message
        and "践诺措施" in message
        and world.member_user.get_full_name() in message
    )
    draft.refresh_from_db()
    assert draft.title == "第一个标签页"


def test_it_saves_a_tokenless_double_post_once(world, client, pledge_in):
    pledge = pledge_in("published", world)
    client.force_login(world.secretary)
    data = {"date": timezone.localdate().isoformat(), "text": "走访三户"}
    client.post(f"/pledge/{pledge.pk}/progress/", data)
    second = client.post(f"/pledge/{pledge.pk}/progress/", data)
    assert "请勿重复提交" in _messages(second)
    assert ProgressRecord.objects.filter(pledge=pledge).count() == 1
    # A token still makes a fresh form its own post.
    client.post(f"/pledge/{pledge.pk}/progress/", {**data, "form_token": uuid.uuid4().hex})
    assert ProgressRecord.objects.filter(pledge=pledge).count() == 2


@pytest.fixture
def town_secretary(world):
    user = UserFactory(username="town_secretary")
    make_position(user, world.town, Position.Kind.SECRETARY)
    return user


def test_it_refuses_the_town_secretary_a_branch_members_draft(world, pledge_in, town_secretary):
    draft = pledge_in("draft", world)
    assert not can_edit_pledge(town_secretary, draft)
    assert can_edit_pledge(world.secretary, draft)
    assert can_edit_pledge(world.office, draft)
    with pytest.raises(PermissionDenied):
        services.pledge_update(
            pledge=draft, by=town_secretary, content=services.PledgeContent(
                kind="practical", title="镇里改的", measures="m", expected_result="e",
                deadline=draft.deadline,
            ), version=draft.edit_version,
        )  # fmt: skip


def test_it_leaves_the_town_secretary_his_own_book_and_branch_approval(
    world, pledge_in, town_secretary
):
    own = Pledge(owner_org=world.town)
    assert can_edit_pledge(town_secretary, own)
    branch_pledge = pledge_in("submitted", world, member=False)
    assert can_approve_pledge(town_secretary, branch_pledge)
    member_pledge = pledge_in("submitted", world)
    assert not can_approve_pledge(town_secretary, member_pledge)
