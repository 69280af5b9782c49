"""The public pages: no login, only what was published, from the cache."""

import io
import itertools
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from pledges.rules.pledge_content import PledgeContent
from pledges.services import pledge as pledge_services
from pledges.services import progress as progress_services
from publicity.models import Opinion
from publicity.services import notice as notice_services
from publicity.services import opinion as opinion_services
from tests.factories import (
    PledgeFactory,
    UserFactory,
    branch_pledge,
    compose_notice,
    gps_jpeg,
    make_ended_evaluation,
    make_org,
    make_public_review,
    make_review_item,
    publish_notice,
    today,
)

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


def _png_urls(w, notices) -> list[str]:
    org = w.branch.pk
    urls = [reverse(f"publicity:{name}", args=[org]) for name in ("org_qr_png", "org_poster_png")]
    for n in notices:
        urls += [
            reverse(f"publicity:{name}", args=[org, n.pk])
            for name in ("notice_qr_png", "notice_poster_png")
        ]
    return urls


def test_it_serves_a_cached_page_without_any_query(client, pub, django_assert_num_queries):
    notices, opinion = _published_everything(pub)
    urls = _public_urls(pub, notices, opinion) + _png_urls(pub, notices)
    for url in urls:
        client.get(url)
    for url in urls:
        with django_assert_num_queries(0):
            assert client.get(url).status_code == 200


def _count(client, url, django_assert_num_queries, n):
    cache.clear()
    with django_assert_num_queries(n):
        assert client.get(url).status_code == 200


# 13 for the lists (one of them the latest published 每月评比); 4 counter reads for the figures
# at a glance (pledges, their overdue deadline buckets, rectification items, 销号 per month);
# 1 for the year's calendar (its rhythm, and the words of the reviews' grades).
ORG_PAGE_QUERIES = 18


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
    # 3 for the page; 4 for the timeline (moves, public records, public photos, 再承诺).
    _count(
        client,
        reverse("publicity:pledge", args=[pub.branch.pk, pub.published.pk]),
        django_assert_num_queries,
        7,
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


def test_it_lets_nginx_keep_an_anonymous_page_ten_seconds(client, pub):
    # deploy/nginx-pledgebook.conf keeps a public page exactly as long as this header says.
    url = reverse("publicity:organization", args=[pub.branch.pk])
    miss, hit = client.get(url), client.get(url)
    assert miss["Cache-Control"] == hit["Cache-Control"] == "public, max-age=10"
    assert client.get(f"{url}?utm=qr")["Cache-Control"] == "public, max-age=10"


def test_it_lets_nobody_keep_a_public_page_seen_signed_in(client, pub):
    url = reverse("publicity:organization", args=[pub.branch.pk])
    client.get(url)  # in the cache: the signed-in visitor gets the hit
    client.force_login(UserFactory())
    for response in (client.get(url), client.get(reverse("publicity:index") + "?q=东街")):
        cache_control = response["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control
        assert "public" not in cache_control


# --- Progress at a glance, the pledge timeline, sharing (issue 16 §1–§3) ---


def _figures(html: str, testid: str = "figures") -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</dl>", start)]


def _figure(block: str, label: str) -> str:
    after = block[block.index(f"<dt>{label}</dt>") :]
    return after[after.index("<dd>") + 4 : after.index("</dd>")]


def test_it_shows_the_progress_of_a_branch_at_a_glance(client, pub):
    html = client.get(reverse("publicity:organization", args=[pub.branch.pk])).content.decode()
    block = _figures(html)
    # published, running, closed and unfulfilled are public; the draft, submitted and returned
    # pledges are not counted.
    assert _figure(block, "公开承诺") == "4"
    assert _figure(block, "践诺中") == "2"
    assert _figure(block, "已销号") == "1"
    assert _figure(block, "逾期") == "0"
    assert _figure(block, "未兑现 → 再承诺") == "1 → 0"
    assert _figure(block, "到期兑现率") == "50%"
    assert _figure(block, "群众满意率") == "100.0%"
    assert _figure(block, "整改未销号") == "1"  # the public review's item; not the internal one
    # The figures come before the notices: above the fold on a phone.
    assert html.index('data-testid="figures"') < html.index('data-testid="live-notices"')


def test_it_shows_each_child_with_its_figures_and_a_link_down(client, pub):
    late = branch_pledge(pub, "in_progress", "逾期的承诺", deadline=today() - timedelta(days=3))
    html = client.get(reverse("publicity:organization", args=[pub.town.pk])).content.decode()
    children = html[html.index('data-testid="children"') :]
    east = children[children.index("东街社区党支部") :]
    assert _figure(east, "公开承诺") == "5" and _figure(east, "逾期") == "1"
    west = children[children.index("西街社区党支部") :]
    assert _figure(west, "公开承诺") == "0"
    assert reverse("publicity:organization", args=[pub.branch.pk]) in children
    assert _figure(_figures(html), "逾期") == "1"  # the town counts its whole subtree
    assert late.title not in html  # a town page lists no branch's pledges


def test_it_draws_the_charts_with_a_table_beside_each(client, pub):
    html = client.get(reverse("publicity:organization", args=[pub.branch.pk])).content.decode()
    for testid, caption in (
        ("chart-months", "近12个月每月销号承诺数"),
        ("chart-satisfaction", "历次群众评议满意率"),
    ):
        figure = html[html.index(f'data-testid="{testid}"') :]
        figure = figure[: figure.index("</figure>")]
        assert 'role="img"' in figure and 'aria-labelledby="' in figure
        assert f'<caption id="{testid}-cap" class="muted">{caption}</caption>' in figure
        assert f'aria-labelledby="{testid}-cap"' in figure
        assert "<script" not in figure
    months = html[html.index('data-testid="chart-months"') :]
    assert f'<th scope="col">{today():%Y-%m}</th>' in months  # this month, 1 closed
    assert "100.0%" in html[html.index('data-testid="chart-satisfaction"') :]


def test_it_folds_the_archives(client, pub):
    notices, _opinion = _published_everything(pub)
    for n in notices[:2]:
        notice_services.notice_withdraw(notice=n, by=pub.secretary, reason="有误")
    html = client.get(reverse("publicity:organization", args=[pub.branch.pk])).content.decode()
    assert '<details class="archive card" data-testid="past-archive">' in html
    assert '<details class="archive card" data-testid="reviews-archive">' in html
    past = html[html.index('data-testid="past-archive"') :]
    assert "已撤回" in past[: past.index("</details>")]


def _committee_with(pub, children: int) -> int:
    committee = make_org(f"新区党委{children}", pub.county, level="committee")
    for i in range(children):
        child = make_org(f"新区第{i}支部", committee)
        PledgeFactory(owner_org=child, status="closed", closed_on=today(), created_by=pub.secretary)
        PledgeFactory(owner_org=child, status="in_progress", created_by=pub.secretary)
        review = make_public_review(child, reviewer=pub.leader)
        make_review_item(review)
        make_ended_evaluation(child, by=pub.secretary)
    return committee.pk


def test_it_reads_a_committee_page_in_the_same_queries_for_one_child_and_many(
    client, pub, django_assert_num_queries
):
    # One fewer than a branch's: no review of its own, so no items to prefetch.
    for children in (1, 6):
        url = reverse("publicity:organization", args=[_committee_with(pub, children)])
        _count(client, url, django_assert_num_queries, ORG_PAGE_QUERIES - 1)
        with django_assert_num_queries(0):
            assert client.get(url).status_code == 200


def test_it_shows_a_pledge_s_timeline_from_pledge_to_carry_over(client, pub):
    p = pledge_services.pledge_create(
        by=pub.member_user,
        owner_org=pub.branch,
        owner_member=pub.member,
        content=PledgeContent(
            kind="practical",
            title="开办社区夜校",
            measures="每周两课",
            deadline=today() + timedelta(days=10),
            expected_result="居民受益",
        ),
        year=today().year,
    )
    pledge_services.pledge_submit(pledge=p, by=pub.member_user)
    pledge_services.pledge_approve(pledge=p, by=pub.secretary)
    pledge_services.pledge_publish(pledge=p, by=pub.secretary)
    shown = progress_services.progress_add(pledge=p, by=pub.member_user, date=today(), text="开课")
    hidden = progress_services.progress_add(
        pledge=p, by=pub.secretary, date=today(), text="内部记实不公开"
    )
    progress_services.progress_record_set_public(
        record=hidden, by=pub.secretary, text=False, photos=False
    )
    pledge_services.pledge_mark_unfulfilled(pledge=p, by=pub.secretary, reason="场地未落实")
    later = pledge_services.pledge_carry_over(pledge=p, by=pub.secretary)
    html = client.get(reverse("publicity:pledge", args=[pub.branch.pk, p.pk])).content.decode()
    timeline = html[html.index('data-testid="timeline"') :]
    steps = re.findall(r'data-step="(\w+)"', timeline)
    assert steps == ["pledge", "approve", "publish", "progress", "unfulfilled", "carry"]
    assert shown.text in timeline and hidden.text not in html
    assert "场地未落实" in timeline and "已再承诺，待审核亮诺" in timeline
    # The owner of a public pledge is named for what he did; the secretary acts as the branch.
    assert "张三" in timeline and pub.secretary.username not in timeline
    assert later.pk and reverse("publicity:pledge", args=[pub.branch.pk, later.pk]) not in html
    org_page = client.get(reverse("publicity:organization", args=[pub.branch.pk])).content.decode()
    assert _figure(_figures(org_page), "未兑现 → 再承诺") == "2 → 1"


def test_it_shows_only_photos_made_public_and_without_exif(client, pub):
    upload = SimpleUploadedFile("现场.jpg", gps_jpeg(), content_type="image/jpeg")
    record = progress_services.progress_add(
        pledge=pub.running, by=pub.secretary, date=today(), text="现场照片", files=[upload]
    )
    evidence = record.evidence.get()
    url = reverse("publicity:photo", args=[pub.branch.pk, evidence.pk])
    page = reverse("publicity:pledge", args=[pub.branch.pk, pub.running.pk])
    assert client.get(url).status_code == 404  # private by default
    assert url not in client.get(page).content.decode()
    progress_services.progress_record_set_public(
        record=record, by=pub.secretary, text=True, photos=True
    )
    assert url in client.get(page).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    data = response.content
    assert b"Exif" not in data and b"PhoneModel" not in data
    assert not Image.open(io.BytesIO(data)).getexif()
    assert max(Image.open(io.BytesIO(data)).size) == 1024


def _meta(html: str, name: str) -> str:
    match = re.search(rf'<meta property="{name}" content="([^"]*)">', html)
    assert match, name
    return match.group(1)


def test_it_gives_every_public_page_share_metadata(client, pub, settings):
    settings.SITE_URL = "https://dangwu.example.cn/"
    notices, opinion = _published_everything(pub)
    for url in _public_urls(pub, notices, opinion):
        response = client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        assert _meta(html, "og:title") and _meta(html, "og:description"), url
        assert _meta(html, "og:url") == "https://dangwu.example.cn" + url.split("?")[0]
        image = _meta(html, "og:image")
        assert image.startswith("https://dangwu.example.cn/") and image.endswith(".png"), url


def test_it_defaults_the_site_address_for_share_links(client, pub, settings):
    settings.SITE_URL = ""
    html = client.get(reverse("publicity:organization", args=[pub.branch.pk])).content.decode()
    assert _meta(html, "og:url") == f"http://127.0.0.1:8000/public/org/{pub.branch.pk}/"
    assert _meta(html, "og:image").endswith(f"/public/org/{pub.branch.pk}/poster.png")


def test_it_prints_the_notice_page_on_a4(client, pub):
    notice = publish_notice(pub, compose_notice(pub))
    html = client.get(notice.public_url()).content.decode()
    css = (settings.BASE_DIR / "static" / "css" / "public.css").read_text()
    assert "@media print" in css and "size: A4" in css
    assert "css/public.css" in html
    # Nothing forced wider than the sheet (210 mm ≈ 794 px at 96 dpi).
    for width in re.findall(r"width:\s*(\d+)(px|mm)", html):
        assert int(width[0]) <= (794 if width[1] == "px" else 210)


def test_it_draws_the_qr_codes_and_posters_as_png(client, pub, django_assert_num_queries):
    notices, _opinion = _published_everything(pub)
    for url in _png_urls(pub, notices):
        response = client.get(url)
        assert response["Content-Type"] == "image/png", url
        image = Image.open(io.BytesIO(response.content))
        assert image.format == "PNG" and image.width >= 200
    _count(client, _png_urls(pub, notices)[1], django_assert_num_queries, 1)
    _count(client, _png_urls(pub, notices)[3], django_assert_num_queries, 2)


def test_it_keeps_the_opinions_of_two_sessions_and_takes_a_resent_one_once(world):
    """Two people open the opinion box and each sends an opinion: both land as separate rows,
    neither replaces the other; the same opinion sent again from the same address is refused
    with a message and not saved twice."""
    url = f"/public/org/{world.branch.pk}/opinions/submit/"
    a, b = Client(REMOTE_ADDR="10.7.7.1"), Client(REMOTE_ADDR="10.7.7.2")
    assert a.post(url, {"text": "甲：建议增加路灯"}).status_code == 302
    assert b.post(url, {"text": "乙：建议修缮活动室"}).status_code == 302
    again = b.post(url, {"text": "乙：建议修缮活动室"})
    assert "这条意见刚才已经收到" in again.content.decode()
    assert sorted(Opinion.objects.values_list("text", "status")) == [
        ("乙：建议修缮活动室", "pending"),
        ("甲：建议增加路灯", "pending"),
    ]
