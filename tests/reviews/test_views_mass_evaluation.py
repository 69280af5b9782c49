"""Findings of walking through the mass evaluation as each role, pinned down."""

import re

import pytest
import segno
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviews.models import EvaluationCode, EvaluationResponse, MassEvaluation, Satisfaction
from reviews.services import mass_evaluation as mass_evaluation_services
from tests.factories import MemberFactory, answer, codes_of, open_evaluation

S = Satisfaction


def _fieldsets(html: str) -> list[str]:
    return re.findall(r'<fieldset class="eval-item.*?</fieldset>', html, flags=re.S)


def test_it_shows_no_rating_error_before_a_submit(client, world):
    evaluation = open_evaluation(world, codes=1)
    html = client.get(
        reverse("reviews:mass_evaluation_form", args=[codes_of(evaluation)[0]])
    ).content.decode()
    assert "请对该党员作出评价" not in html and "请对党组织作出评价" not in html
    assert "has-error" not in html and 'data-testid="unrated-summary"' not in html


def test_it_marks_only_the_member_left_unrated(client, world):
    wang = MemberFactory(name="王五", organization=world.branch)
    evaluation = open_evaluation(world, members=[world.member, wang], codes=1)
    url = reverse("reviews:mass_evaluation_form", args=[codes_of(evaluation)[0]])
    page = client.post(url, {"rating": S.SATISFIED, f"m{world.member.pk}": S.BASIC})
    html = page.content.decode()
    assert page.status_code == 200 and EvaluationResponse.objects.count() == 0
    org_item, zhang_item, wang_item = _fieldsets(html)
    assert html.count("请对该党员作出评价") == 1 and "请对该党员作出评价" in wang_item
    assert "has-error" in wang_item and "has-error" not in zhang_item + org_item
    # What was chosen stays chosen, so the evaluator only fills the gap.
    assert re.search(r'value="satisfied" id="[^"]*" checked', org_item)
    assert re.search(r'value="basic" id="[^"]*" checked', zhang_item)
    assert "还有 1 项未评价" in html


def test_it_hides_a_rating_error_once_a_choice_is_made(client):
    # The error stays in the page after a refused submit; the stylesheet hides it (and the red
    # border) as soon as a choice in that item is checked, without a script.
    css = client.get("/static/css/dashboard.css")
    text = b"".join(css.streaming_content if css.streaming else [css.content]).decode()
    assert ".eval-item:has(input:checked) .rating-error { display: none; }" in text


def test_it_prints_each_slip_qr_as_a_scalable_code_of_its_own_link(client, world, settings):
    settings.SITE_URL = "https://pledges.example.cn/"
    evaluation = open_evaluation(world, codes=2)
    client.force_login(world.secretary)
    html = client.get(
        reverse("reviews:mass_evaluation_slips", args=[evaluation.pk])
    ).content.decode()
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", html, flags=re.S)
    assert len(svgs) == 2
    for code, svg in zip(codes_of(evaluation), svgs, strict=True):
        # Sized by the stylesheet (34 mm), not by a fixed pixel width that would not scale.
        assert "viewBox=" in svg and "width=" not in svg.split(">", 1)[0]
        # It encodes exactly the form's address for this code, on SITE_URL whatever Host the
        # page was asked on: regenerate and compare modules.
        url = "https://pledges.example.cn" + reverse("reviews:mass_evaluation_form", args=[code])
        expected = segno.make(url, error="m").svg_inline(border=4, omitsize=True)
        path = re.compile(r' d="([^"]+)"')
        assert path.search(svg).group(1) == path.search(expected).group(1)


def test_it_lists_opinions_not_in_the_order_they_came_in(client, world):
    evaluation = open_evaluation(world, codes=3)
    opinions = ["乙：路灯坏了", "甲：办事快", "丙：多走访"]
    for code, opinion in zip(codes_of(evaluation), opinions, strict=True):
        answer(evaluation, code, opinion=opinion)
    mass_evaluation_services.mass_evaluation_close(by=world.secretary, evaluation=evaluation)
    client.force_login(world.secretary)
    html = client.get(
        reverse("reviews:mass_evaluation_detail", args=[evaluation.pk])
    ).content.decode()
    arrival = list(EvaluationResponse.objects.order_by("id").values_list("opinion", flat=True))
    by_text = list(EvaluationResponse.objects.order_by("opinion").values_list("opinion", flat=True))
    assert arrival != by_text  # (the three are chosen so that the orders differ)
    positions = [html.index(text) for text in by_text]
    assert positions == sorted(positions)


def test_it_keeps_only_the_day_a_code_was_spent(world):
    evaluation = open_evaluation(world, codes=2)
    first, second = codes_of(evaluation)
    answer(evaluation, first)
    answer(evaluation, second)
    used = {c.used_at for c in EvaluationCode.objects.filter(evaluation=evaluation)}
    # Both on the same day, with no time of day that would tell which answer is whose.
    [day] = used
    local = timezone.localtime(day)
    assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
    assert local.date() == timezone.localdate()


PAGES = [
    ("office", "/reviews/evaluations/", 7),
    ("office", "/reviews/evaluations/{evaluation}/", 11),
]


@pytest.mark.parametrize("rows", [1, 4])
@pytest.mark.parametrize(("who", "url", "queries"), PAGES)
def test_it_reads_each_page_in_a_fixed_number_of_queries(
    assert_page_queries, who, url, queries, rows
):
    assert_page_queries(who, url, queries, rows)


@pytest.mark.parametrize("move", ["mass_evaluation_codes_issue", "mass_evaluation_close"])
@pytest.mark.parametrize("who", ["stranger", "far_office", "other_secretary"])
def test_it_refuses_a_stranger_every_mass_evaluation_move(world, client, move, who):
    evaluation = open_evaluation(world)
    client.force_login(getattr(world, who))
    response = client.post(reverse(f"reviews:{move}", args=[evaluation.pk]), {"count": 5})
    assert response.status_code == 404
    evaluation.refresh_from_db()
    assert evaluation.closed_at is None and not EvaluationCode.objects.exists()
    assert MassEvaluation.objects.get().is_open()


def _two_sessions(user) -> tuple[Client, Client]:
    a, b = Client(), Client()
    a.force_login(user)
    b.force_login(user)
    return a, b


def test_it_keeps_the_codes_both_sessions_issue(world):
    """Two sessions of the secretary open the evaluation and each issues codes: both batches
    land as new codes, each code once, and neither replaces the other's."""
    evaluation = open_evaluation(world)
    a, b = _two_sessions(world.secretary)
    url = reverse("reviews:mass_evaluation_codes_issue", args=[evaluation.pk])
    assert a.post(url, {"count": 3}).status_code == 302
    first = set(codes_of(evaluation))
    second = b.post(url, {"count": 2}, follow=True)
    assert "已生成 2 个评议码" in second.content.decode()
    codes = codes_of(evaluation)
    assert len(codes) == len(set(codes)) == 5 and first <= set(codes)


def test_it_refuses_the_second_of_two_sessions_closing_the_evaluation(world):
    """Both sessions press 结束评议: the first closes it; the second is told it has ended and
    the time of the first close stays."""
    evaluation = open_evaluation(world, codes=1)
    a, b = _two_sessions(world.secretary)
    url = reverse("reviews:mass_evaluation_close", args=[evaluation.pk])
    a.post(url)
    closed_at = MassEvaluation.objects.get(pk=evaluation.pk).closed_at
    second = b.post(url, follow=True)
    assert "alert-danger" in second.content.decode() and "评议已经结束" in second.content.decode()
    assert closed_at is not None
    assert MassEvaluation.objects.get(pk=evaluation.pk).closed_at == closed_at
