"""The public pages: no login, only what was published, from the cache."""

import itertools

import pytest
from django.core.cache import cache
from django.urls import reverse

from publicity.models import Opinion
from publicity.services import notice as notice_services
from publicity.services import opinion as opinion_services
from tests.factories import compose_notice, publish_notice

# Each call from its own address: the same text from one address is taken once.
_CALLS = itertools.count(1)


def _published_everything(w):
    """A live notice of every kind, a published opinion and a pending one."""
    notices = [
        publish_notice(
            w,
            compose_notice(w, kind=kind, month=w.record.date.month if kind == "progress" else None),
        )
        for kind in ("pledges", "progress", "closures", "reviews", "evaluations", "assessments")
    ]
    published = opinion_services.opinion_submit(
        organization=w.branch,
        content=opinion_services.OpinionContent(text="建议增加路灯", contact="13700001111"),
        address=f"10.0.0.{next(_CALLS)}",
    )
    opinion_services.opinion_publish(
        opinion=published, by=w.secretary, reply="已列入计划", version=1
    )
    opinion_services.opinion_submit(
        organization=w.branch,
        content=opinion_services.OpinionContent(text="未审核的意见不得公开"),
        address=f"10.0.0.{next(_CALLS)}",
    )
    rejected = opinion_services.opinion_submit(
        organization=w.branch,
        content=opinion_services.OpinionContent(text="被拒绝的意见不得公开"),
        address=f"10.0.0.{next(_CALLS)}",
    )
    opinion_services.opinion_reject(opinion=rejected, by=w.secretary, reason="与本组织无关")
    return notices, published


def _public_urls(w, notices, opinion):
    org = w.branch.pk
    urls = [
        reverse("publicity:index"),
        reverse("publicity:index") + "?q=东街",
        reverse("publicity:organization", args=[org]),
        reverse("publicity:org_feed", args=[org]),
        reverse("publicity:org_json", args=[org]),
        reverse("publicity:print_org_poster", args=[org]),
        reverse("publicity:opinion", args=[org, opinion.pk]),
        reverse("publicity:organization", args=[w.town.pk]),
    ]
    for n in notices:
        urls += [
            reverse("publicity:notice", args=[org, n.pk]),
            reverse("publicity:print_notice_poster", args=[org, n.pk]),
        ]
    for p in (w.published, w.running, w.closed):
        urls.append(reverse("publicity:pledge", args=[org, p.pk]))
    return urls


NEVER = [
    "草稿承诺不得公开",
    "待审承诺不得公开",
    "退回承诺不得公开",
    "内部问题不得公开",
    "内部整改不得公开",
    "评议人意见不得公开",
    "未审核的意见不得公开",
    "被拒绝的意见不得公开",
    "13912345678",  # a member's phone on the roster
    "13800138000",  # a phone typed into a progress record
    "13700001111",  # an opinion's contact
    "草稿公示不得公开",
    "待审公示不得公开",
]


def test_it_never_publishes_what_must_not_be(client, pub):
    notices, opinion = _published_everything(pub)
    compose_notice(pub, title="草稿公示不得公开")
    pending = compose_notice(pub, kind="closures", title="待审公示不得公开")
    notice_services.notice_submit(notice=pending, by=pub.secretary)
    seen = ""
    for url in _public_urls(pub, notices, opinion):
        response = client.get(url)
        assert response.status_code == 200, url
        seen += response.content.decode()
    for text in NEVER:
        assert text not in seen, text
    # ...while what was published is there.
    for text in ("修缮社区活动室", "记实不及时", "建议增加路灯", "已列入计划", "〔号码已隐去〕"):
        assert text in seen, text


@pytest.mark.parametrize("status", ["draft", "submitted", "returned"])
def test_it_answers_404_for_a_notice_not_approved(client, pub, status):
    notice = compose_notice(pub)
    notice.status = status
    notice.save()
    url = reverse("publicity:notice", args=[pub.branch.pk, notice.pk])
    assert client.get(url).status_code == 404


def test_it_answers_404_for_an_unpublished_pledge_and_opinion(client, pub):
    assert (
        client.get(reverse("publicity:pledge", args=[pub.branch.pk, pub.draft.pk])).status_code
        == 404
    )
    pending = opinion_services.opinion_submit(
        organization=pub.branch,
        content=opinion_services.OpinionContent(text="x"),
        address="1.1.1.1",
    )
    url = reverse("publicity:opinion", args=[pub.branch.pk, pending.pk])
    assert client.get(url).status_code == 404


def test_it_shows_a_withdrawn_notice_as_withdrawn_without_its_content(client, pub):
    notice = publish_notice(pub, compose_notice(pub))
    notice_services.notice_withdraw(notice=notice, by=pub.secretary, reason="事项名称有误")
    html = client.get(notice.public_url()).content.decode()
    assert "事项名称有误" in html and "撤回原因" in html
    assert "修缮社区活动室" not in html


def test_it_shows_both_versions_of_a_corrected_notice(client, pub):
    old = publish_notice(pub, compose_notice(pub))
    new = notice_services.notice_correct(
        notice=old,
        by=pub.secretary,
        note="补充一项承诺",
        content=notice_services.NoticeContent(
            title=old.title,
            intro="",
            starts_on=old.starts_on,
            ends_on=old.ends_on,
            sources=[f"pledge:{pub.published.pk}"],
        ),
    )
    publish_notice(pub, new)
    old_html = client.get(old.public_url()).content.decode()
    new_html = client.get(new.public_url()).content.decode()
    assert "本公示已更正" in old_html and new.public_url() in old_html
    assert "补充一项承诺" in new_html and old.public_url() in new_html


def test_it_refreshes_the_org_page_when_a_notice_is_approved(client, pub):
    url = reverse("publicity:organization", args=[pub.branch.pk])
    assert "东街社区党支部亮诺公示" not in client.get(url).content.decode()
    publish_notice(pub, compose_notice(pub))
    assert "东街社区党支部亮诺公示" in client.get(url).content.decode()


def test_it_refreshes_the_org_page_when_a_pledge_changes_state(client, pub):
    url = reverse("publicity:organization", args=[pub.branch.pk])
    assert "草稿承诺不得公开" not in client.get(url).content.decode()
    pub.draft.status = "published"
    pub.draft.save()
    assert "草稿承诺不得公开" in client.get(url).content.decode()


def test_it_serves_a_cached_page_without_any_query(client, pub, django_assert_num_queries):
    notices, opinion = _published_everything(pub)
    urls = _public_urls(pub, notices, opinion)
    for url in urls:
        client.get(url)
    for url in urls:
        with django_assert_num_queries(0):
            assert client.get(url).status_code == 200


def _count(client, url, django_assert_num_queries, n):
    cache.clear()
    with django_assert_num_queries(n):
        assert client.get(url).status_code == 200


ORG_PAGE_QUERIES = 12


def test_it_reads_the_org_page_in_a_fixed_number_of_queries(client, pub, django_assert_num_queries):
    url = reverse("publicity:organization", args=[pub.branch.pk])
    publish_notice(pub, compose_notice(pub))
    _count(client, url, django_assert_num_queries, ORG_PAGE_QUERIES)
    for _ in range(5):
        _published_everything(pub)
    _count(client, url, django_assert_num_queries, ORG_PAGE_QUERIES)


def test_it_reads_a_notice_page_in_a_fixed_number_of_queries(
    client, pub, django_assert_num_queries
):
    one = publish_notice(pub, compose_notice(pub, sources=[f"pledge:{pub.published.pk}"]))
    many = publish_notice(pub, compose_notice(pub))
    for notice in (one, many):
        _count(client, notice.public_url(), django_assert_num_queries, 5)
        _count(
            client,
            reverse("publicity:print_notice_poster", args=[pub.branch.pk, notice.pk]),
            django_assert_num_queries,
            3,
        )


@pytest.mark.parametrize(
    ("name", "queries"),
    [("org_feed", 3), ("org_json", 3), ("org_qr", 1), ("print_org_poster", 1)],
)
def test_it_reads_the_open_data_in_a_fixed_number_of_queries(
    client, pub, django_assert_num_queries, name, queries
):
    url = reverse(f"publicity:{name}", args=[pub.branch.pk])
    publish_notice(pub, compose_notice(pub, sources=[f"pledge:{pub.published.pk}"]))
    _count(client, url, django_assert_num_queries, queries)
    publish_notice(pub, compose_notice(pub, kind="reviews"))
    publish_notice(pub, compose_notice(pub, kind="closures"))
    _count(client, url, django_assert_num_queries, queries)


def test_it_reads_the_finder_in_a_fixed_number_of_queries(client, pub, django_assert_num_queries):
    _count(client, reverse("publicity:index"), django_assert_num_queries, 1)
    _count(client, reverse("publicity:index") + "?q=支部", django_assert_num_queries, 1)


def test_it_reads_a_pledge_and_an_opinion_page_in_a_fixed_number_of_queries(
    client, pub, django_assert_num_queries
):
    _notices, opinion = _published_everything(pub)
    _count(
        client,
        reverse("publicity:pledge", args=[pub.branch.pk, pub.published.pk]),
        django_assert_num_queries,
        3,
    )
    _count(client, opinion.public_url(), django_assert_num_queries, 3)


def test_it_gives_the_live_notices_as_atom_and_json(client, pub):
    notice = publish_notice(pub, compose_notice(pub))
    feed = client.get(reverse("publicity:org_feed", args=[pub.branch.pk]))
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert notice.title in feed.content.decode()
    data = client.get(reverse("publicity:org_json", args=[pub.branch.pk])).json()
    assert data["notices"][0]["title"] == notice.title
    assert data["notices"][0]["items"]


def test_it_draws_a_qr_code_of_the_public_address(client, pub):
    notice = publish_notice(pub, compose_notice(pub))
    for url in (
        reverse("publicity:org_qr", args=[pub.branch.pk]),
        reverse("publicity:notice_qr", args=[pub.branch.pk, notice.pk]),
    ):
        response = client.get(url)
        assert response["Content-Type"] == "image/svg+xml"
        assert b"<svg" in response.content


def test_it_finds_an_organization_by_name(client, pub):
    html = client.get(reverse("publicity:index") + "?q=西街").content.decode()
    assert "西街社区党支部" in html and "东街社区党支部" not in html


@pytest.mark.parametrize(("q", "status"), [("%00", 400), ("x" * 5000, 200), ("%E2%98%83", 200)])
def test_it_answers_odd_searches_without_error(client, pub, q, status):
    # A NUL is refused by core.middleware with its Chinese page, never a 500.
    assert client.get(reverse("publicity:index") + f"?q={q}").status_code == status


def test_it_shows_the_opinion_rectification_progress(client, pub):
    _notices, opinion = _published_everything(pub)
    assert Opinion.objects.public().count() == 1
    html = client.get(opinion.public_url()).content.decode()
    assert "已列入计划" in html


def test_it_answers_a_hit_before_the_session_with_the_same_headers(client, pub):
    url = reverse("publicity:organization", args=[pub.branch.pk])
    first = client.get(url)
    again = client.get(url)
    assert again.content == first.content
    assert again["X-Frame-Options"] == "DENY" and again["Cache-Control"] == first["Cache-Control"]
    assert "sessionid" not in again.cookies and "csrftoken" not in again.cookies
