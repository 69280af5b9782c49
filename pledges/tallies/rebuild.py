"""Recounting the counters from the rows: `differences()` for `manage.py tallies --check`,
`rebuild()` after writes that send no signal, `sync_paths()` after a subtree is moved."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models import Model, OuterRef, Q

from core.db import analyse

from ..models import Organization, Tally
from .base import DISTINCT, SOURCES, Source, rolls_up
from .write import upsert

# (scope, organization id, year, period, kind, key): one stored row.
Row = tuple[str, int, int, int, str, str]


def _sources(models: Iterable[type[Model]] | None) -> list[Source]:
    return list(SOURCES.values()) if models is None else [SOURCES[m] for m in models]


def _kinds(models: Iterable[type[Model]] | None) -> set[str] | None:
    return None if models is None else {k for s in _sources(models) for k in s.all_kinds()}


def expected(
    org_ids: list[int] | None = None, models: Iterable[type[Model]] | None = None
) -> Counter:
    """The own counter rows of these sources (all when None) recounted from their rows (of
    these organizations)."""
    wanted: Counter = Counter()
    for source in _sources(models):
        for state in source.rows(org_ids):
            wanted.update(source.figures(state))
    if org_ids is not None:
        keep = set(org_ids)
        wanted = Counter({f: n for f, n in wanted.items() if f[0] in keep})
    derived: Counter = Counter()
    for figure, n in wanted.items():
        target = DISTINCT.get(figure[3])
        if target is not None and n > 0:
            derived[(*figure[:3], *target)] += 1
    wanted.update(derived)
    return +wanted  # without zeros


def rolled(own: Counter) -> Counter:
    """The SUBTREE rows these own rows make: each added to its organization and ancestors."""
    ids = dict(Organization.objects.values_list("path", "pk"))
    paths = {pk: path for path, pk in ids.items()}
    step = Organization.steplen
    ancestors: dict[int, list[int]] = {}
    subtree: Counter = Counter()
    for (org_id, year, period, kind, key), n in own.items():
        if not rolls_up(kind):
            continue
        up = ancestors.get(org_id)
        if up is None:
            path = paths[org_id]
            up = ancestors[org_id] = [ids[path[:end]] for end in range(step, len(path) + 1, step)]
        for pk in up:
            subtree[(pk, year, period, kind, key)] += n
    return subtree


def _stored(
    scope: str | None, org_ids: list[int] | None, models: Iterable[type[Model]] | None
) -> Counter:
    rows = Tally.objects.all()
    if scope is not None:
        rows = rows.filter(scope=scope)
    if org_ids is not None:
        rows = rows.filter(organization_id__in=org_ids)
    kinds = _kinds(models)
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    fields = ("scope", "organization_id", "year", "period", "kind", "key", "n")
    return +Counter({tuple(r[:6]): r[6] for r in rows.values_list(*fields).iterator(10000)})


def _scoped(own: Counter) -> Counter:
    """Both scopes' rows (as stored) of these own figures."""
    rows = Counter({(Tally.OWN, *f): n for f, n in own.items()})
    rows.update({(Tally.SUBTREE, *f): n for f, n in rolled(own).items()})
    return +rows


def _diff(want: Counter, have: Counter) -> dict:
    return {f: (have[f], want[f]) for f in set(want) | set(have) if have[f] != want[f]}


def differences(
    org_ids: list[int] | None = None, models: Iterable[type[Model]] | None = None
) -> dict[Row, tuple[int, int]]:
    """{row: (stored, recounted)} wherever they differ: both scopes when every organization is
    recounted; these organizations' own rows only when some are (their ancestors' subtree rows
    also hold other organizations' figures)."""
    own = expected(org_ids, models)
    if org_ids is None:
        return _diff(_scoped(own), _stored(None, None, models))
    want = Counter({(Tally.OWN, *f): n for f, n in own.items()})
    return _diff(want, _stored(Tally.OWN, org_ids, models))


def _lock() -> None:
    # Writers upsert inside their transactions: while the counters are replaced none may.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Tally._meta.db_table} IN EXCLUSIVE MODE")


def _index_order(row: Row) -> tuple:
    scope, org_id, year, period, kind, key = row
    return (org_id, scope, kind, year, period, key)


def _replace(diff: dict[Row, tuple[int, int]]) -> None:
    """Store the recounted n of these rows: delete the wrong ones, insert the right ones."""
    stale = [row for row, (have, _want) in diff.items() if have]
    # In slices: SQLite parses a chain of ORs as deep as it is long (at most 1,000).
    for start in range(0, len(stale), 200):
        wrong = Q()
        for scope, org_id, year, period, kind, key in stale[start : start + 200]:
            wrong |= Q(
                scope=scope, organization_id=org_id, year=year, period=period, kind=kind, key=key
            )
        Tally.objects.filter(wrong).delete()
    paths = dict(Organization.objects.values_list("pk", "path"))
    Tally.objects.bulk_create(
        (
            Tally(
                scope=row[0],
                organization_id=row[1],
                path=paths[row[1]],
                year=row[2],
                period=row[3],
                kind=row[4],
                key=row[5],
                n=want,
            )
            # In the unique key's order: an organization's rows fill neighbouring pages, so a
            # page's read of them touches a few pages, not one per row.
            for row, (_have, want) in sorted(diff.items(), key=lambda i: _index_order(i[0]))
            if want
        ),
        batch_size=2000,
    )


# Scratch tables of the full rebuild (temporary: this connection's, dropped at its end).
_OWN, _WANT, _UP, _DIFF = (f"tally_rebuild_{n}" for n in ("own", "want", "up", "diff"))
_KEY = ("scope", "organization_id", "year", "period", "kind", '"key"')
_COLUMNS = ", ".join(_KEY)


def _same(a: str, b: str) -> str:
    return " AND ".join(f"{a}.{c} = {b}.{c}" for c in _KEY)


def _scratch(cursor, *names: str) -> None:
    for name in names:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def _load(cursor, table: str, rows: list[tuple]) -> None:
    """Rows into a scratch table: COPY on PostgreSQL, a multi-row insert elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":

        def text(v) -> str:
            if v is None:
                return "\\N"
            return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

        buffer = io.StringIO()
        buffer.writelines("\t".join(map(text, row)) + "\n" for row in rows)
        buffer.seek(0)
        cursor.copy_expert(f"COPY {table} FROM STDIN", buffer)
        return
    marks = ", ".join(["%s"] * len(rows[0]))
    cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def _own_figures(cursor, models: Iterable[type[Model]] | None) -> None:
    """Each source's own figures counted in Python (its `figures`, the one definition of
    them), one source at a time, into the scratch table; the sums and everything derived
    from them are made in SQL."""
    cursor.execute(
        f"CREATE TEMP TABLE {_OWN} (organization_id integer, year integer, period integer, "
        'kind varchar(32), "key" varchar(64), n bigint)'
    )
    for source in _sources(models):
        counts: Counter = Counter()
        for state in source.rows(None):
            counts.update(source.figures(state))
        rows = [(*figure, n) for figure, n in counts.items() if n]
        del counts
        for start in range(0, len(rows), 100_000):
            _load(cursor, _OWN, rows[start : start + 100_000])


def _wanted(cursor, models: Iterable[type[Model]] | None) -> None:
    """The scratch table of every counter row as recounted: the own rows summed, the distinct
    figures of their holder rows, and the subtree rows (each rolling own row added to its
    organization and its ancestors)."""
    cursor.execute(
        f"CREATE TEMP TABLE {_WANT} (scope varchar(1), organization_id integer, year integer, "
        'period integer, kind varchar(32), "key" varchar(64), n bigint)'
    )
    cursor.execute(
        f'INSERT INTO {_WANT} SELECT %s, organization_id, year, period, kind, "key", SUM(n) '
        f'FROM {_OWN} GROUP BY organization_id, year, period, kind, "key" HAVING SUM(n) > 0',
        [Tally.OWN],
    )
    kinds = _kinds(models)
    holders = [h for h in DISTINCT if kinds is None or h in kinds]
    for holder in holders:
        kind, key = DISTINCT[holder]
        cursor.execute(
            f"INSERT INTO {_WANT} SELECT %s, organization_id, year, period, %s, %s, COUNT(*) "
            f"FROM {_WANT} WHERE scope = %s AND kind = %s AND n > 0 "
            "GROUP BY organization_id, year, period",
            [Tally.OWN, kind, key, Tally.OWN, holder],
        )
    # (organization, itself or an ancestor) for every organization with own rows.
    cursor.execute(f"CREATE TEMP TABLE {_UP} (organization_id integer, ancestor_id integer)")
    cursor.execute(f"SELECT DISTINCT organization_id FROM {_WANT}")
    having = {row[0] for row in cursor.fetchall()}
    ids = dict(Organization.objects.values_list("path", "pk"))
    step = Organization.steplen
    pairs = [
        (pk, ids[path[:end]])
        for path, pk in ids.items()
        if pk in having
        for end in range(step, len(path) + 1, step)
    ]
    _load(cursor, _UP, pairs)
    rolling = "".join(" AND w.kind <> %s" for _h in holders)
    cursor.execute(
        f'INSERT INTO {_WANT} SELECT %s, u.ancestor_id, w.year, w.period, w.kind, w."key", '
        f"SUM(w.n) FROM {_WANT} w JOIN {_UP} u ON u.organization_id = w.organization_id "
        f"WHERE w.scope = %s{rolling} "
        'GROUP BY u.ancestor_id, w.year, w.period, w.kind, w."key"',
        [Tally.SUBTREE, Tally.OWN, *holders],
    )
    cursor.execute(f"CREATE INDEX {_WANT}_key ON {_WANT} (organization_id, scope, kind, year)")
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {_WANT}")  # autovacuum never analyses a temporary table


def _differing(cursor, models: Iterable[type[Model]] | None) -> int:
    """The scratch table of the rows whose stored n (0 when none or not positive) differs
    from the recount, with both; returns how many."""
    table = connection.ops.quote_name(Tally._meta.db_table)
    kinds = _kinds(models)
    of_kinds, params = "", []
    if kinds is not None:
        of_kinds = f" AND t.kind IN ({', '.join(['%s'] * len(kinds))})"
        params = sorted(kinds)
    stored = "CASE WHEN t.n > 0 THEN t.n ELSE 0 END"
    w_cols = ", ".join(f"w.{c}" for c in _KEY)
    t_cols = ", ".join(f"t.{c}" for c in _KEY)
    cursor.execute(
        f"CREATE TEMP TABLE {_DIFF} AS "
        f"SELECT {w_cols}, COALESCE({stored}, 0) AS have, w.n AS want "
        f"FROM {_WANT} w LEFT JOIN {table} t ON {_same('t', 'w')} "
        f"WHERE w.n <> COALESCE({stored}, 0) "
        f"UNION ALL SELECT {t_cols}, t.n AS have, 0 AS want FROM {table} t "
        f"WHERE t.n > 0{of_kinds} AND NOT EXISTS (SELECT 1 FROM {_WANT} w WHERE {_same('w', 't')})",
        params,
    )
    cursor.execute(f"SELECT COUNT(*) FROM {_DIFF}")
    return cursor.fetchone()[0]


def _rebuild_all(
    models: Iterable[type[Model]] | None, report: Callable[[dict], None] | None
) -> int:
    """Every counter row of these sources recounted and replaced, set-based: the own figures
    from Python into a scratch table, the rest (sums, distinct figures, subtree rows, the
    comparison with the stored rows, the replacement) in a few statements. Same rows as
    `differences()` (which `manage.py tallies --check` recounts in Python, independently)."""
    table = connection.ops.quote_name(Tally._meta.db_table)
    org = connection.ops.quote_name(Organization._meta.db_table)
    with connection.cursor() as cursor:
        _scratch(cursor, _DIFF, _UP, _WANT, _OWN)
        _own_figures(cursor, models)
        _wanted(cursor, models)
        changed = _differing(cursor, models)
        if report is not None:
            cursor.execute(f"SELECT {_COLUMNS}, have, want FROM {_DIFF}")
            report({tuple(r[:6]): (r[6], r[7]) for r in cursor.fetchall()})
        if changed:
            cursor.execute(
                f"DELETE FROM {table} WHERE EXISTS "
                f"(SELECT 1 FROM {_DIFF} d WHERE {_same('d', table)})"
            )
            # In the unique key's order: an organization's rows fill neighbouring pages, so a
            # page's read of them touches a few pages, not one per row.
            cursor.execute(
                f'INSERT INTO {table} ("organization_id", "path", "scope", "year", "period", '
                '"kind", "key", "n") '
                f'SELECT d.organization_id, o.path, d.scope, d.year, d.period, d.kind, d."key", '
                f"d.want FROM {_DIFF} d JOIN {org} o ON o.id = d.organization_id "
                "WHERE d.want > 0 ORDER BY d.organization_id, d.scope, d.kind, d.year, d.period, "
                'd."key"'
            )
        _scratch(cursor, _DIFF, _UP, _WANT, _OWN)
    return changed


@transaction.atomic(savepoint=False)  # inside the bulk writer's transaction: no savepoint
def rebuild(
    org_ids: Iterable[int] | None = None,
    models: Iterable[type[Model]] | None = None,
    report: Callable[[dict], None] | None = None,
) -> int:
    """Recount the counters of these organizations (all when None), of these models' rows
    (all when None), in the caller's transaction: for every write that sends no signal.
    Some organizations: their own rows are recounted and each difference is added like a
    write (to their ancestors' subtree rows too). All: every row of both scopes is recounted
    and replaced, set-based (`_rebuild_all`: a province's millions of rows in minutes, not
    Python objects). `report` is shown the differences first. Returns the number of counter
    rows changed (own rows when some)."""
    ids = None if org_ids is None else sorted(set(org_ids))
    models = None if models is None else list(models)
    _lock()
    if ids is None:
        changed = _rebuild_all(models, report)
        # A large recount leaves the table's statistics behind it (issue 17 §5).
        analyse(Tally, rows=changed)
        return changed
    diff = differences(ids, models)
    if report is not None:
        report(diff)
    if not diff:
        return 0
    upsert({row[1:]: want - have for row, (have, want) in diff.items()})
    return len(diff)


@transaction.atomic(savepoint=False)
def sync_paths() -> None:
    """After a subtree was moved (treebeard rewrites the paths with one update, no signal):
    copy each organization's path onto its counters, and recompute the subtree rows (the
    moved organizations' old ancestors lose them, the new ones gain them) from the own rows."""
    moved = Tally.objects.exclude(
        path=Organization.objects.filter(pk=OuterRef("organization_id")).values("path")[:1]
    )
    ids = set(moved.values_list("organization_id", flat=True).distinct())
    if not ids:
        return
    _lock()
    for org_id, path in Organization.objects.filter(pk__in=ids).values_list("pk", "path"):
        Tally.objects.filter(organization_id=org_id).update(path=path)
    own = _stored(Tally.OWN, None, None)
    want = Counter(
        {
            (Tally.SUBTREE, *f): n
            for f, n in rolled(Counter({r[1:]: n for r, n in own.items()})).items()
        }
    )
    _replace(_diff(+want, _stored(Tally.SUBTREE, None, None)))
