"""Embedded mode (SQLite) under concurrent writers: WAL, a busy timeout and IMMEDIATE
transactions, so 20 people logging in and posting at once get no "database is locked" 500.

Against a real server process on a file database (the in-memory test database locks per table
and would not show it): migrate, make 20 users, start runserver (one thread per request), then
20 threads each log in, post, and log out at the same moment.
"""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
USERS = 20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "SESSION_IDLE_SECONDS"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SECRET_KEY="concurrency-test-only",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    run = {"env": env, "cwd": ROOT, "check": True, "capture_output": True}
    subprocess.run([*manage, "migrate", "--noinput"], **run)
    make_users = (
        "from django.contrib.auth import get_user_model\n"
        "from django.contrib.auth.hashers import make_password\n"
        "hashed = make_password('Hongqi-2026-abc')\n"
        f"get_user_model().objects.bulk_create([get_user_model()(username=f'u{{i}}', "
        f"password=hashed) for i in range({USERS})])\n"
    )
    subprocess.run([*manage, "shell", "-c", make_users], **run)
    port = _free_port()
    process = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # until it answers (not a timing: the loop ends on success)
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _session(base: str, i: int, start: threading.Barrier) -> list[int]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())

    def call(path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with opener.open(f"{base}{path}", body, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, ""

    def token() -> str:
        return next(c.value for c in jar if c.name == "csrftoken")

    _status, page = call("/login/")
    form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    start.wait()
    statuses = []
    login = {"username": f"u{i}", "password": "Hongqi-2026-abc"}
    statuses.append(call("/login/", {**login, "csrfmiddlewaretoken": form_token})[0])
    statuses.append(call("/notifications/read-all/", {"csrfmiddlewaretoken": token()})[0])
    language = {"language": "zh-hans", "next": "/", "csrfmiddlewaretoken": token()}
    statuses.append(call("/i18n/setlang/", language)[0])
    statuses.append(call("/logout/", {"csrfmiddlewaretoken": token()})[0])
    return statuses


def test_it_takes_twenty_concurrent_logins_and_posts_without_an_error(server):
    start = threading.Barrier(USERS)
    results: dict[int, list[int]] = {}

    def one(i: int) -> None:
        results[i] = _session(server, i, start)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(USERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == USERS
    assert all(status == 302 for statuses in results.values() for status in statuses), results
