#!/usr/bin/env python
"""A real streaming replica and PgBouncer on this machine: the pages and the ledger through
them, and the writer reading his own writes (issue 17 §3).

Run as root on the machine of the local PostgreSQL 15 cluster (trust authentication):

    .venv/bin/python bench/replica.py [--database pb_scale_out_replica] [--runs 30]

1. The database: created, migrated and seeded with the demo county (`seed_demo`) if it is not
   there yet (never the city: the machine is shared).
2. A replication line in pg_hba.conf (taken out again at the end), then `pg_basebackup -R -X
   stream` of the local cluster into a temporary directory, started with pg_ctl as the postgres
   user on port 5433 as a hot standby.
3. PgBouncer in transaction mode on 127.0.0.1:6432 (or a free port) with two databases,
   `primary` (5432) and `replica` (5433).
4. In child processes, each with its own settings from the environment:
   - pages, in turn, three ways: straight to PostgreSQL (server-side cursors on, no replica),
     through PgBouncer (DATABASE_POOLER=transaction), and through PgBouncer with
     DATABASE_REPLICA_URL; median / p95 and the statements each alias ran;
   - the 承诺践诺台账 export builder (core.db.stream: a server-side cursor straight, pages of
     primary keys through PgBouncer), with its peak RSS;
   - the lag: replay paused on the replica, a pledge is saved and published by its branch
     secretary in one request; the secretary reads its public page at once (pinned to the
     primary by the cookie), another visitor gets 404 from the replica, and the page once the
     replay resumes and the replica has the row.
5. Everything started is stopped (PgBouncer, the replica cluster, the temporary directory, the
   pg_hba line), also on an error or after --timeout seconds.

Writes bench/results/replica.json and prints a summary.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
HBA = Path("/etc/postgresql/15/main/pg_hba.conf")
HBA_LINE = "host replication all 127.0.0.1/32 trust  # bench/replica.py, removed when it ends"
PRIMARY_PORT = 5432
REPLICA_PORT = 5433
COUNTY = "青溪县委"
BRANCH = "东街社区党支部"


# ---- the orchestrating process: no Django here (each child has its own settings) -----------


def sh(args: list[str], *, timeout: float = 120, check: bool = True, user: str | None = None):
    if user:
        args = ["runuser", "-u", user, "--", *args]
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {done.stdout}{done.stderr}")
    return done


def psql(sql: str, *, port: int = PRIMARY_PORT, database: str = "postgres") -> str:
    done = sh(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database,
               "-XAtc", sql])  # fmt: skip
    return done.stdout.strip()


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while port_free(port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing listens on {port} after {seconds:.0f} s")
        time.sleep(0.2)


def ensure_database(name: str, env: dict) -> dict:
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    if exists:
        seeded = psql(
            f"SELECT count(*) FROM pledges_organization WHERE name = '{COUNTY}'", database=name
        )
        if seeded == "1":
            return {"seeded": False}
    else:
        psql(f'CREATE DATABASE "{name}"')
    started = time.monotonic()
    py = sys.executable
    sh([py, str(ROOT / "manage.py"), "migrate", "--noinput"], timeout=900)
    subprocess.run([py, str(ROOT / "manage.py"), "seed_demo"], env=env, check=True, timeout=1800)
    return {"seeded": True, "seed_seconds": round(time.monotonic() - started, 1)}


class Stack:
    """What the bench started, stopped in reverse order whatever happens."""

    def __init__(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="pb-replica-"))
        self.data = self.tmp / "data"
        self.hba_added = False
        self.replica_started = False
        self.bouncer: subprocess.Popen | None = None
        self.grown: tuple[str, int, int] | None = None  # (database, first, last copied id)
        self.log: list[str] = []

    def note(self, line: str) -> None:
        print(line, flush=True)
        self.log.append(line)

    def add_hba(self) -> None:
        text = HBA.read_text()
        if "host replication all 127.0.0.1/32" not in text:
            HBA.write_text(text.rstrip("\n") + "\n" + HBA_LINE + "\n")
            self.hba_added = True
            psql("SELECT pg_reload_conf()")

    def base_backup(self) -> float:
        postgres = pwd.getpwnam("postgres")
        os.chown(self.tmp, postgres.pw_uid, postgres.pw_gid)
        started = time.monotonic()
        sh(
            [str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT),
             "-U", "postgres", "-D", str(self.data), "-R", "-X", "stream", "-c", "fast"],
            user="postgres", timeout=600,
        )  # fmt: skip
        seconds = time.monotonic() - started
        # Debian keeps the configuration in /etc: the copy gets a small one of its own.
        for name, text in {
            "postgresql.conf": (
                f"port = {REPLICA_PORT}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.tmp}'\nhot_standby = on\n"
                "shared_buffers = 64MB\n"
                # A 40-second export may not be cancelled by the replay (its own chunks are
                # short queries, but a server-side cursor straight to the replica is not).
                "max_standby_streaming_delay = 60s\n"
            ),
            "pg_hba.conf": "local all all trust\nhost all all 127.0.0.1/32 trust\n",
            "pg_ident.conf": "",
        }.items():
            path = self.data / name
            path.write_text(text)
            os.chown(path, postgres.pw_uid, postgres.pw_gid)
        return seconds

    def start_replica(self) -> None:
        self.replica_started = True  # pg_ctl may start it and still time out: stop it anyway
        done = sh(
            [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.tmp / "replica.log"),
             "-w", "-t", "90", "start"],
            user="postgres", timeout=120, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            log = (self.tmp / "replica.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"the replica did not start:\n{log}")

    def start_bouncer(self, database: str, port: int) -> None:
        ini = self.tmp / "pgbouncer.ini"
        users = self.tmp / "users.txt"
        users.write_text('"postgres" ""\n')
        ini.write_text(
            "[databases]\n"
            f"primary = host=127.0.0.1 port={PRIMARY_PORT} dbname={database}\n"
            f"replica = host=127.0.0.1 port={REPLICA_PORT} dbname={database}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {users}\n"
            "pool_mode = transaction\nmax_client_conn = 200\ndefault_pool_size = 10\n"
            "ignore_startup_parameters = extra_float_digits\nadmin_users = postgres\n"
            f"logfile = {self.tmp / 'pgbouncer.log'}\n"
        )
        postgres = pwd.getpwnam("postgres")
        for path in (ini, users):
            os.chown(path, postgres.pw_uid, postgres.pw_gid)
        self.bouncer = subprocess.Popen(
            ["runuser", "-u", "postgres", "--", "pgbouncer", str(ini)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(port, 20)

    def stop(self) -> None:
        if self.grown is not None:
            database, first, last = self.grown
            psql(
                f"DELETE FROM pledges_pledge WHERE id BETWEEN {first} AND {last}",
                database=database,
            )
            self.grown = None
            self.note("removed: the copied pledges")
        if self.bouncer is not None and self.bouncer.poll() is None:
            self.bouncer.terminate()
            try:
                self.bouncer.wait(10)
            except subprocess.TimeoutExpired:
                self.bouncer.kill()
                self.bouncer.wait(5)
            self.note("stopped: PgBouncer")
        if self.replica_started:
            sh(
                [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "60",
                 "stop"],
                user="postgres", timeout=90, check=False,
            )  # fmt: skip
            self.replica_started = False
            self.note("stopped: the replica cluster")
        if self.hba_added:
            HBA.write_text(HBA.read_text().replace(HBA_LINE + "\n", ""))
            psql("SELECT pg_reload_conf()")
            self.hba_added = False
            self.note("removed: the replication line of pg_hba.conf")
        shutil.rmtree(self.tmp, ignore_errors=True)


COPIED = (
    "kind, title, measures, deadline, expected_result, year, half, status, return_reason, "
    "close_result, closed_on, created_at, submitted_at, approved_at, published_at, version, "
    "approved_by_id, closed_by_id, created_by_id, owner_member_id, owner_org_id, submitted_by_id"
)


def grow_ledger(database: str, rows: int) -> int:
    """Copy this year's pledges until there are about `rows`; returns how many were added."""
    year = time.localtime().tm_year
    have = int(psql(f"SELECT count(*) FROM pledges_pledge WHERE year = {year}", database=database))
    copies = max(0, -(-rows // max(have, 1)) - 1)
    if copies:
        psql(
            f"INSERT INTO pledges_pledge ({COPIED}) SELECT {COPIED} FROM pledges_pledge, "
            f"generate_series(1, {copies}) WHERE year = {year}; ANALYZE pledges_pledge",
            database=database,
        )
    return have * copies


def wait_for_replica(database: str, seconds: float = 120) -> float:
    """Seconds until the replica has replayed everything the primary has written so far."""
    target = psql("SELECT pg_current_wal_lsn()")
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        replayed = psql(
            f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn",
            port=REPLICA_PORT,
            database=database,
        )
        if replayed == "t":
            break
        time.sleep(0.05)
    return time.monotonic() - start


def child(kind: str, env: dict, args: argparse.Namespace, timeout: float) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--runs", str(args.runs)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {kind} failed:\n{done.stdout}\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="pb_scale_out_replica")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--timeout", type=int, default=1200, help="seconds for the whole run")
    parser.add_argument(
        "--ledger-rows", type=int, default=100_000, help="the ledger grown to about this many rows"
    )
    parser.add_argument("--child", choices=["pages", "ledger", "lag"])
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.runs)
        return
    if os.geteuid() != 0:
        sys.exit("bench/replica.py runs as root (pg_hba.conf, pg_ctl as postgres)")

    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "REDIS"))}
    base |= {"SECRET_KEY": "bench-only", "SECURE_SSL_REDIRECT": "false", "DEBUG": "false"}
    direct_url = f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/{args.database}"
    os.environ["DATABASE_URL"], os.environ["SECRET_KEY"] = direct_url, "bench-only"
    result: dict = {"database": args.database, "when": time.strftime("%Y-%m-%dT%H:%M:%S")}
    result["commit"] = sh(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]).stdout.strip()
    result |= ensure_database(args.database, {**base, "DATABASE_URL": direct_url})

    def out_of_time(signum, frame):
        raise TimeoutError(f"bench/replica.py: over {args.timeout} s, stopping everything")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(args.timeout)
    stack = Stack()
    try:
        stack.add_hba()
        result["basebackup_seconds"] = round(stack.base_backup(), 1)
        stack.note(f"pg_basebackup: {result['basebackup_seconds']} s")
        stack.start_replica()
        wait_for_port(REPLICA_PORT, 30)
        stack.note(
            "replica on 5433, in recovery: "
            + psql("SELECT pg_is_in_recovery()", port=REPLICA_PORT, database=args.database)
        )
        result["replication"] = psql(
            "SELECT application_name || ' ' || state || ' ' || sync_state || ', replay lag '"
            " || coalesce(replay_lag::text, '0') FROM pg_stat_replication"
        )
        stack.note(f"pg_stat_replication: {result['replication']}")
        bouncer_port = 6432 if port_free(6432) else free_port()
        stack.start_bouncer(args.database, bouncer_port)
        stack.note(f"PgBouncer (transaction mode) on {bouncer_port}")
        pooled = f"postgres://postgres@127.0.0.1:{bouncer_port}"
        configs = {
            "straight to PostgreSQL": {"DATABASE_URL": direct_url},
            "PgBouncer": {"DATABASE_URL": f"{pooled}/primary", "DATABASE_POOLER": "transaction"},
            "PgBouncer + replica": {
                "DATABASE_URL": f"{pooled}/primary",
                "DATABASE_REPLICA_URL": f"{pooled}/replica",
                "DATABASE_POOLER": "transaction",
            },
        }
        replica_direct = {
            "BENCH_REPLICA_DIRECT": (
                f"host=127.0.0.1 port={REPLICA_PORT} user=postgres dbname={args.database}"
            )
        }
        result["pages"], result["ledger"] = {}, {}
        for name, env in configs.items():
            result["pages"][name] = child("pages", {**base, **env}, args, 600)
            stack.note(f"pages, {name}: done")
        # The ledger needs rows to show its memory: the county's pledges copied in bulk (taken
        # out again below), replicated like any write.
        first_copy = int(
            psql("SELECT coalesce(max(id), 0) + 1 FROM pledges_pledge", database=args.database)
        )
        stack.grown = (args.database, first_copy, first_copy + args.ledger_rows * 2)
        result["ledger_rows_added"] = grow_ledger(args.database, args.ledger_rows)
        last_copy = int(psql("SELECT max(id) FROM pledges_pledge", database=args.database))
        stack.grown = (args.database, first_copy, last_copy)
        result["replica_caught_up_seconds"] = wait_for_replica(args.database)
        stack.note(
            f"ledger: {result['ledger_rows_added']:,} pledges copied; the replica had them "
            f"{result['replica_caught_up_seconds']:.1f} s after the commit"
        )
        ledgers = {
            **configs,
            "PgBouncer, iterator() as before (no paging)": {
                **configs["PgBouncer"],
                "BENCH_NO_PAGING": "1",
            },
        }
        for name, env in ledgers.items():
            result["ledger"][name] = child("ledger", {**base, **env}, args, 600)
            stack.note(f"ledger, {name}: {result['ledger'][name]}")
        lag_env = {**base, **configs["PgBouncer + replica"], **replica_direct}
        result["lag"] = child("lag", lag_env, args, 180)
        result["bouncer_show_pools"] = psql("SHOW POOLS", port=bouncer_port, database="pgbouncer")
    finally:
        signal.alarm(0)
        stack.stop()
    result["log"] = stack.log
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "replica.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print_summary(result)


def print_summary(result: dict) -> None:
    print()
    print(f"database {result['database']} (the demo county), commit {result['commit']}")
    print(f"pg_basebackup {result['basebackup_seconds']} s; {result['replication']}")
    print()
    names = list(result["pages"])
    pages = list(result["pages"][names[0]]["pages"])
    print("| page | " + " | ".join(f"{n}: median / p95 ms, queries primary+replica" for n in names))
    print("| --- |" + " --- |" * len(names))
    for page in pages:
        cells = []
        for n in names:
            r = result["pages"][n]["pages"][page]
            cells.append(
                f"{r['median']:.1f} / {r['p95']:.1f}, {r['default_queries']}+{r['replica_queries']}"
            )
        print(f"| {page} | " + " | ".join(cells) + " |")
    print()
    for n, r in result["ledger"].items():
        print(
            f"ledger, {n}: {r['rows']} rows in {r['seconds']:.2f} s, "
            f"peak RSS {r['peak_mb']:.0f} MB "
            f"(+{r['peak_mb'] - r['baseline_mb']:.1f} MB over Django), "
            f"queries primary {r['default_queries']}, replica {r['replica_queries']}; "
            f"{r['paging']}"
        )
    print()
    for line in result["lag"]["lines"]:
        print(line)


# ---- children: Django with the settings of their environment --------------------------------


def _setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


class _Queries:
    def __enter__(self):
        from django.conf import settings
        from django.db import connections
        from django.test.utils import CaptureQueriesContext

        aliases = ["default", "replica"] if settings.READ_REPLICA else ["default"]
        self._contexts = {a: CaptureQueriesContext(connections[a]) for a in aliases}
        for context in self._contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self._contexts.values():
            context.__exit__(*exc)
        self.counts = {a: len(c.captured_queries) for a, c in self._contexts.items()}
        self.counts.setdefault("replica", 0)


def _users():
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return {u.username: u for u in User.objects.filter(username__in=USERNAMES)}


USERNAMES = ("office", "sec_dongjie", "sec_chengguan", "member_dongjie1", "admin")


def child_pages(runs: int) -> dict:
    from django.test import Client
    from django.urls import reverse

    from pledges.models import Organization

    users = _users()
    county = Organization.objects.get(name=COUNTY)
    branch = Organization.objects.get(name=BRANCH)
    n = iter(range(10**9))
    # (name, url, user, count cache bypassed); the public page with a new query string each
    # time: a cache miss, rendered from the database (the ?utm= case of §4).
    todo = [
        ("member page /me/ (primary)", lambda: "/me/", "member_dongjie1", False),
        ("office /org/<county>/ (primary)", lambda: f"/org/{county.pk}/", "office", False),
        (
            "county dashboard, recounted (lag-tolerant)",
            lambda: reverse("reviews:dashboard", args=[county.pk]),
            "office",
            True,
        ),
        (
            "public organization page, a miss (lag-tolerant)",
            lambda: f"{reverse('publicity:organization', args=[branch.pk])}?b={next(n)}",
            None,
            False,
        ),
    ]
    clients = {}
    for name, _url, username, _bypass in todo:
        clients[name] = Client()
        if username:
            clients[name].force_login(users[username])
    samples = {name: [] for name, *_ in todo}
    queries = {}
    # Figures are counter rows (pledges.tallies): no count cache to bypass any more.
    for round_ in range(runs + 2):  # two rounds of warm-up
        for name, url, _username, _bypass in todo:
            with _Queries() as ran:
                start = time.perf_counter()
                response = clients[name].get(url())
                ms = (time.perf_counter() - start) * 1000
            assert response.status_code == 200, (name, response.status_code)
            if round_ >= 2:
                samples[name].append(ms)
                queries[name] = ran.counts
    pages = {}
    for name, values in samples.items():
        values.sort()
        pages[name] = {
            "median": statistics.median(values),
            "p95": values[max(0, round(len(values) * 0.95) - 1)],
            "default_queries": queries[name]["default"],
            "replica_queries": queries[name]["replica"],
        }
    return {"runs": runs, "pages": pages}


def child_ledger() -> dict:
    from django.conf import settings
    from django.db import connections

    from core.db import lag_tolerant
    from pledges.ledgers import pledge as ledger
    from pledges.models import Organization

    if os.environ.get("BENCH_NO_PAGING"):
        # What the export did before core.db.stream: iterator(), which without a server-side
        # cursor reads the whole result into the client at once.
        ledger.stream = lambda rows, chunk: rows.iterator(chunk)

    users = _users()
    county = Organization.objects.get(name=COUNTY)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    period = ledger.Period.parse(str(time.localtime().tm_year), ("year",))
    with tempfile.TemporaryFile() as out, _Queries() as ran, lag_tolerant():
        start = time.perf_counter()
        rows = ledger.write_pledge_ledger(out, user=users["admin"], org=county, period=period)
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    paged = connections["default"].settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    return {
        "rows": rows,
        "seconds": seconds,
        "peak_mb": peak,
        "baseline_mb": baseline,
        "default_queries": ran.counts["default"],
        "replica_queries": ran.counts["replica"],
        "paging": (
            "iterator() without a server-side cursor: the whole result at once"
            if os.environ.get("BENCH_NO_PAGING")
            else f"primary keys then chunks of {ledger.CHUNK} (no server-side cursor)"
            if paged
            else f"server-side cursor, {ledger.CHUNK} rows a fetch"
        ),
        "read_replica": settings.READ_REPLICA,
    }


def child_lag() -> dict:
    import datetime

    import psycopg2
    from django.conf import settings
    from django.http import JsonResponse
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import include, path, reverse
    from django.utils import timezone

    from core import db
    from pledges.models import Organization, Pledge
    from pledges.rules.pledge_content import PledgeContent
    from pledges.services.pledge import (
        pledge_approve,
        pledge_create,
        pledge_publish,
        pledge_submit,
    )

    users = _users()
    branch = Organization.objects.get(name=BRANCH)

    def save_and_publish(request):
        """The bench's one write view: the branch secretary's pledge, saved and made public
        through the services in this request (approved by whoever above may)."""
        year = timezone.localdate().year
        content = PledgeContent(
            kind=Pledge.Kind.values[0],
            title=f"副本延迟演示承诺 {time.time_ns()}",
            measures="每周走访群众，按月记实",
            deadline=datetime.date(year, 12, 28),
            expected_result="群众满意",
        )
        pledge = pledge_create(by=request.user, owner_org=branch, content=content, year=year)
        pledge_submit(pledge=pledge, by=request.user)
        for approver in ("sec_chengguan", "office", "admin"):
            try:
                pledge_approve(pledge=pledge, by=users[approver])
                break
            except Exception:  # noqa: BLE001 (the next one up may)
                continue
        pledge_publish(pledge=pledge, by=request.user)
        return JsonResponse({"pk": pledge.pk, "title": pledge.title})

    sys.modules[__name__].urlpatterns = [
        path("bench/save-and-publish/", save_and_publish),
        path("", include("config.urls")),
    ]
    replica = psycopg2.connect(os.environ["BENCH_REPLICA_DIRECT"])
    replica.autocommit = True

    def on_replica(sql: str, params=()):
        with replica.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    lines = []
    writer, visitor = Client(), Client()
    writer.force_login(users["sec_dongjie"])
    with override_settings(ROOT_URLCONF=__name__):
        on_replica("SELECT pg_wal_replay_pause()")
        lines.append("replay paused on the replica")
        try:
            saved = writer.post("/bench/save-and-publish/").json()
            pinned = db.PIN_COOKIE in writer.cookies
            url = reverse("publicity:pledge", args=[branch.pk, saved["pk"]])
            start = time.perf_counter()
            mine = writer.get(url)
            lines.append(
                f"writer saved pledge {saved['pk']} (pin cookie set: {pinned}); reads its public "
                f"page at once: {mine.status_code}, title shown: "
                f"{saved['title'] in mine.content.decode()}"
            )
            lines.append(
                "another visitor at once, same address: "
                f"{visitor.get(url).status_code} (the page the writer's read put in the cache)"
            )
            url = f"{url}?from=elsewhere"  # a new address: a cache miss, read from the replica
            lines.append(
                "another visitor at once, an address not cached yet (replica, replay paused): "
                f"{visitor.get(url).status_code}"
            )
            unpinned = Client()
            unpinned.force_login(users["sec_dongjie"])
            lines.append(
                "the writer without the pin cookie (another browser), same new address: "
                f"{unpinned.get(url).status_code}"
            )
        finally:
            on_replica("SELECT pg_wal_replay_resume()")
        resumed = time.perf_counter()
        waited = 0.0
        while not on_replica("SELECT count(*) FROM pledges_pledge WHERE id = %s", [saved["pk"]]):
            time.sleep(0.005)
            waited = time.perf_counter() - resumed
            if waited > 30:
                break
        lines.append(f"replay resumed; the replica had the row {waited * 1000:.0f} ms later")
        after = visitor.get(url)
        lines.append(
            f"the visitor then: {after.status_code}, title shown: "
            f"{saved['title'] in after.content.decode()} "
            f"({(time.perf_counter() - start):.1f} s after the writer's read)"
        )
        # The lag in normal running: a write on the primary until the replica has it.
        lags = []
        for _ in range(20):
            pk = Pledge.objects.order_by("-pk").values_list("pk", flat=True).first()
            Pledge.objects.filter(pk=pk).update(measures=f"lag probe {time.time_ns()}")
            probe = Pledge.objects.filter(pk=pk).values_list("measures", flat=True).get()
            t0 = time.perf_counter()
            while on_replica("SELECT measures FROM pledges_pledge WHERE id = %s", [pk]) != probe:
                time.sleep(0.001)
            lags.append((time.perf_counter() - t0) * 1000)
        lags.sort()
        lines.append(
            f"replication lag, 20 updates: median {statistics.median(lags):.1f} ms, max "
            f"{lags[-1]:.1f} ms (the pin lasts {settings.REPLICA_PIN_SECONDS} s)"
        )
    replica.close()
    return {"lines": lines, "lag_ms": lags}


def run_child(kind: str, runs: int) -> None:
    _setup()
    result = {"pages": lambda: child_pages(runs), "ledger": child_ledger, "lag": child_lag}[kind]()
    print(json.dumps(result, ensure_ascii=False))


urlpatterns: list = []  # the lag child's URLconf (set in child_lag)

if __name__ == "__main__":
    main()
