"""WRITES.md lists every page that writes and its guard against lost updates. This reads the
URL conf and fails when a view that accepts a POST has no row (a new writing page must say how
two sessions are kept from overwriting each other), when a row names no URL, an unknown guard,
or a two-session test that does not exist."""

from __future__ import annotations

import inspect
import re
import types
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
GUARDS = {
    "edit_version",
    "edit_version per row",
    "state check",
    "unique key",
    "append-only",
    "own data",
}
VERSIONED = {"edit_version", "edit_version per row"}
# What a view's own code (not the code it calls in another module) shows when it handles a
# POST: it reads the posted data or tests the method against "POST".
POST_MARKS = ("request.POST", "request.FILES", '"POST"')


def _table() -> dict[str, tuple[str, str, str]]:
    rows = {}
    for line in (ROOT / "WRITES.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*`([^`]+)`\s*\|(.*)\|\s*$", line)
        if match:
            what, guard, test = (cell.strip() for cell in match.group(2).split("|"))
            assert match.group(1) not in rows, f"两行同名：{match.group(1)}"
            rows[match.group(1)] = (what, guard, test)
    return rows


def _patterns(resolver: URLResolver, namespace: str = ""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":  # Django's own admin, not a page of the project
                continue
            yield from _patterns(p, f"{namespace}{p.namespace}:" if p.namespace else namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", p.callback


def _reads_post(func, seen: set) -> bool:
    """The function's own source, and that of the functions of its module it calls."""
    if func in seen or not isinstance(func, types.FunctionType):
        return False
    seen.add(func)
    try:
        source = inspect.getsource(func.__code__)  # the code object: each layer on its own
    except (OSError, TypeError):
        return False
    if any(mark in source for mark in POST_MARKS):
        return True
    return any(
        _reads_post(g, seen)
        for name in func.__code__.co_names
        if isinstance(g := func.__globals__.get(name), types.FunctionType)
        and g.__module__ == func.__module__
    )


def accepts_post(callback) -> bool:
    """Whether the view answers a POST other than with 405: a class-based view with `post`, a
    view under require_http_methods([... "POST"]), or one whose code (any decorator layer, or
    a helper of its module) reads the posted data or checks for a POST."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    seen: set = set()
    layer = callback
    while layer is not None:
        code = getattr(layer, "__code__", None)
        if code is not None and layer.__closure__:
            cells = dict(zip(code.co_freevars, layer.__closure__, strict=True))
            if "request_method_list" in cells:
                return "POST" in cells["request_method_list"].cell_contents
        if _reads_post(layer, seen):
            return True
        layer = getattr(layer, "__wrapped__", None)
    return False


URLS = dict(_patterns(get_resolver()))
TABLE = _table()


def test_it_lists_every_view_that_accepts_a_post():
    writing = {name for name, callback in URLS.items() if accepts_post(callback)}
    missing = sorted(writing - TABLE.keys())
    assert not missing, f"WRITES.md 缺少这些接受 POST 的页面：{missing}"


def test_it_lists_only_urls_that_exist_and_accept_a_post():
    stale = sorted(name for name in TABLE if name not in URLS or not accepts_post(URLS[name]))
    assert not stale, f"WRITES.md 中这些页面不存在或不接受 POST：{stale}"


@pytest.mark.parametrize("name", sorted(TABLE))
def test_it_names_a_known_guard_and_an_existing_two_session_test(name):
    what, guard, test = TABLE[name]
    assert what, name
    assert guard in GUARDS, f"{name}: unknown guard {guard!r}"
    if guard in VERSIONED:
        assert "::" in test, f"{name}: a versioned page names its two-session test"
    if test:
        path, _, function = test.partition("::")
        source = (ROOT / path).read_text(encoding="utf-8")
        assert not function or re.search(rf"^def {function}\(", source, re.M), test


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pledges:pledge_submit", True),  # post_only_on_visible: 405 on GET
        ("pledges:pledge_edit", True),  # a form page whose helper reads request.POST
        ("logout", True),  # class-based, with post()
        ("notifications:mark_read", True),  # require_POST
        ("pledges:organization", False),  # reads only
        ("publicity:organization", False),  # a cached public page checks for GET, not POST
    ],
)
def test_it_tells_a_writing_view_from_a_reading_one(name, expected):
    assert accepts_post(URLS[name]) is expected
