"""Odd input in addresses gets a 404 or a message, never a server error; the addresses and
templates are named with the sub-area words."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from core.exports.models import ExportJob
from reviews import urls as reviews_urls


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


# One word per concept: 自查自评 is "self_evaluation", 群众评议 "mass_evaluation", an 整改事项
# "rectification_item". The old words ("report", a bare "item", "evaluation"/"evaluate") must
# not come back in a URL name or a template name.
QUALIFIED = {
    # 述职 is a duty report: the one report that keeps the word.
    "report": ("duty",),
    "reports": ("duty",),
    "item": ("rectification",),
    "items": ("rectification",),
    "evaluation": ("mass", "self"),
    "evaluations": ("mass", "self"),
    "evaluate": (),
}


def _uses_an_old_word(name: str) -> bool:
    words = name.strip("_").split("_")
    return any(
        word in QUALIFIED and (i == 0 or words[i - 1] not in QUALIFIED[word])
        for i, word in enumerate(words)
    )


def _reviews_url_names() -> list[str]:
    return [p.name for p in reviews_urls.urlpatterns]


def _reviews_template_names() -> list[str]:
    folder = Path(settings.BASE_DIR) / "templates" / "reviews"
    return sorted(p.stem.lstrip("_") for p in folder.glob("*.html"))


@pytest.mark.parametrize("name", ["report", "my_reports", "item", "item_done", "evaluations"])
def test_it_tells_an_old_word_from_a_sub_area_name(name):
    assert _uses_an_old_word(name)


@pytest.mark.parametrize(
    "name", ["my_self_evaluations", "rectification_item_done", "mass_evaluation_list"]
)
def test_it_lets_a_sub_area_name_pass(name):
    assert not _uses_an_old_word(name)


def test_it_names_every_reviews_url_with_the_sub_area_words():
    assert [name for name in _reviews_url_names() if _uses_an_old_word(name)] == []


def test_it_names_every_reviews_template_with_the_sub_area_words():
    names = _reviews_template_names()
    assert "self_evaluation_form" in names  # the folder was found
    assert [name for name in names if _uses_an_old_word(name)] == []
