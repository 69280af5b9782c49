"""Odd input in addresses gets a 404 or a message, never a server error."""

import pytest
from django.urls import reverse

from core.exports.models import ExportJob


@pytest.mark.parametrize(
    "path",
    [
        "/reviews/new/?subject=o:%C2%B2",
        "/reviews/new/?subject=m:" + "9" * 5000,
        "/reviews/reports/write/?subject=s:%C2%B2",
    ],
)
def test_it_answers_odd_subjects_with_not_found(client, world, path):
    client.force_login(world.leader)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("period", ["\u00b2", "9" * 5000, "abc", "2026Q9"])
def test_it_refuses_an_odd_export_period_with_a_message(client, world, period):
    client.force_login(world.office)
    form = {"kind": "reviews", "org": world.town.pk, "period": period, "next": "/reviews/"}
    response = client.post(reverse("exports:start"), form)
    assert response.status_code == 302 and response["Location"] == "/reviews/"
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("code", ["ABCDEFGH%00J", "%E2%98%83" * 10, "x" * 300])
def test_it_refuses_a_malformed_code_with_a_message(client, db, code):
    response = client.get(f"/reviews/e/{code}/")
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert "评议码无效" in response.content.decode()
