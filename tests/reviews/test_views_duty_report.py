"""The 述职 page: a pre-filled report, its submission and each audience's 测评."""

import re

import pytest
import segno
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviews.models import DutyReport, DutyReportTally
from reviews.services import duty_report as services
from tests.factories import (
    MemberFactory,
    PledgeFactory,
    UserFactory,
    make_position,
    rate_month,
    submitted_duty_report,
)


def _page(world, member=None) -> str:
    url = reverse("reviews:duty_report", args=[world.branch.pk])
    return f"{url}?year={timezone.localdate().year}" + (f"&member={member.pk}" if member else "")


def _save(world):
    return reverse("reviews:duty_report_save", args=[world.branch.pk])


def test_it_prefills_the_report_from_the_year(world, client):
    today = timezone.localdate()
    PledgeFactory(owner_org=world.branch, status="closed", closed_on=today, year=today.year)
    client.force_login(world.secretary)
    text = client.get(_page(world)).content.decode()
    assert "书记述职" in text and "公开承诺 1 项：已兑现销号 1 项" in text


def test_it_prefills_a_member_s_report_with_his_monthly_standing(world, client):
    rate_month(world, {world.member: ["good", "good", "good"]}, publish=True)
    client.force_login(world.member_user)
    text = client.get(_page(world, world.member)).content.decode()
    assert "每月评比：好×1" in text


def test_it_saves_submits_and_tallies(world, client):
    client.force_login(world.secretary)
    year = timezone.localdate().year
    client.post(_save(world), {"year": year, "text": "述职内容", "version": 0})
    report = DutyReport.objects.get()
    client.post(reverse("reviews:duty_report_submit", args=[report.pk]))
    tally = {
        "audience": "committee",
        "held_on": timezone.localdate().isoformat(),
        "good": 9,
        "fairly_good": 1,
        "average": 0,
        "poor": 0,
        "version": 0,
    }
    page = client.post(
        reverse("reviews:duty_report_tally", args=[report.pk]), tally, follow=True
    ).content.decode()
    assert "测评结果已保存" in page and "100%" in page
    assert DutyReportTally.objects.get().good == 9


@pytest.mark.parametrize("members", [1, 5])
def test_it_reads_the_page_in_a_fixed_number_of_queries(
    world, client, django_assert_num_queries, members
):
    for _ in range(members):
        MemberFactory(organization=world.branch)
    report = submitted_duty_report(world)
    submitted_duty_report(world, member=world.member)
    DutyReportTally.objects.create(
        report=report, audience="members", held_on=timezone.localdate(), good=members
    )
    services.duty_report_codes_issue(
        by=world.office, report=report, audience="members", count=members
    )
    client.force_login(world.office)
    with django_assert_num_queries(12):
        assert client.get(_page(world)).status_code == 200


@pytest.mark.parametrize("who", ["stranger", "far_office", "other_secretary", "other_member_user"])
def test_it_refuses_a_stranger(world, client, who):
    report = submitted_duty_report(world)
    client.force_login(getattr(world, who))
    assert client.get(_page(world)).status_code == 404
    year = timezone.localdate().year
    assert client.post(_save(world), {"year": year, "text": "x", "version": 1}).status_code == 404
    tally = reverse("reviews:duty_report_tally", args=[report.pk])
    assert client.post(tally, {"audience": "members"}).status_code == 404
    assert not DutyReportTally.objects.exists()


def test_it_refuses_the_older_of_two_report_saves(world):
    a, b = Client(), Client()
    a.force_login(world.secretary)
    b.force_login(world.secretary)
    year = timezone.localdate().year
    a.post(_save(world), {"year": year, "text": "A 的稿", "version": 0})
    text = b.post(
        _save(world), {"year": year, "text": "B 的稿", "version": 0}, follow=True
    ).content.decode()
    assert "已被修改" in text
    assert DutyReport.objects.get().text == "A 的稿"


def test_it_refuses_the_second_of_two_sessions_submitting(world, client):
    report = submitted_duty_report(world)
    client.force_login(world.secretary)
    page = client.post(
        reverse("reviews:duty_report_submit", args=[report.pk]), follow=True
    ).content.decode()
    assert "已经提交" in page


def test_it_refuses_the_older_of_two_tallies(world):
    colleague = UserFactory(username="office_b")
    make_position(colleague, world.town, "office")
    report = submitted_duty_report(world)
    url = reverse("reviews:duty_report_tally", args=[report.pk])
    base = {"audience": "members", "held_on": timezone.localdate().isoformat(), "version": 0}
    a, b = Client(), Client()
    a.force_login(world.office)
    b.force_login(colleague)
    a.post(url, {**base, "good": 5, "fairly_good": 0, "average": 0, "poor": 0})
    text = b.post(
        url, {**base, "good": 1, "fairly_good": 0, "average": 0, "poor": 9}, follow=True
    ).content.decode()
    assert "已被修改" in text
    assert DutyReportTally.objects.get().good == 5


def test_it_takes_a_member_to_his_own_report_and_lists_the_members_for_the_secretary(world, client):
    client.force_login(world.member_user)
    home = client.get(reverse("reviews:duty_report_home"))
    assert home.url.endswith(f"?member={world.member.pk}")
    client.force_login(world.secretary)
    text = client.get(_page(world)).content.decode()
    assert 'data-testid="member-reports"' in text and "张三" in text and "未撰写" in text


def test_it_takes_an_office_to_the_assessment_page_where_every_report_stands(world, client):
    client.force_login(world.office)
    home = client.get(reverse("reviews:duty_report_home"))
    assert home.status_code == 302
    assert home.url == reverse("reviews:assessment", args=[world.town.pk])


def _codes(world, client, report, count=3, audience="members"):
    client.force_login(world.secretary)
    url = reverse("reviews:duty_report_codes_issue", args=[report.pk])
    return client.post(url, {"audience": audience, "count": count})


def test_it_keeps_the_codes_both_sessions_issue(world):
    report = submitted_duty_report(world)
    a, b = Client(), Client()
    _codes(world, a, report, count=2)
    _codes(world, b, report, count=3)
    assert report.codes.count() == 5


def test_it_lets_a_person_present_grade_by_code_without_logging_in(
    world, client, django_assert_num_queries
):
    report = submitted_duty_report(world)
    _codes(world, client, report)
    client.logout()
    code = report.codes.first()
    url = reverse("reviews:duty_report_vote", args=[code.code])
    with django_assert_num_queries(1):
        page = client.get(url)
    assert "东街社区党支部书记" in page.content.decode()
    done = client.post(url, {"grade": "fairly_good"}, follow=True)
    assert 'data-testid="vote-done"' in done.content.decode()
    tally = DutyReportTally.objects.get()
    assert (tally.audience, tally.fairly_good, tally.total) == ("members", 1, 1)
    assert client.get(url).status_code == 410


def test_it_counts_a_code_once_when_two_sessions_vote_with_it(world, client):
    report = submitted_duty_report(world)
    _codes(world, client, report, count=1)
    url = reverse("reviews:duty_report_vote", args=[report.codes.get().code])
    a, b = Client(), Client()
    form_a, form_b = a.get(url), b.get(url)
    assert form_a.status_code == form_b.status_code == 200
    a.post(url, {"grade": "good"})
    assert b.post(url, {"grade": "poor"}).status_code == 410
    tally = DutyReportTally.objects.get()
    assert (tally.good, tally.poor) == (1, 0)


def test_it_refuses_an_unknown_code_and_codes_to_a_stranger(world, client):
    assert client.get(reverse("reviews:duty_report_vote", args=["ZZZZZZZZZZ"])).status_code == 404
    assert client.get(reverse("reviews:duty_report_vote", args=["x\x00"])).status_code == 404
    report = submitted_duty_report(world)
    client.force_login(world.leader)
    url = reverse("reviews:duty_report_codes_issue", args=[report.pk])
    assert client.post(url, {"audience": "members", "count": 3}).status_code == 403
    assert not report.codes.exists()


# --- the printable slips of the codes ------------------------------------------------------


def _slips(report, **query) -> str:
    url = reverse("reviews:duty_report_slips", args=[report.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_it_prints_a_slip_with_the_qr_of_each_unused_code_s_voting_address(world, client, settings):
    settings.SITE_URL = "https://pledges.example.cn/"
    report = submitted_duty_report(world)
    services.duty_report_codes_issue(by=world.secretary, report=report, audience="members", count=3)
    used = report.codes.first()
    services.duty_report_vote(code=used.code, grade="good", address="10.0.0.1")
    client.force_login(world.secretary)
    html = client.get(_slips(report)).content.decode()  # asked on "testserver"
    unused = list(report.codes.filter(used_on__isnull=True).order_by("id"))
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", html, flags=re.S)
    assert html.count('data-testid="slip"') == len(svgs) == 2
    assert used.code not in html
    year = timezone.localdate().year
    assert "东街社区党支部书记" in html and f"{year}年度述职测评（向党员群众述职）" in html
    for code, svg in zip(unused, svgs, strict=True):
        assert f'<div class="slip-code">{code.code}</div>' in html
        # Scaled by the stylesheet, and exactly the voting address on SITE_URL, whatever Host
        # the page was printed from.
        assert "viewBox=" in svg and "width=" not in svg.split(">", 1)[0]
        url = "https://pledges.example.cn" + reverse("reviews:duty_report_vote", args=[code.code])
        assert url in html
        expected = segno.make(url, error="m").svg_inline(border=4, omitsize=True)
        path = re.compile(r' d="([^"]+)"')
        assert path.search(svg).group(1) == path.search(expected).group(1)


def test_it_prints_the_slips_of_one_audience(world, client):
    report = submitted_duty_report(world)
    services.duty_report_codes_issue(by=world.secretary, report=report, audience="members", count=2)
    services.duty_report_codes_issue(
        by=world.secretary, report=report, audience="committee", count=1
    )
    client.force_login(world.office)
    assert client.get(_slips(report)).content.decode().count('data-testid="slip"') == 3
    html = client.get(_slips(report, audience="committee")).content.decode()
    assert html.count('data-testid="slip"') == 1 and "向上级党组织述职）" in html


def test_it_links_the_slips_from_the_report_for_whoever_issues_codes(world, client):
    report = submitted_duty_report(world)
    services.duty_report_codes_issue(by=world.secretary, report=report, audience="members", count=1)
    link = reverse("reviews:duty_report_slips", args=[report.pk])
    client.force_login(world.secretary)
    assert link in client.get(_page(world)).content.decode()
    client.force_login(world.leader)
    page = client.get(_page(world))
    assert page.status_code == 200 and link not in page.content.decode()


@pytest.mark.parametrize("count", [1, 7])
def test_it_reads_the_slips_in_a_fixed_number_of_queries(
    world, client, django_assert_num_queries, count
):
    report = submitted_duty_report(world)
    services.duty_report_codes_issue(
        by=world.office, report=report, audience="members", count=count
    )
    client.force_login(world.office)
    # Session, user, positions, member, report, count, codes.
    with django_assert_num_queries(7):
        page = client.get(_slips(report))
    assert page.content.decode().count('data-testid="slip"') == count


@pytest.mark.parametrize("who", ["stranger", "far_office", "other_secretary", "other_member_user"])
def test_it_hides_the_slips_from_a_stranger(world, client, who):
    report = submitted_duty_report(world)
    services.duty_report_codes_issue(by=world.secretary, report=report, audience="members", count=1)
    client.force_login(getattr(world, who))
    assert client.get(_slips(report)).status_code == 404


def test_it_refuses_the_slips_to_whoever_sees_the_report_but_may_not_issue_codes(world, client):
    report = submitted_duty_report(world)
    services.duty_report_codes_issue(by=world.secretary, report=report, audience="members", count=1)
    client.force_login(world.leader)
    assert client.get(_slips(report)).status_code == 403
    client.force_login(world.secretary)
    assert client.post(_slips(report)).status_code == 405
    client.logout()
    assert client.get(_slips(report)).status_code == 302
