"""Findings of walking through the year page (一年一总评), pinned down."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviews.models import AnnualAssessment, DutyReportTally
from tests.factories import (
    MemberFactory,
    UserFactory,
    make_position,
    rate_month,
    record,
    submitted_duty_report,
)

Grade = AnnualAssessment.Grade


def test_it_prints_the_saved_grades_as_text_not_as_form_controls(client, world):
    record(world, org=world.branch, grade=Grade.FAIRLY_GOOD, exemplary=True, remark="有特色")
    client.force_login(world.office)
    html = client.get(reverse("reviews:assessment", args=[world.town.pk])).content.decode()
    row = next(
        r
        for r in re.findall(r'<tr data-testid="assessment-row">.*?</tr>', html, flags=re.S)
        if world.branch.name in r
    )
    # The office edits on screen; on paper the same cells read 较好 ★ and the remark.
    assert re.search(r'<span class="print-only" data-testid="print-grade">较好</span>', row)
    assert '<span class="print-only">★</span>' in row
    assert '<span class="print-only small">有特色</span>' in row
    for control in re.findall(r"<(?:select|input)[^>]*>", row):
        assert "no-print" in control


PAGES = [
    # 15, one for the monthly standings and 述职 测评, one for the honours of the selection
    ("office", "/reviews/assessment/{town}/", 17),
]


@pytest.mark.parametrize("rows", [1, 4])
@pytest.mark.parametrize(("who", "url", "queries"), PAGES)
def test_it_reads_each_page_in_a_fixed_number_of_queries(
    assert_page_queries, who, url, queries, rows
):
    assert_page_queries(who, url, queries, rows)


@pytest.mark.parametrize("who", ["stranger", "far_office", "other_member_user"])
def test_it_refuses_a_stranger_the_assessment_save(world, client, who):
    client.force_login(getattr(world, who))
    url = reverse("reviews:assessment", args=[world.branch.pk])
    year = timezone.localdate().year
    prefix = f"o{world.branch.pk}"
    data = {"year": year, f"{prefix}-grade": "good", f"{prefix}-remark": "好"}
    assert client.post(url, data).status_code == 404
    assert not AnnualAssessment.objects.exists()


def _form_fields(html: str) -> dict[str, str]:
    """What the browser would post back untouched: each line's hidden version and grade."""
    fields = dict(
        re.findall(r'<input type="hidden"(?: class="[^"]*")? name="([^"]+)" value="([^"]*)"', html)
    )
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        fields[name] = chosen.group(1) if chosen else ""
    fields.pop("csrfmiddlewaretoken", None)
    return fields


@pytest.fixture
def two_offices(world):
    """Two office sessions on the branch's year page (A: world.office, B: a colleague)."""
    colleague = UserFactory(username="office_b", first_name="王", last_name="")
    make_position(colleague, world.town, "office")
    a, b = Client(), Client()
    a.force_login(world.office)
    b.force_login(colleague)
    url = reverse("reviews:assessment", args=[world.branch.pk])
    return a, b, url


def test_it_keeps_a_grade_saved_after_the_other_session_opened(world, two_offices):
    """Session B, opened before A saved, saves member 9 only: A's grade for member 8 stays."""
    a, b, url = two_offices
    eight, nine = world.member, MemberFactory(name="王五", organization=world.branch)
    seen_by_a = _form_fields(a.get(url).content.decode())
    seen_by_b = _form_fields(b.get(url).content.decode())
    a.post(url, {**seen_by_a, f"m{eight.pk}-grade": Grade.GOOD})
    page = b.post(url, {**seen_by_b, f"m{nine.pk}-grade": Grade.AVERAGE}, follow=True)
    assert "已保存 1 条总评" in page.content.decode()
    grades = dict(AnnualAssessment.objects.values_list("member_id", "grade"))
    assert grades == {eight.pk: Grade.GOOD, nine.pk: Grade.AVERAGE}


def test_it_refuses_the_second_grade_of_the_same_line(world, two_offices):
    a, b, url = two_offices
    seen_by_a = _form_fields(a.get(url).content.decode())
    seen_by_b = _form_fields(b.get(url).content.decode())
    line = f"m{world.member.pk}-grade"
    a.post(url, {**seen_by_a, line: Grade.GOOD})
    text = b.post(url, {**seen_by_b, line: Grade.POOR}, follow=True).content.decode()
    assert "张三：" in text and "已被修改" in text and "最近一次由" in text
    assert AnnualAssessment.objects.get().grade == Grade.GOOD


def test_it_refuses_to_clear_a_grade_changed_in_the_other_session(world, two_offices):
    a, b, url = two_offices
    first = record(world, member=world.member, grade=Grade.GOOD)
    seen_by_a = _form_fields(a.get(url).content.decode())
    seen_by_b = _form_fields(b.get(url).content.decode())
    line = f"m{world.member.pk}"
    a.post(url, {**seen_by_a, f"{line}-grade": Grade.AVERAGE})
    text = b.post(url, {**seen_by_b, f"{line}-clear": "on"}, follow=True).content.decode()
    assert "已被修改" in text
    assert AnnualAssessment.objects.get(pk=first.pk).grade == Grade.AVERAGE


def test_it_clears_a_grade_on_the_explicit_mark(world, client):
    record(world, member=world.member)
    client.force_login(world.office)
    url = reverse("reviews:assessment", args=[world.branch.pk])
    fields = _form_fields(client.get(url).content.decode())
    client.post(url, {**fields, f"m{world.member.pk}-grade": ""})
    assert AnnualAssessment.objects.exists()
    client.post(url, {**fields, f"m{world.member.pk}-clear": "on"})
    assert not AnnualAssessment.objects.exists()


@pytest.mark.parametrize("members", [1, 5])
def test_it_shows_each_subject_s_duty_report_tally_and_monthly_standing_in_fixed_queries(
    world, client, django_assert_num_queries, members
):
    """The branch and its members side by side: 述职 with its 测评, the year's 每月评比."""
    made = [world.member] + [MemberFactory(organization=world.branch) for _ in range(members - 1)]
    rate_month(world, {m: ["good", "good", "fairly_good"] for m in made}, publish=True)
    report = submitted_duty_report(world)
    for m in made:
        submitted_duty_report(world, member=m)
    DutyReportTally.objects.create(
        report=report, audience="members", held_on=timezone.localdate(), good=20, average=3
    )
    client.force_login(world.office)
    url = reverse("reviews:assessment", args=[world.branch.pk])
    with django_assert_num_queries(19):
        html = client.get(url).content.decode()
    rows = re.findall(r'<tr data-testid="assessment-row">.*?</tr>', html, flags=re.S)
    branch_row = next(r for r in rows if world.branch.name in r)
    member_row = next(r for r in rows if "张三" in r)
    assert "向党员群众述职：20/0/3/0" in branch_row
    assert "好×1" in member_row and "已提交" in member_row
