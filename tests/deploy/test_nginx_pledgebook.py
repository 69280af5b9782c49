"""deploy/nginx-pledgebook.conf: the micro-cache of the public pages (issue 17 §4).

The rules are read from the file; then nginx, when installed, runs the configuration the bench
derives from it (bench/nginx_conf.py) in front of a stub application, and the cache is seen to
do what deploy/README.md says: a hit whatever `?utm=`, never with a session cookie, a page per
language, nothing the application did not mark public."""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings

from bench.nginx_conf import DEPLOY_NGINX, free_port, nginx_binary, nginx_config
from core.db import PIN_COOKIE
from publicity import cache as page_cache

CONF = DEPLOY_NGINX.read_text()
CODE = re.sub(r"#[^\n]*", "", CONF)


def _public_location() -> str:
    start = CODE.index("location ^~ /public/ {")
    return CODE[start : CODE.index("}", start)]


def test_it_skips_the_cache_both_ways_with_a_session_or_pin_cookie():
    skip = re.search(r'map "([^"]+)" \$pledgebook_skip_cache \{([^}]*)\}', CODE)
    assert skip is not None
    cookies, rules = skip.groups()
    assert f"$cookie_{settings.SESSION_COOKIE_NAME}" in cookies
    assert f"$cookie_{PIN_COOKIE}" in cookies
    assert re.search(r"default\s+1;", rules) and re.search(r'""\s+0;', rules)
    location = _public_location()
    assert "proxy_cache_bypass $pledgebook_skip_cache;" in location
    assert "proxy_no_cache $pledgebook_skip_cache;" in location


def test_it_keys_a_page_on_its_path_language_and_only_the_parameters_it_reads():
    key = re.search(r'proxy_cache_key "([^"]+)";', _public_location()).group(1)
    assert "$request_uri" not in key and "$args" not in key and "$is_args" not in key
    assert "$pledgebook_path" in key and "$pledgebook_page_args" in key
    assert f"$cookie_{settings.LANGUAGE_COOKIE_NAME}" in CODE and "$pledgebook_language" in key
    args = re.search(r"map \$pledgebook_path \$pledgebook_page_args \{([^}]*)\}", CODE).group(1)
    # Every page that reads a parameter (publicity.cache.PAGE_PARAMS) keeps its query string.
    for pattern, _names in page_cache.PAGE_PARAMS:
        path = pattern.pattern.strip("^$")
        assert re.search(rf'"{re.escape(path)}"\s+\$args;', args), path
    assert re.search(r'default\s+"";', args)


def test_it_keeps_only_what_the_application_marks_public():
    location = _public_location()
    assert "proxy_cache_valid" not in CODE  # no header, not kept
    ignored = re.search(r"proxy_ignore_headers ([^;]*);", location).group(1).split()
    assert ignored == ["Vary"]  # Cache-Control, Expires and Set-Cookie are obeyed
    assert "proxy_cache_lock on;" in location
    assert "proxy_cache_use_stale updating;" in location
    assert page_cache.CACHE_CONTROL == "public, max-age=10"


# --- nginx running the bench's copy of the configuration, a stub application behind it ---


class _Stub(BaseHTTPRequestHandler):
    """Answers with the number of requests it had for the path (a hit does not count)."""

    counts: dict[str, int] = {}
    lock = threading.Lock()

    def _answer(self) -> None:
        path = self.path
        with self.lock:
            self.counts[path] = self.counts.get(path, 0) + 1
            body = f"{self.counts[path]}".encode()
        if "/big/" in path:
            body += b" " + "承诺践诺".encode() * 1000
        self.send_response(200)
        self.send_header("X-Seen-Forwarded-For", self.headers.get("X-Forwarded-For", ""))
        if "/private/" in path:
            self.send_header("Cache-Control", "private, no-store")
        elif "/plain/" not in path:
            self.send_header("Cache-Control", page_cache.CACHE_CONTROL)
        self.send_header("Vary", "Cookie")
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def nginx():
    try:
        binary = nginx_binary()
    except SystemExit:
        pytest.skip("nginx is not installed")
    stub = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    workdir = Path(tempfile.mkdtemp(prefix="pb-nginx-test-"))
    port = free_port()
    conf = workdir / "nginx.conf"
    conf.write_text(nginx_config(workdir, port=port, upstream_port=stub.server_address[1]))
    check = subprocess.run([binary, "-t", "-c", str(conf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proxy = subprocess.Popen([binary, "-c", str(conf), "-g", "daemon off;"])
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        stub.shutdown()
        shutil.rmtree(workdir, ignore_errors=True)


def _open(url: str, cookie: str = "", method: str = "GET", **headers: str):
    headers = {k.replace("_", "-"): v for k, v in headers.items()}
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(url, headers=headers, method=method)
    return urllib.request.urlopen(request, timeout=5)


def _get(url: str, cookie: str = "", method: str = "GET") -> tuple[str, str]:
    with _open(url, cookie, method) as response:
        return response.read().decode(), response.headers.get("X-Cache-Status", "")


def test_it_serves_a_public_page_from_its_cache_whatever_the_utm(nginx):
    assert _get(f"{nginx}/public/org/1/") == ("1", "MISS")
    assert _get(f"{nginx}/public/org/1/") == ("1", "HIT")
    assert _get(f"{nginx}/public/org/1/?utm=qr-123") == ("1", "HIT")
    # The application's `Vary: Cookie` is ignored: another visitor's cookies are the same page.
    assert _get(f"{nginx}/public/org/1/", "csrftoken=abc; _ga=x") == ("1", "HIT")


def test_it_neither_serves_nor_stores_a_page_for_a_session_or_a_pinned_writer(nginx):
    _get(f"{nginx}/public/org/2/")
    assert _get(f"{nginx}/public/org/2/", "sessionid=s1") == ("2", "BYPASS")
    assert _get(f"{nginx}/public/org/2/", f"{PIN_COOKIE}=p") == ("3", "BYPASS")
    assert _get(f"{nginx}/public/org/2/") == ("1", "HIT")  # what they got was not kept


def test_it_keeps_a_page_per_language(nginx):
    assert _get(f"{nginx}/public/org/3/", "django_language=en") == ("1", "MISS")
    assert _get(f"{nginx}/public/org/3/") == ("2", "MISS")
    assert _get(f"{nginx}/public/org/3/", "django_language=xx") == ("2", "HIT")
    assert _get(f"{nginx}/public/org/3/", "django_language=en") == ("1", "HIT")


def test_it_keys_the_finder_on_its_query(nginx):
    assert _get(f"{nginx}/public/?q=a") == ("1", "MISS")
    assert _get(f"{nginx}/public/?q=b") == ("1", "MISS")
    assert _get(f"{nginx}/public/?q=a") == ("1", "HIT")


def test_it_keeps_nothing_the_application_did_not_mark_public(nginx):
    for path in ("/public/private/", "/public/plain/", "/login/"):
        _get(f"{nginx}{path}")
        assert _get(f"{nginx}{path}")[0] == "2", path
    _get(f"{nginx}/public/org/4/", method="POST")
    assert _get(f"{nginx}/public/org/4/", method="POST")[0] == "2"


def test_it_keeps_a_page_compressed_and_unpacks_it_for_a_client_without_gzip(nginx):
    with _open(f"{nginx}/public/big/", Accept_Encoding="gzip") as zipped:
        assert zipped.headers["Content-Encoding"] == "gzip"
        body = gzip.decompress(zipped.read()).decode()
    with _open(f"{nginx}/public/big/") as plain:
        assert plain.headers.get("Content-Encoding") is None
        assert plain.headers["X-Cache-Status"] == "HIT"
        assert plain.read().decode() == body and body.startswith("1 承诺践诺")


def test_it_passes_the_visitors_address_never_a_forged_one(nginx):
    with _open(f"{nginx}/public/org/5/", X_Forwarded_For="6.6.6.6") as response:
        assert response.headers["X-Seen-Forwarded-For"] == "127.0.0.1"
