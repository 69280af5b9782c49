"""Beyond one database machine: which reads may go to a streaming replica, read-your-writes,
streaming without server-side cursors, and statistics after bulk writes.

- `lag_tolerant()` (a context manager or a decorator) declares that the reads inside it may be
  a few seconds behind: public pages, ledgers and exports, dashboards, feeds. The router
  (config/db_router.py) sends them to the `replica` alias when `settings.READ_REPLICA` is on
  (DATABASE_REPLICA_URL is set), and every other read and every write to the primary.
- A user who has just written reads his own writes: `ReadYourWritesMiddleware` watches the
  request's statements on the primary (connection.execute_wrapper: an INSERT, UPDATE or DELETE)
  and, if there was one, sets a signed cookie that pins the user's next requests to the primary
  for `REPLICA_PIN_SECONDS`. A cookie rather than the session: it costs no database write of its
  own, it also pins anonymous writers (an opinion posted on a public page), and it expires by
  itself (the signature carries the time).
- A value computed from the replica and cached under a version key may be older than its key
  (the write bumped the version before the replica replayed it): `cache_seconds()` caps its
  lifetime at `REPLICA_CACHE_SECONDS`, so a stale copy cannot outlive the lag by long.
- Behind PgBouncer in transaction mode server-side cursors are off (DATABASE_POOLER=transaction),
  and psycopg2 then reads a whole result at once: `stream()` pages a large query by primary key.
- `analyse()` refreshes PostgreSQL's statistics of tables a bulk job has just filled.
- `copy_insert()` writes many rows with PostgreSQL's COPY (bulk_create elsewhere), and
  `allocate_ids()` hands out primary keys first, for rows that other rows will point at.

Imports no domain app (core).
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from itertools import islice

from django.conf import settings
from django.db import connections, models
from django.db.models import NOT_PROVIDED, Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

PRIMARY = "default"
REPLICA = "replica"
PIN_COOKIE = "pb_primary"
PIN_SALT = "core.db.read-your-writes"
_WRITES = ("INSERT", "UPDATE", "DELETE")
# A bulk write below this many rows leaves the statistics to autovacuum.
ANALYSE_MIN_ROWS = 1000


@dataclass
class LagScope:
    """One lag_tolerant() block: did any of its reads go to the replica?"""

    parent: LagScope | None = None
    used_replica: bool = False

    def mark_used(self) -> None:
        scope: LagScope | None = self
        while scope is not None:
            scope.used_replica = True
            scope = scope.parent

    def cache_seconds(self, seconds: int) -> int:
        """How long to cache a value computed in this block (see cache_seconds())."""
        return min(seconds, settings.REPLICA_CACHE_SECONDS) if self.used_replica else seconds


_scope: ContextVar[LagScope | None] = ContextVar("core_db_lag_scope", default=None)
_pinned: ContextVar[bool] = ContextVar("core_db_pinned", default=False)


class lag_tolerant(contextlib.ContextDecorator):  # noqa: N801 (used like contextlib's)
    """The reads inside may be a few seconds behind the primary (see the module's docstring).
    As a context manager it yields the block's LagScope."""

    def _recreate_cm(self):
        # One state per use: the decorator's instance is shared by every call and thread.
        return lag_tolerant()

    def __enter__(self) -> LagScope:
        scope = LagScope(parent=_scope.get())
        self._token = _scope.set(scope)
        return scope

    def __exit__(self, *exc) -> bool:
        _scope.reset(self._token)
        return False


@contextlib.contextmanager
def pinned_to_primary() -> Iterator[None]:
    """Every read inside goes to the primary, lag-tolerant or not (the writer's own requests)."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


def _in_transaction(alias: str) -> bool:
    # The test case's own atomic block is not a transaction of the code under test.
    return any(not block._from_testcase for block in connections[alias].atomic_blocks)


def read_alias() -> str:
    """The alias the router gives a read made now."""
    scope = _scope.get()
    if scope is None or _pinned.get() or not settings.READ_REPLICA:
        return PRIMARY
    if _in_transaction(PRIMARY):
        # Inside a write transaction the reads belong to it (and a replica refuses FOR UPDATE).
        return PRIMARY
    scope.mark_used()
    return REPLICA


def cache_seconds(seconds: int) -> int:
    """How long to cache a value computed in this context: at most REPLICA_CACHE_SECONDS once
    any read of the enclosing lag_tolerant() block went to the replica."""
    scope = _scope.get()
    return seconds if scope is None else scope.cache_seconds(seconds)


class _WriteWatch:
    """connection.execute_wrapper: notes whether any statement wrote."""

    def __init__(self) -> None:
        self.wrote = False

    def __call__(self, execute: Callable, sql, params, many, context):
        if not self.wrote and isinstance(sql, str) and sql.lstrip()[:6].upper() in _WRITES:
            self.wrote = True
        return execute(sql, params, many, context)


def pin_is_fresh(request: HttpRequest) -> bool:
    value = request.get_signed_cookie(
        PIN_COOKIE, default=None, salt=PIN_SALT, max_age=settings.REPLICA_PIN_SECONDS
    )
    return value is not None


class ReadYourWritesMiddleware:
    """Pins a writer to the primary for REPLICA_PIN_SECONDS after a request that wrote. Does
    nothing (no wrapper, no cookie) without a replica. Placed inside the session middleware, so
    the session's own save after the response does not count as the user's write."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.READ_REPLICA:
            return self.get_response(request)
        watch = _WriteWatch()
        token = _pinned.set(pin_is_fresh(request))
        try:
            with connections[PRIMARY].execute_wrapper(watch):
                response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if watch.wrote:
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=PIN_SALT,
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def stream(rows: QuerySet, chunk_size: int) -> Iterator:
    """Iterate an unsliced query without holding its result: a server-side cursor
    (`iterator(chunk_size)`) where the connection allows one; behind a transaction pooler,
    where it does not (and psycopg2 would read the whole result at once), the primary keys in
    the query's order first (8 bytes a row), then the rows `chunk_size` keys at a time, each
    chunk in the same order. A row deleted meanwhile is skipped, one added is not read."""
    alias = rows.db
    rows = rows.using(alias)
    if not connections[alias].settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        yield from rows.iterator(chunk_size)
        return
    keys = array("q", rows.values_list("pk", flat=True).iterator(chunk_size))
    for start in range(0, len(keys), chunk_size):
        yield from rows.filter(pk__in=keys[start : start + chunk_size].tolist())


def analyse(*models: type[Model], rows: int | None = None, using: str = PRIMARY) -> None:
    """ANALYZE the models' tables after a bulk write of `rows` rows (PostgreSQL; a no-op on
    SQLite and below ANALYSE_MIN_ROWS): a table filled since the last autovacuum otherwise keeps
    its empty-table statistics, and the planner picks nested loops over millions of rows."""
    connection = connections[using]
    if connection.vendor != "postgresql" or (rows is not None and rows < ANALYSE_MIN_ROWS):
        return
    tables = sorted({model._meta.db_table for model in models})
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


# Rows a COPY statement sends at a time (one text buffer each).
COPY_BATCH = 10000
_NULL = "\\N"


def _escaped(text: str) -> str:
    """A value in COPY's text format: backslash, tab and line breaks escaped."""
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


# Django's own field classes (not subclasses, which may prepare values their own way) whose
# preparation returns a value of this exact type unchanged (an aware datetime for DateTimeField).
_PLAIN_TYPES = {
    models.CharField: str,
    models.TextField: str,
    models.BooleanField: bool,
    models.DateField: datetime.date,
    models.DateTimeField: datetime.datetime,
    **dict.fromkeys(
        (
            models.IntegerField,
            models.SmallIntegerField,
            models.BigIntegerField,
            models.PositiveIntegerField,
            models.PositiveSmallIntegerField,
            models.PositiveBigIntegerField,
            models.AutoField,
            models.BigAutoField,
            models.SmallAutoField,
        ),
        int,
    ),
}


def _plain_type(field) -> type | None:
    if type(field) in (models.ForeignKey, models.OneToOneField):
        field = field.target_field
    return _PLAIN_TYPES.get(type(field))


def _copy_text(field, connection) -> Callable:
    """A column's value as COPY text: the field's own preparation for the database
    (`get_db_prep_save`, as a save would), then the text format (NULL as \\N)."""
    if field.get_internal_type() == "JSONField":
        encoder = field.encoder

        def json_text(value) -> str:
            return _NULL if value is None else _escaped(json.dumps(value, cls=encoder))

        return json_text
    prep = field.get_db_prep_save
    plain = _plain_type(field)

    def text(value) -> str:
        # A value already of the column's plain type is what the preparation would return
        # (most of a bulk load's values): spare it the field's chain of calls.
        kind = type(value)
        if value is None and plain is not None:
            return _NULL
        if kind is not plain or (kind is datetime.datetime and value.tzinfo is None):
            value = prep(value, connection)
        if value is None:
            return _NULL
        if isinstance(value, str):
            return _escaped(value)
        if isinstance(value, bool):
            return "t" if value else "f"
        return _escaped(str(value))

    return text


def _database_fills(field) -> bool:
    """A column the database computes when COPY leaves it out (a generated column, a
    `db_default`)."""
    return getattr(field, "generated", False) or field.db_default is not NOT_PROVIDED


def allocate_ids(model: type[Model], n: int, *, using: str = PRIMARY) -> list[int]:
    """`n` new primary keys for the model's table, for rows written with `copy_insert` that
    other rows point at. PostgreSQL: from the table's sequence (any writer's later inserts get
    others). Elsewhere (SQLite, the tests: one writer at a time) the ids after the table's
    largest; call it inside the transaction that writes the rows."""
    if n <= 0:
        return []
    connection = connections[using]
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, n],
            )
            return [row[0] for row in cursor.fetchall()]
        qn = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({qn(column)}) FROM {qn(table)}")
        start = (cursor.fetchone()[0] or 0) + 1
    return list(range(start, start + n))


def copy_insert(
    model: type[Model],
    rows: Iterable,
    *,
    fields: Sequence[str] | None = None,
    using: str = PRIMARY,
    batch_size: int = COPY_BATCH,
) -> int:
    """Insert many rows into the model's table; returns how many. Rows are either model
    instances (`fields` None: every concrete field, as `bulk_create` would write them, the
    primary key included when the instances have one) or tuples of the values of `fields`
    (names or attnames, e.g. "owner_org_id"; "id" to give the primary keys, see
    `allocate_ids`): no model instance is made for them. A field missing from `fields` gets
    its default, computed once per call (`auto_now(_add)`: the time of the call), so a default
    that must differ from row to row has to be given. PostgreSQL: `COPY … FROM STDIN`, a batch
    of rows at a time; elsewhere `bulk_create`. No signals, no `save()`, like `bulk_create`.
    Ids are not returned: allocate them first where other rows need them."""
    connection = connections[using]
    meta = model._meta
    if connection.vendor != "postgresql":
        return _bulk_create(model, rows, fields, using, batch_size)
    if fields is None:
        return _copy_instances(model, rows, connection, batch_size)
    given = [meta.get_field(name) for name in fields]
    names = {f.attname for f in given}
    now = timezone.now()
    rest, rest_text = [], []
    for field in meta.concrete_fields:
        if field.attname in names or field.primary_key or _database_fills(field):
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        else:
            value = field.get_default()
        rest.append(field)
        rest_text.append(_copy_text(field, connection)(value))
    texts = [_copy_text(f, connection) for f in given]
    tail = "".join("\t" + t for t in rest_text) + "\n"
    columns = [f.column for f in given] + [f.column for f in rest]

    def lines() -> Iterator[str]:
        for row in rows:
            yield "\t".join([text(v) for text, v in zip(texts, row, strict=True)]) + tail

    return _copy(connection, meta.db_table, columns, lines(), batch_size)


def _copy_instances(model, objs, connection, batch_size) -> int:
    objs = list(objs)
    if not objs:
        return 0
    meta = model._meta
    with_pk = objs[0].pk is not None
    fields = [
        f
        for f in meta.concrete_fields
        if (with_pk or not f.primary_key) and not getattr(f, "generated", False)
    ]
    texts = [_copy_text(f, connection) for f in fields]

    def lines() -> Iterator[str]:
        for obj in objs:
            # As bulk_create: a related object saved meanwhile lends its id to the column.
            obj._prepare_related_fields_for_save(operation_name="copy_insert")
            values = [text(f.pre_save(obj, True)) for f, text in zip(fields, texts, strict=True)]
            obj._state.adding, obj._state.db = False, connection.alias
            yield "\t".join(values) + "\n"

    return _copy(connection, meta.db_table, [f.column for f in fields], lines(), batch_size)


def _copy(connection, table: str, columns: list[str], lines: Iterator[str], batch_size) -> int:
    qn = connection.ops.quote_name
    sql = f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
    count = 0
    with connection.cursor() as cursor:
        while True:
            batch = list(islice(lines, batch_size))
            if not batch:
                return count
            cursor.copy_expert(sql, io.StringIO("".join(batch)))
            count += len(batch)


def _bulk_create(model, rows, fields, using, batch_size) -> int:
    if fields is None:
        objs = list(rows)
    else:
        objs = [model(**dict(zip(fields, row, strict=True))) for row in rows]
    model._default_manager.using(using).bulk_create(objs, batch_size=min(batch_size, 2000))
    return len(objs)
