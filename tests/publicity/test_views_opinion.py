"""Working pages of the opinion box: the queue, an opinion, its moves; who may."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from publicity.models import Opinion
from publicity.services import opinion as opinion_services


def TODAY():  # read at each use: a run may cross midnight in Asia/Shanghai
    return timezone.localdate()


def _opinion(w, text="建议增加路灯"):
    # A fresh address each time: the hourly limit is not what these tests are about.
    return opinion_services.opinion_submit(
        organization=w.branch,
        content=opinion_services.OpinionContent(text=text),
        address=f"10.9.9.{Opinion.objects.count()}",
    )


def test_it_moderates_through_the_queue(client, pub):
    opinion = _opinion(pub)
    client.force_login(pub.secretary)
    assert "建议增加路灯" in client.get(reverse("publicity:opinion_list")).content.decode()
    client.post(
        reverse("publicity:opinion_publish", args=[opinion.pk]), {"reply": "已安排", "version": 1}
    )
    assert Opinion.objects.get().status == "published"
    client.post(
        reverse("publicity:opinion_to_rectification", args=[opinion.pk]),
        {
            "problem": "路灯损坏",
            "target": "路灯修好",
            "measures": "更换",
            "responsible": "书记",
            "deadline": (TODAY() + datetime.timedelta(days=7)).isoformat(),
        },
    )
    assert Opinion.objects.get().rectification_item is not None


@pytest.mark.parametrize("who", ["other_secretary", "member_user", "leader", "stranger"])
def test_it_refuses_a_stranger_the_opinion_queue_and_moves(client, pub, who):
    opinion = _opinion(pub)
    client.force_login(getattr(pub, who))
    assert "建议增加路灯" not in client.get(reverse("publicity:opinion_list")).content.decode()
    assert client.get(reverse("publicity:opinion_detail", args=[opinion.pk])).status_code == 404
    for name in ("opinion_publish", "opinion_answer", "opinion_reject", "opinion_to_rectification"):
        assert client.post(reverse(f"publicity:{name}", args=[opinion.pk]), {}).status_code == 404
    assert Opinion.objects.get().status == "pending"


def test_it_lists_opinions_in_a_fixed_number_of_queries(client, pub, django_assert_num_queries):
    client.force_login(pub.office)
    url = reverse("publicity:opinion_list")
    _opinion(pub)
    client.get(url)
    with django_assert_num_queries(6):
        client.get(url)
    for n in range(5):
        _opinion(pub, text=f"意见{n}")
    with django_assert_num_queries(6):
        client.get(url)


def test_it_reads_an_opinion_page_in_a_fixed_number_of_queries(
    client, pub, django_assert_num_queries
):
    client.force_login(pub.office)
    for n in (1, 5):
        opinion = [_opinion(pub, text=f"意见{n}-{i}") for i in range(n)][-1]
        url = reverse("publicity:opinion_detail", args=[opinion.pk])
        client.get(url)
        with django_assert_num_queries(5):
            assert client.get(url).status_code == 200


def _version_on(page) -> str:
    return re.search(r'name="version" value="(\d+)"', page.content.decode()).group(1)


def test_it_refuses_the_second_reply_made_on_the_same_page(client, pub):
    """Two moderators open the opinion; the second reply never replaces the first."""
    opinion = _opinion(pub)
    detail = reverse("publicity:opinion_detail", args=[opinion.pk])
    publish = reverse("publicity:opinion_publish", args=[opinion.pk])
    a, b = Client(), Client()
    a.force_login(pub.secretary)
    b.force_login(pub.office)
    seen_by_a, seen_by_b = _version_on(a.get(detail)), _version_on(b.get(detail))
    first = a.post(publish, {"reply": "已安排维修", "version": seen_by_a}, follow=True)
    assert "意见已公开" in first.content.decode()
    second = b.post(publish, {"reply": "不同的答复", "version": seen_by_b}, follow=True)
    text = second.content.decode()
    assert "已被修改" in text and "意见已公开" not in text
    assert Opinion.objects.get().public_reply == "已安排维修"


def test_it_refuses_a_reply_without_a_version(client, pub):
    opinion = _opinion(pub)
    client.force_login(pub.secretary)
    client.post(reverse("publicity:opinion_publish", args=[opinion.pk]), {"reply": "无版本"})
    assert Opinion.objects.get().status == "pending"


@pytest.mark.parametrize(
    ("move", "field", "status"),
    [("opinion_answer", "answer", "answered"), ("opinion_reject", "reason", "rejected")],
)
def test_it_refuses_the_second_of_two_sessions_moving_the_opinion(pub, move, field, status):
    opinion = _opinion(pub)
    url = reverse(f"publicity:{move}", args=[opinion.pk])
    a, b = Client(), Client()
    a.force_login(pub.secretary)
    b.force_login(pub.office)
    a.post(url, {field: "甲写的"})
    text = b.post(url, {field: "乙写的"}, follow=True).content.decode()
    assert "alert-danger" in text
    opinion.refresh_from_db()
    assert opinion.status == status
    assert "乙写的" not in opinion.private_answer + opinion.reject_reason
