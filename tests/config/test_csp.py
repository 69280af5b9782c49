"""A Content-Security-Policy without inline script, and no inline script in any template."""

import re
from pathlib import Path

from django.conf import settings

from tests.factories import UserFactory

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"javascript:", re.I)


def _templates() -> list[Path]:
    base = Path(settings.BASE_DIR)
    found = list((base / "templates").rglob("*.html"))
    for app in ("core", "pledges", "reviews", "publicity"):
        found += list((base / app).rglob("templates/**/*.html"))
    return found


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def test_it_sends_a_policy_without_inline_script(client, db):
    policy = _policy(client.get("/login/"))
    assert policy["script-src"] == "script-src 'self'"
    assert (
        "'unsafe-inline'" not in policy["script-src"]
        and "'unsafe-eval'" not in policy["script-src"]
    )
    assert policy["default-src"] == "default-src 'self'"
    assert policy["object-src"] == "object-src 'none'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"


def test_it_sends_the_policy_on_signed_in_pages(client, db):
    client.force_login(UserFactory())
    assert "script-src 'self'" in client.get("/password/")["Content-Security-Policy"]


def test_it_has_no_inline_script_in_any_template():
    templates = _templates()
    assert len(templates) > 20
    offenders = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, HANDLER, JS_URL):
            offenders += [f"{path.name}: {m.group(0)}" for m in pattern.finditer(text)]
    assert not offenders, offenders


def test_it_loads_only_scripts_from_static(client, db):
    client.force_login(UserFactory())
    html = client.get("/password/").content.decode()
    sources = re.findall(r"<script[^>]*src=\"([^\"]+)\"", html)
    assert sources and all(s.startswith("/static/") for s in sources)
    assert not INLINE_SCRIPT.search(html)
