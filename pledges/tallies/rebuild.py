"""Recounting the counters from the rows: `differences()` for `manage.py tallies --check`,
`rebuild()` after writes that send no signal, `sync_paths()` after a subtree is moved."""

from __future__ import annotations

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
    and replaced. `report` is shown the differences first. Returns the number of counter rows
    changed (own rows when some)."""
    ids = None if org_ids is None else sorted(set(org_ids))
    models = None if models is None else list(models)
    _lock()
    diff = differences(ids, models)
    if report is not None:
        report(diff)
    if not diff:
        return 0
    if ids is not None:
        upsert({row[1:]: want - have for row, (have, want) in diff.items()})
        return len(diff)
    _replace(diff)
    # A large recount leaves the table's statistics behind it (issue 17 §5).
    analyse(Tally, rows=len(diff))
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
