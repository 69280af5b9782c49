#!/usr/bin/env python
"""PostgreSQL restarted under load: do requests in flight fail cleanly, and do later ones succeed?

Starts gunicorn (2 workers, 4 threads each, production settings over plain http) on the
database of DATABASE_URL, signs one office user in, and drives two pages from 8 threads for
`--seconds`: a signed-in page that reads the database on every request (the office's
organization page) and `/healthz`. Halfway through it restarts the PostgreSQL server with
`--restart-command` (default: pg_ctlcluster, as Debian runs it). Every answer is kept: its time,
status, and whether its body is the Chinese 500 page or shows anything of a traceback.

Prints, per second, how many answers of each status came back, then the verdicts: no traceback
or settings in any body, every 5xx body the Chinese page (or /healthz's JSON), and how long after
the restart began the first 200 came back. The test suite cuts a connection the same way
(tests/config/test_faults.py, pg_terminate_backend); this is the real restart, which no test
may do to a server CI shares.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_city SECRET_KEY=x SECURE_SSL_REDIRECT=0 \\
        .venv/bin/python bench/pg_restart.py [--seconds 20]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "DATABASE_URL" not in os.environ:
    sys.exit("bench/pg_restart.py needs DATABASE_URL (a PostgreSQL database it may restart)")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from pledges.models import Organization  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DEFAULT_RESTART = "pg_ctlcluster --skip-systemctl-redirect {version} main restart"
LEAKS = ("Traceback", "OperationalError", "psycopg2", "SECRET_KEY", 'File "/')
CHINESE_500 = "系统暂时出现问题"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def session_cookie(username: str) -> str:
    """A signed-in session for the user, made by Django's own login."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url}")


def fetch(url: str, cookie: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
        return 0, repr(e)  # no HTTP answer at all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--user", default="city_office")
    parser.add_argument("--restart-command", default=None)
    args = parser.parse_args()
    version = connection.pg_version // 10000
    restart = (args.restart_command or DEFAULT_RESTART).format(version=version)
    org = Organization.get_root_nodes().order_by("-numchild", "path").first()
    cookie = session_cookie(args.user)
    connection.close()  # this process keeps no connection across the restart

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    urls = {"page": f"{base}/org/{org.pk}/", "healthz": f"{base}/healthz"}
    RESULTS.mkdir(exist_ok=True)
    # The server's own log (its tracebacks of the failed requests) goes to a file, not to
    # the people: what they see is what the verdicts below check.
    server_log = (RESULTS / "pg_restart-gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "error",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=server_log,
        stderr=server_log,
    )
    answers: list[tuple[float, str, int, bool, bool]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def worker(n: int) -> None:
        # The load balancer sends no session cookie: /healthz then reads no session either.
        name = "page" if n % 2 == 0 else "healthz"
        while not stop.is_set():
            status, body = fetch(urls[name], cookie if name == "page" else "")
            leak = any(word in body for word in LEAKS)
            clean_500 = CHINESE_500 in body or (
                name == "healthz" and status == 503 and '"database": "fail"' in body
            )
            with lock:
                answers.append((time.monotonic(), name, status, leak, clean_500))

    threads: list[threading.Thread] = []
    try:
        wait_until_up(urls["healthz"])
        start = time.monotonic()
        threads = [
            threading.Thread(target=worker, args=(n,), daemon=True) for n in range(args.threads)
        ]
        for t in threads:
            t.start()
        time.sleep(args.seconds / 2)
        restart_at = time.monotonic()
        done = subprocess.run(shlex.split(restart), capture_output=True, text=True)
        restarted_at = time.monotonic()
        time.sleep(args.seconds / 2)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=15)
        server.terminate()
        server.wait(timeout=30)
        server_log.close()

    per_second: dict[int, Counter] = defaultdict(Counter)
    for at, name, status, _leak, _clean in answers:
        per_second[int(at - start)][f"{name} {status}"] += 1
    print(f"restart: `{restart}` exited {done.returncode} after {restarted_at - restart_at:.1f} s")
    print(f"(began {restart_at - start:.1f} s into the run)")
    for second in sorted(per_second):
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(per_second[second].items()))
        print(f"  {second:3d} s  {counts}")
    failed = [a for a in answers if a[2] != 200]
    leaks = [a for a in answers if a[3]]
    unclean = [a for a in failed if a[2] >= 500 and not a[4]]
    no_answer = [a for a in failed if a[2] == 0]
    # Recovered: after the last failure, pages answered 200, up to the run's last seconds.
    last_failure = max((a[0] for a in failed), default=restart_at)
    after = [a for a in answers if a[0] > last_failure and a[1] == "page" and a[2] == 200]
    end = max(a[0] for a in answers)
    recovered = bool(after) and after[-1][0] >= end - 2
    first_ok = after[0][0] - restart_at if after else None
    last_bad = max((a[0] for a in failed), default=restart_at) - restart_at
    result = {
        "answers": len(answers),
        "not_200": len(failed),
        "by_status": dict(Counter(a[2] for a in answers)),
        "tracebacks_or_settings_shown": len(leaks),
        "5xx_not_the_chinese_page": len(unclean),
        "no_http_answer": len(no_answer),
        "restart_seconds": round(restarted_at - restart_at, 1),
        "first_page_200_after_the_last_failure_s": round(first_ok, 1)
        if first_ok is not None
        else None,
        "pages_200_after_the_last_failure": len(after),
        "last_failure_after_restart_began_s": round(last_bad, 1),
    }
    print(json.dumps(result, indent=1))
    ok = not leaks and not unclean and not no_answer and recovered and done.returncode == 0
    print("OK: in-flight requests failed cleanly, later ones succeeded" if ok else "NOT OK")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pg_restart.json").write_text(json.dumps(result, indent=1))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
