"""意见箱: submission with honeypot and rate limit, moderation, opinion → rectification."""

import datetime
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from core import once
from core.errors import TransitionError
from publicity.models import Opinion
from publicity.services import opinion as opinion_services
from reviews.models import Quarter, RectificationItem
from reviews.selectors import dashboard as dash
from reviews.services import rectification as review_services

URL_NAME = "publicity:opinion_submit"


def _post(client, w, **data):
    fields = {"text": "路灯坏了很久", "name": "老王", "contact": "13700001111", "website": ""}
    fields.update(data)
    return client.post(reverse(URL_NAME, args=[w.branch.pk]), fields, REMOTE_ADDR="10.1.1.1")


def _opinion(w, text=""):
    # Each its own text: the same text from one address is taken once.
    text = text or f"建议增加路灯（第 {Opinion.objects.count() + 1} 条）"
    return opinion_services.opinion_submit(
        organization=w.branch,
        content=opinion_services.OpinionContent(text=text),
        address="10.9.9.9",
    )


def test_it_takes_an_opinion_without_login(client, pub):
    response = _post(client, pub)
    assert response.status_code == 302
    opinion = Opinion.objects.get()
    assert (opinion.text, opinion.status, opinion.contact) == (
        "路灯坏了很久",
        "pending",
        "13700001111",
    )


def test_it_ties_an_opinion_to_a_public_pledge_of_the_organization(client, pub):
    _post(client, pub, pledge=str(pub.published.pk))
    assert Opinion.objects.get().pledge == pub.published


def test_it_refuses_the_honeypot_and_keeps_the_text(client, pub):
    response = _post(client, pub, website="http://spam.example")
    html = response.content.decode()
    assert response.status_code == 200
    assert "提交未通过校验" in html and "路灯坏了很久" in html
    assert not Opinion.objects.exists()


def test_it_limits_each_address_to_five_an_hour_and_keeps_the_text(client, pub):
    for n in range(5):
        assert _post(client, pub, text=f"意见{n}").status_code == 302
    response = _post(client, pub, text="第六条意见")
    html = response.content.decode()
    assert "每小时最多提交 5 条" in html and "第六条意见" in html
    assert Opinion.objects.count() == 5
    other = client.post(
        reverse(URL_NAME, args=[pub.branch.pk]), {"text": "别处的意见"}, REMOTE_ADDR="10.2.2.2"
    )
    assert other.status_code == 302


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("text", "长" * 1001),
        ("name", "名" * 51),
        ("contact", "1" * 101),
        ("text", ""),
    ],
)
def test_it_refuses_oversized_or_odd_input_with_a_message(client, pub, field, value):
    response = _post(client, pub, **{field: value})
    assert response.status_code == 200
    assert 'class="errors"' in response.content.decode()
    assert not Opinion.objects.exists()


def test_it_refuses_a_nul_byte_with_a_page_and_stores_nothing(client, pub):
    response = _post(client, pub, text="a\x00b")
    assert response.status_code == 400
    assert "无效字符" in response.content.decode()
    assert not Opinion.objects.exists()


def test_it_answers_404_for_an_unknown_organization(client, pub):
    url = reverse(URL_NAME, args=[999999])
    assert client.post(url, {"text": "x"}).status_code == 404


def test_it_refuses_a_get_on_the_submit_address(client, pub):
    assert client.get(reverse(URL_NAME, args=[pub.branch.pk])).status_code == 405


def test_it_publishes_with_a_public_reply(pub):
    opinion = opinion_services.opinion_publish(
        opinion=_opinion(pub), by=pub.secretary, reply="已安排维修", version=1
    )
    assert (opinion.status, opinion.public_reply, opinion.moderated_by) == (
        "published",
        "已安排维修",
        pub.secretary,
    )


def test_it_answers_privately(pub):
    opinion = opinion_services.opinion_answer(
        opinion=_opinion(pub), by=pub.office, answer="已电话联系"
    )
    assert opinion.status == "answered" and opinion not in Opinion.objects.public()


def test_it_rejects_with_a_reason(pub):
    with pytest.raises(TransitionError):
        opinion_services.opinion_reject(opinion=_opinion(pub), by=pub.secretary, reason="")
    opinion = opinion_services.opinion_reject(
        opinion=_opinion(pub), by=pub.secretary, reason="重复"
    )
    assert opinion.status == "rejected"


@pytest.mark.parametrize(
    "who", ["other_secretary", "member_user", "leader", "stranger", "far_office"]
)
def test_it_refuses_moderation_by_a_stranger(pub, who):
    opinion = _opinion(pub)
    with pytest.raises(PermissionDenied):
        opinion_services.opinion_publish(opinion=opinion, by=getattr(pub, who), version=1)
    assert opinion not in Opinion.objects.visible_to(getattr(pub, who))


def _rectify(w, opinion, by=None):
    return opinion_services.opinion_to_rectification(
        opinion=opinion,
        by=by or w.secretary,
        content=opinion_services.RectificationContent(
            problem="路灯损坏",
            target="路灯全部修好",
            measures="联系供电所更换",
            responsible="书记",
            deadline=timezone.localdate() + datetime.timedelta(days=14),
        ),
    )


def test_it_turns_an_opinion_into_a_rectification_item_followed_to_closure(client, pub):
    opinion = opinion_services.opinion_publish(opinion=_opinion(pub), by=pub.secretary, version=1)
    opinion = _rectify(pub, opinion)
    item = opinion.rectification_item
    assert (item.organization, item.review, item.raised_by) == (pub.branch, None, pub.secretary)
    assert "整改中" in client.get(opinion.public_url()).content.decode()
    review_services.rectification_item_done(
        item=item, by=pub.secretary, measures_taken="已更换路灯 3 盏"
    )
    review_services.rectification_item_confirm(item=item, by=pub.office)
    html = client.get(opinion.public_url()).content.decode()
    assert "已更换路灯 3 盏" in html and "已销号" in html


def test_it_refuses_a_second_rectification_and_a_stranger(pub):
    opinion = _opinion(pub)
    with pytest.raises(PermissionDenied):
        _rectify(pub, opinion, by=pub.other_secretary)
    _rectify(pub, opinion)
    with pytest.raises(TransitionError):
        _rectify(pub, opinion)
    assert RectificationItem.objects.filter(review__isnull=True).count() == 1


def test_it_counts_opinions_and_replies_on_the_dashboard(pub):
    opinion_services.opinion_publish(
        opinion=_opinion(pub), by=pub.secretary, reply="已答复", version=1
    )
    opinion_services.opinion_answer(opinion=_opinion(pub), by=pub.secretary, answer="电话答复")
    _rectify(pub, _opinion(pub))
    figures = {str(f.label): f.value for f in dash.dashboard(pub.town, Quarter.current()).extras}
    opinions = {"群众意见": 3, "已公开意见": 1, "已答复意见": 2, "纳入整改": 1}
    # Other apps add their own figures beside these (reviews: overdue 整改通知书).
    assert {k: v for k, v in figures.items() if k in opinions} == opinions


def test_it_shows_the_counts_on_the_dashboard_page(client, pub):
    _opinion(pub)
    client.force_login(pub.office)
    html = client.get(reverse("reviews:dashboard", args=[pub.town.pk])).content.decode()
    assert "群众意见" in html and 'data-testid="extra-figure"' in html


def test_it_counts_each_citizen_behind_the_proxy_on_their_own(client, pub, settings):
    # nginx (deploy/) connects from 127.0.0.1 and overwrites X-Forwarded-For with the visitor.
    settings.TRUSTED_PROXY = True
    limit = opinion_services.OPINION_RATE_LIMIT
    for n in range(7):
        for k in range(limit if n == 0 else 1):
            response = client.post(
                reverse(URL_NAME, args=[pub.branch.pk]),
                {"text": f"群众{n}的第{k}条意见"},
                REMOTE_ADDR="127.0.0.1",
                HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}",
            )
            assert response.status_code == 302
    assert Opinion.objects.count() == limit + 6


def test_it_takes_the_same_text_from_the_same_address_once(client, pub):
    assert _post(client, pub).status_code == 302
    again = _post(client, pub, text="  路灯坏了很久 ")
    html = again.content.decode()
    assert again.status_code == 200 and "相同的内容只收一次" in html and "路灯坏了很久" in html
    assert Opinion.objects.count() == 1
    other = client.post(
        reverse(URL_NAME, args=[pub.branch.pk]), {"text": "路灯坏了很久"}, REMOTE_ADDR="10.2.2.2"
    )
    assert other.status_code == 302 and Opinion.objects.count() == 2


def test_it_takes_one_of_twenty_identical_opinions_sent_at_once(pub):
    # The claim is one atomic cache.add: however the 20 requests interleave, one wins.
    with ThreadPoolExecutor(max_workers=20) as pool:
        claims = list(
            pool.map(
                lambda _n: once.first_time("opinion", "10.1.1.1", "路灯", seconds=600), range(20)
            )
        )
    assert claims.count(True) == 1
    _opinion(pub, "建议增加路灯")
    with pytest.raises(TransitionError, match="只收一次"):
        _opinion(pub, "建议增加路灯")
    assert Opinion.objects.count() == 1
