#!/usr/bin/env python
"""Requests per second on an organization's public page (三公开), served by gunicorn.

Production's configuration: gunicorn (2 workers, 4 threads each: keep-alive connections) on
127.0.0.1 against a seeded database, the cache in Redis (REDIS_URL; the bench's default is
database 11 of the local server, and it never flushes it), driven by wrk (Debian's package:
`apt-get install wrk`; 50 connections). Both ways, interleaved round after round so the load
from other work falls on both alike: "before", Redis only (PUBLIC_PAGE_LOCAL_MS=0), and
"after", the per-process copies in front of Redis (publicity.cache.LocalPages, the default
500 ms). Then two storms with the copies on: a new `?utm=<random>` on every request (dropped
before the key: the same page, a hit) and a new `?q=<random>` on the finder on every request
(each a miss: rendered, and past FILLS_PER_MINUTE an address's misses are not stored). Prints
requests/s, latency and errors; the figures go to bench/results/public_page.json. Loopback
only. See bench/README.md.

`--via nginx`: the same page through nginx's micro-cache, as deployed (deploy/nginx-pledgebook.conf:
its cache directives, maps and `location ^~ /public/` block are copied into a temporary
configuration listening on a free loopback port, proxying to the gunicorn the bench starts),
interleaved round after round with the same gunicorn answered directly (copies on, 500 ms), then
a `?utm=<random>` storm through nginx. Needs nginx (`apt-get install nginx`); the figures go to
bench/results/public_page_nginx.json.

    DATABASE_URL=postgres://postgres@127.0.0.1/pb_province .venv/bin/python bench/public_page.py
    DATABASE_URL=sqlite:////tmp/pub-bench.sqlite3 .venv/bin/python bench/public_page.py --seed
    DATABASE_URL=postgres://postgres@127.0.0.1/pb_nginx .venv/bin/python bench/public_page.py \
        --via nginx
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "sqlite:////tmp/pub-bench.sqlite3"
os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
# DATABASE_URL turns DEBUG off, which wants a secret key: any will do for a local benchmark.
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
# Plain http on the loopback (production's TLS ends at nginx, in front of gunicorn).
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Production caches in Redis: so does the bench (its own database number on the local server).
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.nginx_conf import free_port, nginx_binary, nginx_config  # noqa: E402
from pledges.demo import CITY_NAME  # noqa: E402
from pledges.models import Organization  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TARGET_RPS = 3000
WRK = "/usr/bin/wrk"


DEFAULT_ORG = "东街社区党支部"


def organization(name: str) -> Organization:
    """The named organization; for the default name on a database without the demo county
    (the province's), the first branch of the city of the sources, a page of the same kind."""
    org = Organization.objects.filter(name=name).order_by("path").first()
    if org is None and name == DEFAULT_ORG:
        city = Organization.objects.filter(name=CITY_NAME).order_by("path").first()
        if city is not None:
            org = (
                Organization.objects.filter(
                    path__startswith=city.path, level=Organization.Level.BRANCH
                )
                .order_by("path")
                .first()
            )
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
        "latency_p50": (re.search(r"^\s*50%\s+(\S+)", output, re.M) or [None, ""])[1],
        "latency_p99": (re.search(r"^\s*99%\s+(\S+)", output, re.M) or [None, ""])[1],
    }


LUA = {
    # A new, random `utm` on every request: the key drops it (publicity.cache.PAGE_PARAMS).
    "utm": 'request = function() return wrk.format(nil, wrk.path .. "?utm=" .. '
    "math.random(1, 1000000000)) end",
    # A new search on the finder on every request: every one a miss.
    "q": 'request = function() return wrk.format(nil, "/public/?q=" .. '
    "math.random(1, 1000000000)) end",
}


def gunicorn(args, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
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
        env=env,
    )


def wrk(args, url: str, storm: str | None = None, headers: tuple[str, ...] = ()) -> dict:
    """One wrk run against a server already warm; the figures, and the load after it."""
    command = [WRK, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds}s"]
    for header in headers:
        command += ["-H", header]
    if storm:
        script = RESULTS / f"wrk-{storm}.lua"
        RESULTS.mkdir(exist_ok=True)
        script.write_text(LUA[storm] + "\n")
        command += ["-s", str(script)]
    run = subprocess.run([*command, "--latency", url], capture_output=True, text=True, check=True)
    return {
        "storm": storm or "",
        "load": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
        **parse_wrk(run.stdout),
    }


def one_run(args, url: str, *, local_ms: int, storm: str | None = None) -> dict:
    env = {**os.environ, "PUBLIC_PAGE_LOCAL_MS": str(local_ms)}
    server = gunicorn(args, env)
    try:
        wait_until_up(url)
        # A few hits first, so every worker serves from the cache.
        for _ in range(args.workers * 4):
            urllib.request.urlopen(url, timeout=5).read()
        found = wrk(args, url, storm)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return {"local_ms": local_ms, **found}


# --- Through nginx's micro-cache (`--via nginx`, the configuration: bench/nginx_conf.py) ---


def cache_status(url: str, cookie: str = "") -> str:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=5) as response:
        response.read()
        return response.headers.get("X-Cache-Status", "(none)")


GZIP = "Accept-Encoding: gzip"


def wait_until_listening(port: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"nginx did not listen on port {port} within {seconds} s")


def content_encoding(url: str) -> str:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=5) as response:
        response.read()
        return response.headers.get("Content-Encoding", "identity")


def via_nginx(args, path: str) -> dict:
    binary = nginx_binary()
    direct = f"http://127.0.0.1:{args.port}{path}"
    port = free_port()
    through = f"http://127.0.0.1:{port}{path}"
    workdir = Path(tempfile.mkdtemp(prefix="pb-nginx-"))
    conf = workdir / "nginx.conf"
    conf.write_text(nginx_config(workdir, port=port, upstream_port=args.port))
    check = subprocess.run([binary, "-t", "-c", str(conf)], capture_output=True, text=True)
    if check.returncode:
        sys.exit(f"nginx refused the derived configuration {conf}:\n{check.stderr}")
    # Production's gunicorn: the per-process copies on (the default 500 ms), Redis behind them.
    server = gunicorn(args, {**os.environ, "PUBLIC_PAGE_LOCAL_MS": "500"})
    proxy = None
    try:
        wait_until_up(direct)
        proxy = subprocess.Popen([binary, "-c", str(conf), "-g", "daemon off;"])
        wait_until_listening(port)
        for _ in range(args.workers * 4):
            urllib.request.urlopen(direct, timeout=5).read()
        # What the cache does with the page: a miss, then hits; a stray query string changes
        # nothing; a session cookie goes past it; the English page is its own entry.
        checks = {"first_request": cache_status(through)}
        checks["second_request"] = cache_status(through)
        checks["utm"] = cache_status(f"{through}?utm=bench-{time.time()}")
        checks["session_cookie"] = cache_status(through, "sessionid=bench")
        checks["language_en"] = cache_status(through, "django_language=en")
        checks["gzip"] = content_encoding(through)
        print("nginx cache status: " + ", ".join(f"{k} {v}" for k, v in checks.items()), flush=True)
        # Phones ask for gzip: nginx then compresses every hit (it keeps the page as sent).
        ways = (
            ("gunicorn", direct, (), "direct gunicorn (copies)"),
            ("nginx", through, (), "through nginx's cache"),
            ("nginx-gzip", through, (GZIP,), "through nginx's cache, gzip"),
        )
        runs = []
        for n in range(args.rounds):
            for via, url, headers, label in ways:
                r = {"via": via, **wrk(args, url, headers=headers)}
                runs.append(r)
                print(show(f"round {n + 1} {label}", r), flush=True)
        storms = []
        if not args.no_storms:
            r = {"via": "nginx", **wrk(args, through, "utm")}
            storms.append(r)
            print(show("storm ?utm=<random> through nginx", r), flush=True)
    finally:
        if proxy is not None:
            proxy.send_signal(signal.SIGQUIT)
            proxy.wait(timeout=30)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)

    def median(via: str) -> float:
        rates = sorted(r["requests_per_second"] for r in runs if r["via"] == via)
        return rates[len(rates) // 2]

    return {
        "checks": checks,
        "runs": runs,
        "storms": storms,
        "gunicorn_rps": median("gunicorn"),
        "nginx_rps": median("nginx"),
        "nginx_gzip_rps": median("nginx-gzip"),
    }


def _setting(args, org: Organization, path: str) -> dict:
    """What a result was measured on (both modes)."""
    return {
        "when": datetime.datetime.now().isoformat(timespec="seconds"),
        "url": path,
        "organization": org.name,
        "database": os.environ["DATABASE_URL"].split("://")[0],
        "cache": "redis" if os.environ.get("REDIS_URL") else "locmem",
        "workers": args.workers,
        "connections": args.connections,
        "seconds": args.seconds,
    }


def main_via_nginx(args, org: Organization, path: str) -> None:
    found = via_nginx(args, path)
    # The target is the configuration shipped (through nginx); the direct runs are the yardstick.
    measured = [r for r in found["runs"] + found["storms"] if r["via"] != "gunicorn"]
    errors = sum(r["non_2xx_3xx"] + r["socket_errors"] for r in measured)
    direct_errors = sum(
        r["non_2xx_3xx"] + r["socket_errors"] for r in found["runs"] if r["via"] == "gunicorn"
    )
    direct, nginx, gzip = found["gunicorn_rps"], found["nginx_rps"], found["nginx_gzip_rps"]
    result = {
        **_setting(args, org, path),
        **found,
        "requests_per_second": nginx,
        "target_rps": TARGET_RPS,
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    verdict = "OK" if min(nginx, gzip) >= TARGET_RPS and not errors else "BELOW TARGET"
    print(
        f"median {nginx:.0f} requests/s through nginx's cache ({gzip:.0f} with gzip), "
        f"{direct:.0f} from gunicorn directly ({direct_errors} errors there): "
        f"{nginx / direct:.1f}× ({gzip / direct:.1f}×); {errors} errors through nginx: {verdict}"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "public_page_nginx.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1)
    )


def show(label: str, r: dict) -> str:
    errors = r["non_2xx_3xx"] + r["socket_errors"]
    return (
        f"{label:<40} {r['requests_per_second']:>8.0f} req/s  p50 {r['latency_p50']:>8}  "
        f"p99 {r['latency_p99']:>8}  errors {errors}  (load {r['load']})"
    )


def cpu_per_hit(path: str, hits: int = 2000) -> dict[str, float]:
    """CPU ms per cached hit in this process (Django's test client, the whole middleware stack),
    both ways, interleaved: a figure the load from other work hardly moves, unlike wrk's."""
    from django.conf import settings  # noqa: PLC0415 - after django.setup()
    from django.test import Client  # noqa: PLC0415

    from publicity.cache import LOCAL  # noqa: PLC0415

    client = Client(SERVER_NAME="127.0.0.1")
    kept = settings.PUBLIC_PAGE_LOCAL_SECONDS
    found: dict[str, list[float]] = {"before": [], "after": []}
    try:
        for _round in range(2):
            for label, seconds in (("before", 0.0), ("after", 0.5)):
                settings.PUBLIC_PAGE_LOCAL_SECONDS = seconds
                LOCAL.clear()
                for _ in range(20):
                    assert client.get(path).status_code == 200
                start = time.process_time()
                for _ in range(hits):
                    client.get(path)
                found[label].append((time.process_time() - start) * 1000 / hits)
    finally:
        settings.PUBLIC_PAGE_LOCAL_SECONDS = kept
        LOCAL.clear()
    return {label: min(values) for label, values in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", action="store_true", help="migrate and seed the demo county")
    parser.add_argument("--org", default=DEFAULT_ORG, help="the organization page to load")
    parser.add_argument("--seconds", type=int, default=15, help="each run's length")
    parser.add_argument("--rounds", type=int, default=3, help="before/after pairs")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-storms", action="store_true", help="skip the ?utm= and ?q= runs")
    parser.add_argument(
        "--via",
        choices=("gunicorn", "nginx"),
        default="gunicorn",
        help="nginx: through the deploy file's micro-cache, against gunicorn directly",
    )
    args = parser.parse_args()
    if args.via == "nginx":
        nginx_binary()  # says so at once when nginx is absent
    if not Path(WRK).exists():
        sys.exit(f"{WRK} not found: install wrk from Debian's packages (apt-get install wrk)")

    if args.seed:
        call_command("migrate", verbosity=0)
        call_command("seed_demo", verbosity=0)
    org = organization(args.org)
    path = reverse("publicity:organization", args=[org.pk])
    url = f"http://127.0.0.1:{args.port}{path}"
    if args.via == "nginx":
        main_via_nginx(args, org, path)
        return

    cpu = cpu_per_hit(path)
    print(
        f"CPU per cached hit, in-process: {cpu['before']:.2f} ms before (Redis only), "
        f"{cpu['after']:.2f} ms after (copies): {cpu['before'] / cpu['after']:.1f}× less",
        flush=True,
    )
    runs = []
    for n in range(args.rounds):
        for local_ms in (0, 500):
            r = one_run(args, url, local_ms=local_ms)
            runs.append(r)
            label = "before (Redis only)" if not local_ms else "after (copies, 500 ms)"
            print(show(f"round {n + 1} {label}", r), flush=True)
    storms = []
    if not args.no_storms:
        for storm in ("utm", "q"):
            r = one_run(args, url, local_ms=500, storm=storm)
            storms.append(r)
            print(show(f"storm ?{storm}=<random> (after)", r), flush=True)

    def median(local_ms: int) -> float:
        rates = sorted(r["requests_per_second"] for r in runs if r["local_ms"] == local_ms)
        return rates[len(rates) // 2]

    before, after = median(0), median(500)
    errors = sum(r["non_2xx_3xx"] + r["socket_errors"] for r in runs)
    result = {
        **_setting(args, org, path),
        "cpu_ms_per_hit": cpu,
        "runs": runs,
        "storms": storms,
        "before_rps": before,
        "after_rps": after,
        "requests_per_second": after,
        "target_rps": TARGET_RPS,
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    verdict = "OK" if after >= TARGET_RPS and not errors else "BELOW TARGET"
    print(
        f"median {before:.0f} requests/s before (Redis only), {after:.0f} after (copies in "
        f"front of Redis): {after / before:.2f}×; {errors} errors: {verdict}"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "public_page.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
