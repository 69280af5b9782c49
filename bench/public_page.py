#!/usr/bin/env python
"""Requests per second on an organization's public page (三公开), served by gunicorn.

Starts gunicorn (2 workers, 4 threads each: keep-alive connections) on 127.0.0.1 against a
seeded database, warms the page once, drives it with wrk (50 connections, 30 s by default) and
prints requests/s and errors; the figure goes to bench/results/public_page.json. Loopback
only. See bench/README.md.

    DATABASE_URL=sqlite:////tmp/pub-bench.sqlite3 .venv/bin/python bench/public_page.py --seed
    .venv/bin/python bench/public_page.py --seconds 10
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "sqlite:////tmp/pub-bench.sqlite3"
os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
# DATABASE_URL turns DEBUG off, which wants a secret key: any will do for a local benchmark.
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.urls import reverse  # noqa: E402

from pledges.models import Organization  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TARGET_RPS = 1000
WRK = "/usr/bin/wrk"


def organization(name: str) -> Organization:
    org = Organization.objects.filter(name=name).order_by("path").first()
    if org is None:
        sys.exit(f"no organization named {name!r}: seed the demo county first (--seed)")
    return org


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"gunicorn did not answer {url} within {seconds} s")


def parse_wrk(output: str) -> dict:
    def number(pattern: str) -> float:
        match = re.search(pattern, output)
        return float(match.group(1)) if match else 0.0

    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "requests_per_second": number(r"Requests/sec:\s+([\d.]+)"),
        "requests": int(number(r"(\d+) requests in")),
        "non_2xx_3xx": int(number(r"Non-2xx or 3xx responses: (\d+)")),
        "socket_errors": sum(int(g) for g in socket.groups()) if socket else 0,
        "latency_p50": (re.search(r"50%\s+(\S+)", output) or [None, ""])[1],
        "latency_p99": (re.search(r"99%\s+(\S+)", output) or [None, ""])[1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", action="store_true", help="migrate and seed the demo county")
    parser.add_argument("--org", default="东街社区党支部", help="the organization page to load")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if not Path(WRK).exists():
        sys.exit(f"{WRK} not found: install wrk from Debian's packages (apt-get install wrk)")

    if args.seed:
        call_command("migrate", verbosity=0)
        call_command("seed_demo", verbosity=0)
    org = organization(args.org)
    path = reverse("publicity:organization", args=[org.pk])
    url = f"http://127.0.0.1:{args.port}{path}"

    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    try:
        wait_until_up(url)
        # One hit per worker so both serve from their (process-local) cache.
        for _ in range(args.workers * 4):
            urllib.request.urlopen(url, timeout=5).read()
        run = subprocess.run(
            [
                WRK,
                f"-t{args.threads}",
                f"-c{args.connections}",
                f"-d{args.seconds}s",
                "--latency",
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    result = {
        "when": datetime.datetime.now().isoformat(timespec="seconds"),
        "url": path,
        "organization": org.name,
        "database": os.environ["DATABASE_URL"].split("://")[0],
        "cache": "redis" if os.environ.get("REDIS_URL") else "locmem",
        "workers": args.workers,
        "connections": args.connections,
        "seconds": args.seconds,
        **parse_wrk(run.stdout),
        "target_rps": TARGET_RPS,
    }
    print(run.stdout)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    errors = result["non_2xx_3xx"] + result["socket_errors"]
    verdict = "OK" if result["requests_per_second"] >= TARGET_RPS and not errors else "BELOW TARGET"
    print(f"{result['requests_per_second']:.0f} requests/s, {errors} errors: {verdict}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "public_page.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
