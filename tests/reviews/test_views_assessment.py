"""Findings of walking through the year page (一年一总评), pinned down."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import AnnualAssessment
from tests.factories import record

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
    ("office", "/reviews/assessment/{town}/", 15),
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
