"""Working pages of notices: compose, submit, approve, withdraw, correct; who may."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pledges.models import Pledge
from publicity.models import Notice
from publicity.services import notice as notice_services
from tests.factories import branch_pledge, compose_notice, publish_notice


def TODAY():  # read at each use: a run may cross midnight in Asia/Shanghai
    return timezone.localdate()


def _compose_post(client, w, sources):
    url = (
        reverse("publicity:notice_compose", args=[w.branch.pk])
        + f"?kind=pledges&year={TODAY().year}"
    )
    return client.post(
        url,
        {
            "title": "亮诺公示",
            "intro": "欢迎监督",
            "starts_on": TODAY().isoformat(),
            "ends_on": (TODAY() + datetime.timedelta(days=6)).isoformat(),
            "sources": sources,
        },
    )


def test_it_composes_submits_approves_and_publishes_through_the_pages(client, pub):
    client.force_login(pub.secretary)
    page = client.get(reverse("publicity:notice_compose", args=[pub.branch.pk]) + "?kind=pledges")
    html = page.content.decode()
    assert "修缮社区活动室" in html and "checked" in html and "草稿承诺不得公开" not in html
    response = _compose_post(client, pub, [f"pledge:{pub.published.pk}"])
    notice = Notice.objects.get()
    assert response.status_code == 302 and notice.items.count() == 1
    client.post(reverse("publicity:notice_submit", args=[notice.pk]))
    client.force_login(pub.office)
    client.post(reverse("publicity:notice_approve", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.status == "approved"
    client.logout()
    assert (
        "亮诺公示"
        in client.get(reverse("publicity:organization", args=[pub.branch.pk])).content.decode()
    )


def test_it_keeps_the_form_on_a_refused_compose(client, pub):
    client.force_login(pub.secretary)
    response = _compose_post(client, pub, [f"pledge:{pub.draft.pk}"])
    assert response.status_code == 200
    assert not Notice.objects.exists()


@pytest.mark.parametrize("who", ["other_secretary", "member_user", "stranger", "far_office"])
def test_it_refuses_a_stranger_every_notice_page_and_move(client, pub, who):
    notice = compose_notice(pub)
    client.force_login(getattr(pub, who))
    # A member sees his own branch but may not compose for it; to the others it is not there.
    refused = 403 if who == "member_user" else 404
    assert (
        client.get(reverse("publicity:notice_compose", args=[pub.branch.pk])).status_code == refused
    )
    for name in ("notice_detail", "notice_edit", "notice_correct"):
        assert client.get(reverse(f"publicity:{name}", args=[notice.pk])).status_code == 404
    for name in (
        "notice_submit",
        "notice_approve",
        "notice_return",
        "notice_withdraw",
        "notice_delete_draft",
    ):
        response = client.post(reverse(f"publicity:{name}", args=[notice.pk]), {"reason": "x"})
        assert response.status_code == 404
    assert Notice.objects.get().status == "draft"


def test_it_refuses_a_get_on_a_move(client, pub):
    notice = compose_notice(pub)
    client.force_login(pub.secretary)
    assert client.get(reverse("publicity:notice_submit", args=[notice.pk])).status_code == 405


def test_it_withdraws_through_the_page_with_a_reason(client, pub):
    notice = publish_notice(pub, compose_notice(pub))
    client.force_login(pub.secretary)
    client.post(reverse("publicity:notice_withdraw", args=[notice.pk]), {"reason": ""})
    assert Notice.objects.get().status == "approved"
    client.post(reverse("publicity:notice_withdraw", args=[notice.pk]), {"reason": "有误"})
    assert Notice.objects.get().status == "withdrawn"


def test_it_puts_a_pledge_on_the_next_notice_from_the_pledge_page(client, pub):
    client.force_login(pub.secretary)
    html = client.get(reverse("pledges:pledge", args=[pub.published.pk])).content.decode()
    assert reverse("publicity:notice_add_pledge", args=[pub.published.pk]) in html
    response = client.post(reverse("publicity:notice_add_pledge", args=[pub.published.pk]))
    notice = Notice.objects.get()
    assert response.url == notice.get_absolute_url()
    assert notice.items.get().source == f"pledge:{pub.published.pk}"


def test_it_refuses_one_click_to_a_stranger(client, pub):
    client.force_login(pub.other_secretary)
    response = client.post(reverse("publicity:notice_add_pledge", args=[pub.published.pk]))
    assert response.status_code == 404 and not Notice.objects.exists()


def test_it_lists_notices_in_a_fixed_number_of_queries(client, pub, django_assert_num_queries):
    client.force_login(pub.office)
    url = reverse("publicity:notice_list")
    compose_notice(pub)
    client.get(url)
    with django_assert_num_queries(9):
        client.get(url)
    for _ in range(5):
        compose_notice(pub)
    with django_assert_num_queries(9):
        client.get(url)


def test_it_reads_a_notice_page_in_a_fixed_number_of_queries(
    client, pub, django_assert_num_queries
):
    client.force_login(pub.office)
    one = compose_notice(pub, sources=[f"pledge:{pub.published.pk}"])
    many = compose_notice(pub)
    for notice in (one, many):
        client.get(notice.get_absolute_url())
        with django_assert_num_queries(8):
            client.get(notice.get_absolute_url())


@pytest.mark.parametrize("page", ["notice_compose", "notice_edit", "notice_correct"])
def test_it_reads_each_compose_page_in_a_fixed_number_of_queries(
    client, pub, django_assert_num_queries, page
):
    """The form lists the organization's candidates: one more pledge costs nothing more."""
    client.force_login(pub.secretary)
    notice = compose_notice(pub)
    if page == "notice_correct":
        notice = publish_notice(pub, notice)
    pk = pub.branch.pk if page == "notice_compose" else notice.pk
    url = reverse(f"publicity:{page}", args=[pk])
    queries = 7
    for _ in range(2):
        client.get(url)
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200
        branch_pledge(pub, Pledge.Status.PUBLISHED, "再亮一诺")


def test_it_carries_the_version_through_the_edit_page(pub, client):
    notice = compose_notice(pub)
    client.force_login(pub.secretary)
    url = reverse("publicity:notice_edit", args=[notice.pk])
    page = client.get(url).content.decode()
    assert f'name="version" value="{notice.edit_version}"' in page
    data = {
        "title": "新标题",
        "intro": "",
        "starts_on": notice.starts_on.isoformat(),
        "ends_on": notice.ends_on.isoformat(),
        "sources": list(notice.items.values_list("source", flat=True)),
    }
    response = client.post(url, data)
    assert "缺少版本信息" in response.content.decode()
    response = client.post(url, {**data, "version": notice.edit_version})
    assert response.status_code == 302
    assert Notice.objects.get(pk=notice.pk).title == "新标题"


# (move, the state it starts from, the state after it, who makes it, what the form posts)
NOTICE_MOVES = [
    ("notice_submit", "draft", "submitted", "secretary", {}),
    ("notice_approve", "submitted", "approved", "office", {}),
    ("notice_return", "submitted", "returned", "office", {"reason": "甲的原因"}),
    ("notice_withdraw", "approved", "withdrawn", "office", {"reason": "甲的原因"}),
    ("notice_delete_draft", "draft", None, "secretary", {}),
]


@pytest.mark.parametrize(("move", "start", "end", "who", "data"), NOTICE_MOVES)
def test_it_refuses_the_second_of_two_sessions_making_the_same_notice_move(
    pub, move, start, end, who, data
):
    notice = compose_notice(pub)
    if start == "submitted":
        notice_services.notice_submit(notice=notice, by=pub.secretary)
    if start == "approved":
        publish_notice(pub, notice)
    url = reverse(f"publicity:{move}", args=[notice.pk])
    a, b = Client(), Client()
    a.force_login(getattr(pub, who))
    b.force_login(getattr(pub, who))
    a.post(url, data)
    after_a = list(Notice.objects.values_list("pk", "status", "edit_version"))
    second = b.post(url, {k: v.replace("甲", "乙") for k, v in data.items()}, follow=True)
    assert second.status_code == 404 or "alert-danger" in second.content.decode()
    assert list(Notice.objects.values_list("pk", "status", "edit_version")) == after_a
    if end is None:
        assert not Notice.objects.filter(pk=notice.pk).exists()
    else:
        notice.refresh_from_db()
        assert notice.status == end


def test_it_keeps_the_drafts_two_sessions_compose(pub):
    """Two sessions of the secretary compose a notice: each post adds its own draft with its
    own items; neither replaces the other's."""
    a, b = Client(), Client()
    a.force_login(pub.secretary)
    b.force_login(pub.secretary)
    assert _compose_post(a, pub, [f"pledge:{pub.published.pk}"]).status_code == 302
    assert _compose_post(b, pub, [f"pledge:{pub.running.pk}"]).status_code == 302
    drafts = Notice.objects.order_by("pk")
    assert [n.status for n in drafts] == ["draft", "draft"]
    assert [list(n.items.values_list("source", flat=True)) for n in drafts] == [
        [f"pledge:{pub.published.pk}"],
        [f"pledge:{pub.running.pk}"],
    ]


def test_it_puts_a_pledge_once_on_the_notice_when_two_sessions_click(pub):
    """Both sessions press 加入公示 on the same pledge: one draft, one item for it; the second
    click is no error and writes nothing twice."""
    a, b = Client(), Client()
    a.force_login(pub.secretary)
    b.force_login(pub.secretary)
    url = reverse("publicity:notice_add_pledge", args=[pub.published.pk])
    assert a.post(url).status_code == 302
    after_a = list(Notice.objects.values_list("pk", "status", "edit_version"))
    second = b.post(url, follow=True)
    assert second.status_code == 200 and "alert-danger" not in second.content.decode()
    assert list(Notice.objects.values_list("pk", "status", "edit_version")) == after_a
    assert list(Notice.objects.get().items.values_list("source", flat=True)) == [
        f"pledge:{pub.published.pk}"
    ]
