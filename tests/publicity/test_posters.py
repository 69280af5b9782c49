"""The PNG codes and posters for chat apps."""

import io
import logging

import pytest
from PIL import Image

from publicity import posters


@pytest.fixture(autouse=True)
def _no_font_cache():
    posters.cjk_font_path.cache_clear()
    yield
    posters.cjk_font_path.cache_clear()


def _dark_rows(data: bytes, top: int, bottom: int) -> int:
    image = Image.open(io.BytesIO(data)).convert("L")
    return sum(
        1
        for y in range(top, bottom)
        if min(image.getpixel((x, y)) for x in range(image.width)) < 128
    )


def test_it_writes_the_qr_code_as_png():
    image = Image.open(io.BytesIO(posters.qr_png("http://127.0.0.1:8000/public/org/1/")))
    assert image.format == "PNG"


def test_it_sets_the_name_above_the_code_in_a_cjk_font(settings):
    settings.PUBLIC_POSTER_FONT = ""
    if posters.cjk_font_path() is None:
        pytest.skip("no CJK font installed")
    data = posters.poster_png("http://127.0.0.1:8000/public/org/1/", "东街社区党支部", "扫码查看")
    assert _dark_rows(data, 0, 25) == 0 and _dark_rows(data, 30, 90) > 10  # the heading


def test_it_falls_back_to_the_code_alone_and_says_so_without_a_font(settings, caplog, monkeypatch):
    monkeypatch.setattr(posters.shutil, "which", lambda name: None)
    settings.PUBLIC_POSTER_FONT = ""
    with caplog.at_level(logging.WARNING, logger="publicity.posters"):
        data = posters.poster_png("http://127.0.0.1:8000/public/org/1/", "东街社区党支部")
    assert "No CJK font found" in caplog.text
    assert Image.open(io.BytesIO(data)).size == (posters.CARD_PX, posters.CARD_PX)
