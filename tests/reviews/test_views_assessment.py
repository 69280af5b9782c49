"""Findings of walking through the year page (一年一总评), pinned down."""

import re

from django.urls import reverse

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
