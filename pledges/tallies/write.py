"""Keeping the counters in the writer's transaction: the signal handlers and the one upsert
that adds a write's deltas to its organization's own rows and to the subtree rows of the
organization and of every ancestor (see the package's docstring for the locking)."""

from __future__ import annotations

from collections import Counter

from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_save

from ..models import Organization, Tally
from .base import DISTINCT, SOURCES, Figure, Source, rolls_up

# pg_advisory_xact_lock(TALLY_LOCK): every counter writer's queue (the key is arbitrary).
TALLY_LOCK = 7_101_790


def _sql(rows: int) -> str:
    table = connection.ops.quote_name(Tally._meta.db_table)
    org = connection.ops.quote_name(Organization._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * rows)
    # The lock is a column of the leaf's row, so it is taken before any counter row is.
    lock = (
        f", pg_advisory_xact_lock({TALLY_LOCK}) AS lock"
        if connection.vendor == "postgresql"
        else ""
    )
    return (
        "WITH RECURSIVE "
        f"v(org, year, period, kind, key, d, rolls) AS (VALUES {values}), "
        f"leaf AS (SELECT o.id, o.path, o.depth{lock} FROM {org} o "
        "WHERE o.id IN (SELECT org FROM v)), "
        # Up from each leaf to the root: a parent's path is its child's minus one step.
        "up(leaf, id, path, depth) AS ("
        "SELECT id, id, path, depth FROM leaf "
        f"UNION ALL SELECT up.leaf, p.id, p.path, p.depth FROM up JOIN {org} p "
        f"ON p.path = substr(up.path, 1, length(up.path) - {Organization.steplen}) "
        "WHERE up.depth > 1) "
        f'INSERT INTO {table} ("organization_id", "path", "scope", "year", "period", "kind", '
        '"key", "n") '
        "SELECT id, path, scope, year, period, kind, key, SUM(d) FROM ("
        f"SELECT leaf.id, leaf.path, '{Tally.OWN}' AS scope, v.year, v.period, v.kind, v.key, "
        "v.d FROM v JOIN leaf ON leaf.id = v.org "
        f"UNION ALL SELECT up.id, up.path, '{Tally.SUBTREE}', v.year, v.period, v.kind, v.key, "
        "v.d FROM v JOIN up ON up.leaf = v.org WHERE v.rolls = 1"
        ") AS r WHERE 1 = 1 "  # SQLite: WHERE keeps ON CONFLICT from reading as a join's ON
        "GROUP BY id, path, scope, year, period, kind, key "
        # One order for every writer's row locks.
        "ORDER BY id, scope, kind, year, period, key "
        'ON CONFLICT ("organization_id", "scope", "kind", "year", "period", "key") '
        f'DO UPDATE SET "n" = {table}."n" + excluded."n" '
        f'RETURNING "organization_id", "scope", "year", "period", "kind", "key", "n"'
    )


def upsert(deltas: dict[Figure, int]) -> dict[Figure, int]:
    """Add each delta to its own counter row and to the subtree rows of its organization and
    its ancestors (rows created at n = delta); the new n of each own row. One statement."""
    items = sorted((figure, d) for figure, d in deltas.items() if d)
    if not items:
        return {}
    params: list = []
    for (org_id, year, period, kind, key), d in items:
        params += [org_id, year, period, kind, key, d, 1 if rolls_up(kind) else 0]
    with connection.cursor() as cursor:
        cursor.execute(_sql(len(items)), params)
        return {tuple(row[0:1] + row[2:6]): row[6] for row in cursor.fetchall() if row[1] == "o"}


def apply(deltas: Counter) -> None:
    """Add these changes to the counters, and to the distinct figures their holders feed."""
    if not any(deltas.values()):
        return
    after = upsert(deltas)
    derived: Counter = Counter()
    for figure, d in deltas.items():
        target = DISTINCT.get(figure[3])
        if target is None or not d:
            continue
        n = after[figure]
        before = n - d
        step = (n > 0) - (before > 0)
        if step:
            derived[(*figure[:3], *target)] += step
    upsert(derived)


def _figures(source: Source, state: dict | None) -> Counter:
    return Counter(source.figures(state)) if state is not None else Counter()


def _stored_state(source: Source, instance: Model) -> dict | None:
    """The row as stored, read just before it is overwritten: under the services' row lock
    (core.locks) that is the committed state a concurrent writer left, which a copy kept at
    load time might not be."""
    if instance._state.adding or instance.pk is None:
        return None
    return source.model._base_manager.filter(pk=instance.pk).values(*source.fields).first()


def _saving(sender, instance, **kwargs) -> None:
    instance._tally_old = _stored_state(SOURCES[sender], instance)


def _saved(sender, instance, created=False, **kwargs) -> None:
    source = SOURCES[sender]
    old = None if created else getattr(instance, "_tally_old", None)
    new = {f: getattr(instance, f) for f in source.fields}
    context = source.context(instance) if source.context else {}
    if old is not None:
        old.update(context)
    new.update(context)
    deltas = _figures(source, new)
    deltas.subtract(_figures(source, old))
    if source.cascade:
        deltas.update(source.cascade(instance, old or {}, new))
    apply(deltas)
    instance._tally_old = None


def _deleted(sender, instance, **kwargs) -> None:
    # The instance deleted was just read (a cascade) or locked and reloaded (a service).
    source = SOURCES[sender]
    old = {f: getattr(instance, f) for f in source.fields}
    if source.context:
        old.update(source.context(instance))
    deltas: Counter = Counter()
    deltas.subtract(_figures(source, old))
    apply(deltas)


def register(source: Source) -> None:
    SOURCES[source.model] = source
    name = source.model._meta.label_lower
    pre_save.connect(_saving, sender=source.model, dispatch_uid=f"tallies-pre-{name}")
    post_save.connect(_saved, sender=source.model, dispatch_uid=f"tallies-save-{name}")
    post_delete.connect(_deleted, sender=source.model, dispatch_uid=f"tallies-delete-{name}")
