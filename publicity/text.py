"""Phone and ID-card numbers never reach the public: one step every public answer passes.

`scrub_response` rewrites the body of every response under `PUBLIC_PREFIXES` (the 三公开
pages, notices, feed, JSON, QR codes, posters, the printed letter and card, and the mass
evaluation's QR landing), whatever the view, template or serialiser that made it: the page cache
runs it on a page before storing it (so a hit is served as stored, without a scan), and
`PublicRedactionMiddleware` on every other public answer just before it leaves. Scrubbing fields
as a notice is composed (what `compose.py` still does, so a frozen copy holds no number either)
missed every text published another way: an opinion, a review item published 向群众公开, a
notice's introduction. A step on the response cannot be missed by a new page or a new field, and
`tests/publicity/test_public_redaction.py` checks that every address an anonymous visitor can
reach lies under these prefixes.

Numbers are found in the NFKC form of the text (full-width ０-９ and Ｘ, ideographic spaces and
the other compatibility forms count as the plain ones) with spaces, hyphens or dots between the
digits; the text around a match is left exactly as it was typed.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

# Every address whose answer is public (or printed for the notice board), and the working pages
# under them, which show the secretary what was typed (an opinion's contact is for a private
# answer).
PUBLIC_PREFIXES = ("/public/", "/reviews/e/")
NOT_PUBLIC_PREFIXES = ("/public/manage/",)

# After NFKC: one separator is a run of up to three spaces, hyphens (and dashes) or dots.
_SEP = r"[ \t\-.\u2010-\u2015\u2212]{0,3}"
_D = r"[0-9]"
_NUMBER = re.compile(
    r"(?<![0-9])(?:"
    # ID cards: 18 digits (the last may be X), then the old 15 digits.
    rf"[1-9](?:{_SEP}{_D}){{16}}{_SEP}[0-9Xx]"
    rf"|[1-9](?:{_SEP}{_D}){{14}}"
    # Mobiles, with or without +86 / 0086: 1[3-9]x then 8 digits in any grouping.
    rf"|(?:(?:\+|00)?86{_SEP})?1[3-9]{_D}(?:{_SEP}{_D}){{8}}"
    # Landlines with an area code, which may stand in brackets: 010-12345678, (0571) 8888 6666.
    rf"|(?:\(0{_D}{{2,3}}\)|0{_D}{{2,3}}){_SEP}{_D}(?:{_SEP}{_D}){{6,7}}"
    r")(?![0-9])"
)


# Where a number may stand in the text as typed: a run of ten or more digits (any script's, and
# the superscript and circled ones), spaces, hyphens, dots, brackets, plus signs and X. Only
# these short runs are folded and matched, so a long page costs one scan.
_RUN = re.compile(
    r"[\d(+\uff08\uff0b\u207d\u208d\u00b2\u00b3\u00b9\u2070-\u2089\u2460-\u2468\u24ea]"
    r"[\d\s\-.()+Xx\u2010-\u2015\u2212\uff0d\ufe63\u2024\ufe52\uff0e\uff08\uff09\uff0b"
    r"\uff38\uff58\u00b2\u00b3\u00b9\u2070-\u2089\u2460-\u2468\u24ea]{9,}"
)


def _marker() -> str:
    return _("〔号码已隐去〕")


@functools.lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    """The NFKC form of one character when it is one character (so positions stay put)."""
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


@functools.lru_cache(maxsize=4096)
def _numbers_in_run(run: str) -> tuple[tuple[int, int], ...]:
    # Cached: the same dates and figures come back on every page.
    folded = "".join(_fold(c) for c in run)
    return tuple(match.span() for match in _NUMBER.finditer(folded))


def _numbers(text: str):
    """Where the numbers stand in `text`: (start, end) of each, matched on its NFKC form."""
    for run in _RUN.finditer(text):
        for start, end in _numbers_in_run(run.group()):
            yield run.start() + start, run.start() + end


def has_number(text: str) -> bool:
    return next(_numbers(text), None) is not None


def redact(text: str) -> str:
    """The text with every phone or ID-card number replaced by a marker."""
    if not text:
        return ""
    text = text.replace("\x00", "")
    parts, last = [], 0
    for start, end in _numbers(text):
        parts += [text[last:start], _marker()]
        last = end
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


# --- whole documents ------------------------------------------------------------------------

# Attributes that hold addresses, drawing or what the visitor typed himself (a refused form
# shown again): never a published text, and rewriting an address would break the page.
_KEEP_ATTRIBUTES = frozenset(
    {"href", "src", "srcset", "action", "formaction", "d", "points", "viewbox", "transform"}
    | {"value", "integrity", "nonce"}
)
_MARKUP_TOKEN = re.compile(
    r"(<!--.*?-->|<textarea\b.*?</textarea\s*>|<!\[CDATA\[|\]\]>|<[^>]*>)", re.S | re.I
)
_ATTRIBUTE = re.compile(r"""([^\s"'<>/=]+)(\s*=\s*)("[^"]*"|'[^']*'|[^\s"'=<>`]+)""")


def _redact_attribute(match: re.Match) -> str:
    name, equals, value = match.groups()
    if name.lower() in _KEEP_ATTRIBUTES:
        return match.group(0)
    return name + equals + redact(value)


def redact_markup(body: str) -> str:
    """HTML, Atom or SVG: every text and every attribute but addresses and drawing. The
    visitor's own entries (a textarea, an input's value) are left as he typed them."""
    parts = _MARKUP_TOKEN.split(body)
    for i, part in enumerate(parts):
        if i % 2 == 0:
            parts[i] = redact(part)  # text between tags
        elif part.startswith("<") and not part.startswith(("<!--", "<![CDATA[")):
            if _RUN.search(part) and not part[1:].lower().startswith("textarea"):
                parts[i] = _ATTRIBUTE.sub(_redact_attribute, part)
    return "".join(parts)


def _redact_data(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redact_data(v) for v in value]
    if isinstance(value, dict):
        return {k: _redact_data(v) for k, v in value.items()}
    return value


def redact_json(body: str) -> str:
    """Every string of a JSON document (escaped or not); numbers and keys are ours."""
    data = _redact_data(json.loads(body))
    return json.dumps(data, ensure_ascii=False, indent=1)


_MARKUP_TYPES = ("html", "xml", "svg")


def redact_document(body: str, content_type: str) -> str:
    """`body` as it may be published, by its content type."""
    kind = content_type.split(";")[0].strip().lower()
    # Fast answer for the usual page: nothing that could be a number, even in markup.
    if not has_number(body) and not (kind.endswith("json") and "\\u" in body):
        return body
    if kind.endswith("json"):
        try:
            return redact_json(body)
        except ValueError:
            return redact(body)
    if any(t in kind for t in _MARKUP_TYPES):
        return redact_markup(body)
    return redact(body)


def is_public_path(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES) and not path.startswith(NOT_PUBLIC_PREFIXES)


def scrub_response(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The one redaction step: the body of a public answer without phone or ID-card numbers,
    marked `redacted` so it is never scrubbed twice. The page cache runs it before it stores a
    page (a hit is then served as stored, at no cost); the middleware runs it on every other
    public answer on its way out."""
    if getattr(response, "redacted", False) or not is_public_path(request.path):
        return response
    if getattr(response, "streaming", False):
        return response
    content_type = response.get("Content-Type", "")
    if not content_type.startswith(("text/", "application/", "image/svg")):
        return response
    charset = getattr(response, "charset", None) or "utf-8"
    try:
        body = response.content.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return response  # not text: a binary download has nothing typed in it
    scrubbed = redact_document(body, content_type)
    if scrubbed != body:
        response.content = scrubbed.encode(charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
    response.redacted = True
    return response


class PublicRedactionMiddleware:
    """Scrub every public answer on its way out, cached or not (see the module's docstring).
    Placed outside `PublicCacheMiddleware`, so a page answered from the cache passes too (it was
    scrubbed before it was stored: passed as it is), and inside the language middleware, so the
    marker is in the visitor's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return scrub_response(request, self.get_response(request))
