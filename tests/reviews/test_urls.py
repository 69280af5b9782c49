"""Odd input in addresses gets a 404 or a message, never a server error."""

import pytest
from django.urls import reverse


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


@pytest.mark.parametrize("year", ["%C2%B2", "9" * 5000, "abc"])
def test_it_falls_back_to_the_quarter_for_an_odd_year(client, world, year):
    client.force_login(world.office)
    url = reverse("reviews:register_export", args=[world.town.pk]) + f"?year={year}"
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("code", ["ABCDEFGH%00J", "%E2%98%83" * 10, "x" * 300])
def test_it_refuses_a_malformed_code_with_a_message(client, db, code):
    response = client.get(f"/reviews/e/{code}/")
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert "评议码无效" in response.content.decode()
