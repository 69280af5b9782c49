"""一月一记实 in one page: the branch's month, who has recorded, one submit for many pledges."""

import datetime
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from pledges.models import Pledge, ProgressRecord
from tests.factories import MemberFactory, PledgeFactory

TODAY = timezone.localdate


def running(world, n: int, member=None) -> list[Pledge]:
    return [
        PledgeFactory(
            owner_org=world.branch,
            owner_member=member or MemberFactory(name=f"党员{i}-{n}", organization=world.branch),
            status=Pledge.Status.PUBLISHED,
            title=f"承诺{i}",
        )
        for i in range(n)
    ]


def url(world) -> str:
    return f"/org/{world.branch.pk}/round/"


def post(client, world, pledges, **data):
    body = {"date": TODAY().isoformat(), "month": f"{TODAY():%Y-%m}", **data}
    return client.post(f"{url(world)}record/", body)


def test_it_shows_who_has_recorded_this_month(world, client):
    done, missing = running(world, 2)
    ProgressRecord.objects.create(pledge=done, date=TODAY(), text="已走访", author=world.secretary)
    client.force_login(world.secretary)
    page = client.get(url(world)).content.decode()
    assert "本月已记实 1 项，未记实 1 项" in page
    assert f"未记实：{missing.owner_member.name}" in page
    assert page.count('data-testid="round-row"') == 2


def test_it_lists_the_branch_pledges_in_a_fixed_number_of_queries(
    world, client, django_assert_num_queries
):
    client.force_login(world.secretary)
    running(world, 1)
    client.get(url(world))  # warm the session and the unread count cache

    def count() -> int:
        with django_assert_num_queries(8) as ctx:
            client.get(url(world))
        return len(ctx.captured_queries)

    one = count()
    running(world, 25)
    assert count() == one


def test_it_records_the_common_text_on_ticked_pledges_and_own_text_elsewhere(world, client):
    a, b, c = running(world, 3)
    client.force_login(world.secretary)
    response = post(
        client,
        world,
        [a, b, c],
        common_text="参加支部主题党日，走访群众",
        **{f"apply_{a.pk}": "on", f"apply_{b.pk}": "on", f"text_{b.pk}": "本项自己的情况"},
    )
    assert response.status_code == 302
    texts = dict(ProgressRecord.objects.values_list("pledge_id", "text"))
    assert texts == {a.pk: "参加支部主题党日，走访群众", b.pk: "本项自己的情况"}


def test_it_ignores_a_pledge_closed_since_the_page_was_drawn(world, client):
    a, b = running(world, 2)
    Pledge.objects.filter(pk=b.pk).update(status=Pledge.Status.CLOSED, closed_on=TODAY())
    client.force_login(world.secretary)
    response = client.post(
        f"{url(world)}record/",
        {"date": TODAY().isoformat(), f"text_{a.pk}": "走访五户", f"text_{b.pk}": "迟到的记实"},
    )
    # b is no longer on the page's list: its field is ignored, a is recorded.
    assert response.status_code == 302
    assert list(ProgressRecord.objects.values_list("pledge_id", flat=True)) == [a.pk]


def test_it_refuses_a_ticked_box_without_common_text_and_an_empty_form(world, client):
    (a,) = running(world, 1)
    client.force_login(world.secretary)
    page = post(client, world, [a], **{f"apply_{a.pk}": "on"}).content.decode()
    assert "统一填写的内容为空" in page
    assert "没有填写任何记实" in post(client, world, [a]).content.decode()
    assert not ProgressRecord.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"date": "2001-01-01"},
        {"date": "9999999999-01-01"},
        {"common_text": "长" * 2001},
    ],
)
def test_it_refuses_bad_input_with_a_message_and_changes_nothing(world, client, data):
    (a,) = running(world, 1)
    client.force_login(world.secretary)
    response = post(client, world, [a], **{f"apply_{a.pk}": "on", "common_text": "走访", **data})
    assert response.status_code == 200
    assert not ProgressRecord.objects.exists()


def test_it_refuses_a_nul_byte_before_the_form(world, client):
    (a,) = running(world, 1)
    client.force_login(world.secretary)
    response = post(client, world, [a], **{f"apply_{a.pk}": "on", "common_text": "x\x00y"})
    assert response.status_code == 400  # core.middleware's Chinese page
    assert not ProgressRecord.objects.exists()


def test_it_shows_a_past_month_and_never_a_future_one(world, client):
    (a,) = running(world, 1)
    last_month = (TODAY().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    ProgressRecord.objects.create(pledge=a, date=last_month, text="上月", author=world.secretary)
    client.force_login(world.secretary)
    assert (
        "本月已记实 1 项" in client.get(f"{url(world)}?month={last_month:%Y-%m}").content.decode()
    )
    future = client.get(f"{url(world)}?month=2999-01").content.decode()
    assert f'value="{TODAY():%Y-%m}"' in future


def test_it_refuses_a_member_and_hides_the_branch_from_a_stranger(world, client):
    (a,) = running(world, 1)
    client.force_login(world.member_user)
    assert client.get(url(world)).status_code == 403
    assert post(client, world, [a], **{f"text_{a.pk}": "x"}).status_code == 403
    client.force_login(world.stranger)
    assert client.get(url(world)).status_code == 404
    assert post(client, world, [a], **{f"text_{a.pk}": "x"}).status_code == 404
    client.force_login(world.other_secretary)
    assert client.get(url(world)).status_code == 404
    assert not ProgressRecord.objects.exists()


def test_it_lets_the_office_above_do_the_round(world, client):
    (a,) = running(world, 1)
    client.force_login(world.office)
    assert post(client, world, [a], **{f"text_{a.pk}": "督查记实"}).status_code == 302


def test_it_refuses_a_get_on_the_record_move(world, client):
    client.force_login(world.secretary)
    assert client.get(f"{url(world)}record/").status_code == 405


def test_it_is_linked_from_the_branch_page(world, client):
    client.force_login(world.secretary)
    assert 'data-testid="round-link"' in client.get(f"/org/{world.branch.pk}/").content.decode()
    client.force_login(world.member_user)
    assert 'data-testid="round-link"' not in client.get(f"/org/{world.branch.pk}/").content.decode()


def test_it_leaves_an_approved_pledge_off_the_round_until_it_is_published(world, client):
    (published,) = running(world, 1)
    approved = PledgeFactory(
        owner_org=world.branch, owner_member=world.member, status=Pledge.Status.APPROVED
    )
    client.force_login(world.secretary)
    page = client.get(url(world)).content.decode()
    assert page.count('data-testid="round-row"') == 1
    assert approved.title not in page
    assert "另有 1 项承诺已审核备案、尚未亮诺：亮诺后才能记实" in page
    post(client, world, [published], **{f"text_{published.pk}": "走访", f"text_{approved.pk}": "x"})
    assert list(ProgressRecord.objects.values_list("pledge_id", flat=True)) == [published.pk]
    approved.refresh_from_db()
    assert approved.status == Pledge.Status.APPROVED
    public = client.get(f"/public/org/{world.branch.pk}/").content.decode()
    assert published.title in public and approved.title not in public


def test_it_keeps_both_rounds_of_two_sessions_recording_the_month(world):
    """Two sessions open the branch's month and each submits it: each post adds its own
    records, neither overwrites the other's, the same form posted again adds nothing."""
    a_pledge, b_pledge = running(world, 2)
    a, b = Client(), Client()
    a.force_login(world.secretary)
    b.force_login(world.secretary)
    forms = {
        a: {f"text_{a_pledge.pk}": "甲：走访", "form_token": uuid.uuid4().hex},
        b: {f"text_{a_pledge.pk}": "乙：慰问", f"text_{b_pledge.pk}": "乙：宣讲"},
    }
    forms[b]["form_token"] = uuid.uuid4().hex
    for session, form in forms.items():
        assert post(session, world, [], **form).status_code == 302
    post(b, world, [], **forms[b])  # a resend of B's form: refused by its token
    assert sorted(ProgressRecord.objects.values_list("pledge_id", "text")) == sorted(
        [(a_pledge.pk, "甲：走访"), (a_pledge.pk, "乙：慰问"), (b_pledge.pk, "乙：宣讲")]
    )
    assert set(Pledge.objects.values_list("status", flat=True)) == {Pledge.Status.IN_PROGRESS}
