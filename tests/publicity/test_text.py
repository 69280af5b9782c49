"""publicity.text: which numbers are scrubbed, what is left alone, and how whole documents of
each kind are scrubbed."""

import json

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from publicity.text import (
    PublicRedactionMiddleware,
    is_public_path,
    redact,
    redact_document,
    redact_markup,
)

MARK = "〔号码已隐去〕"


@pytest.mark.parametrize(
    "number",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "138.1234.5678",
        "138 - 1234 - 5678",
        "1381 234 5678",
        "+86 138 1234 5678",
        "0086-13812345678",
        "１３８１２３４５６７８",
        "１３８\u3000１２３４\u3000５６７８",
        "１３８－１２３４－５６７８",
        "138\u00a01234\u00a05678",
        "010-62345678",
        "01062345678",
        "0571 8888 6666",
        "0571.8888.6666",
        "(0571) 8888-6666",
        "（０５７１）８８８８６６６６",
        "110105198001010021",
        "11010519800101002X",
        "11010519800101002x",
        "110105 19800101 002X",
        "110105-19800101-002X",
        "1101 0519 8001 0100 2X",
        "１１０１０５１９８００１０１００２Ｘ",
        "１１０１０５．１９８００１０１．００２ｘ",
        "110105800101002",
    ],
)
def test_it_scrubs_every_way_of_writing_a_number(number):
    assert redact(f"请联系{number}。谢谢") == f"请联系{MARK}。谢谢"


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-07",
        "2026年12月7日 13:45",
        "满意 13；基本满意 8；不满意 0",
        "满意率 98.5%",
        "第 12 版",
        "投入资金 12,000,000 元",
        "编号 123456",
        "1234567890123456789012",  # too long for any kind of number
        "13.5 元",
    ],
)
def test_it_leaves_dates_and_figures_alone(text):
    assert redact(text) == text


def test_it_keeps_the_text_around_a_number_exactly_as_typed():
    # Full-width punctuation is not folded outside the number.
    text = "（东街）电话：１３８ １２３４ ５６７８，ＡＢＣ。"
    assert redact(text) == f"（东街）电话：{MARK}，ＡＢＣ。"


def test_it_drops_nul_and_answers_empty_for_nothing():
    assert redact("a\x00b") == "ab"
    assert redact("") == ""


def test_it_scrubs_text_and_labels_but_not_addresses_or_what_the_visitor_typed():
    page = (
        '<a href="/public/org/13812345678/" title="电话 13812345678">电话 13812345678</a>'
        '<textarea name="text">我的电话 13812345678</textarea>'
        '<input name="contact" value="13812345678">'
        "<!-- 13812345678 -->"
    )
    out = redact_markup(page)
    assert '<a href="/public/org/13812345678/" title="电话 ' + MARK + '">电话 ' + MARK in out
    assert '<textarea name="text">我的电话 13812345678</textarea>' in out
    assert 'value="13812345678"' in out


def test_it_scrubs_the_escaped_html_inside_a_feed():
    feed = '<feed><summary type="html">&lt;p&gt;电话 138-1234-5678&lt;/p&gt;</summary></feed>'
    assert redact_document(feed, "application/atom+xml; charset=utf-8") == (
        f'<feed><summary type="html">&lt;p&gt;电话 {MARK}&lt;/p&gt;</summary></feed>'
    )


def test_it_scrubs_every_string_of_json_even_escaped():
    body = json.dumps({"id": 5, "items": [{"t": "电话１３８１２３４５６７８"}]}, ensure_ascii=True)
    data = json.loads(redact_document(body, "application/json"))
    assert data == {"id": 5, "items": [{"t": f"电话{MARK}"}]}


def test_it_returns_a_clean_document_untouched():
    body = '<p title="x">2026-12-07 满意 13</p>'
    assert redact_document(body, "text/html") is body


def test_it_scrubs_only_the_public_addresses():
    assert is_public_path("/public/org/3/")
    assert is_public_path("/public/print/org/3/letter/")
    assert is_public_path("/reviews/e/ABC/")
    assert not is_public_path("/public/manage/opinion/3/")
    assert not is_public_path("/org/3/")


def _through(path: str, response: HttpResponse) -> HttpResponse:
    middleware = PublicRedactionMiddleware(lambda request: response)
    return middleware(RequestFactory().get(path))


def test_it_rewrites_the_answer_and_its_length():
    response = HttpResponse("<p>电话 13812345678</p>")
    response["Content-Length"] = str(len(response.content))
    out = _through("/public/org/1/", response)
    assert out.content.decode() == f"<p>电话 {MARK}</p>"
    assert out["Content-Length"] == str(len(out.content))


def test_it_leaves_working_pages_and_binary_answers_alone():
    assert b"13812345678" in _through("/org/1/", HttpResponse("13812345678")).content
    png = HttpResponse(b"\x89PNG 13812345678", content_type="image/png")
    assert _through("/public/org/1/x.png", png).content == b"\x89PNG 13812345678"
