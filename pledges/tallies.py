"""Figures kept as counter rows (`Tally`), updated in the writer's transaction.

Each figure the coverage dashboard, the office's organization page and the office's reviews
page show is a `Tally` row per leaf organization, year, period, kind and key; a page sums the
rows of a subtree with one query on the (kind, year, path) index and never counts the rows
themselves, so nothing is recounted on a read and no cache outage can make a figure wrong.

How the rows are kept (signals, so the services stay as they are):

- Each watched model is a `Source`: the raw fields its figures read and `figures(state)`, the
  counter rows one row in that state adds one to. `pre_save` reads the row as stored (under
  the service's row lock, the committed state: a copy kept at load time could be one a
  concurrent writer has since changed); `post_save` and `post_delete` add the new state's
  figures and take the old one's away, in the same transaction as the write (a rolled-back
  write rolls its counts back).
- Each change is one `INSERT … ON CONFLICT (unique key) DO UPDATE SET n = n + excluded.n`
  (PostgreSQL and SQLite alike): concurrent writers serialise on the counter row, nothing is
  read and written back in Python.
- Distinct figures ("members who have pledged") are kept through a holder row per member:
  the upsert returns its new n, and only a move between 0 and something changes the figure
  (the holder row is locked by the upsert until the commit, so two writers cannot both see 0).
- What a row's state cannot tell is passed as context at the moment of the write (whether a
  rectification item is issued depends on its review): a source's `cascade` moves the rows
  that depend on another one (a review leaving the draft issues its items).
- Writes that send no signal (bulk_create in seeds and imports, queryset.update) call
  `rebuild(org_ids)` for the organizations they touched; an organization moved with its
  subtree calls `sync_paths()`. `manage.py tallies --check` recounts everything and reports
  any difference, `--rebuild` also fixes it.
- Figures that change with the date and not with a write (overdue) are counted against rows
  keyed by the deadline: the page sums those whose deadline is before today.

What it costs a write: two queries (the stored state, one upsert for all its counters), a third
when a distinct figure moves, and for a rectification item the read of its review's state.
`rebuild` locks the counter table on PostgreSQL (writers wait, readers do not) so no write can
fall between its recount and its replacement.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Model, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.db.models.signals import post_delete, post_save, pre_save

from core.db import analyse

from .models import Member, Organization, Pledge, Tally

# (organization id, year, period, kind, key): one counter row.
Figure = tuple[int, int, int, str, str]

# Holder kinds whose rows count one member (or one organization) each, and the distinct
# figure they feed: the number of holder rows with n > 0, kept under (kind, key) of the same
# organization, year and period.
DISTINCT: dict[str, tuple[str, str]] = {}

PLEDGES = "pledges"
PLEDGES_DUE = "pledges_due"
MEMBERS = "members"
MEMBERS_PLEDGED = "members_pledged"
ORGS_PLEDGED = "orgs_pledged"
# The public page's figures (publicity): pledges running in public by deadline (overdue is a
# sum of the keys before today), re-pledges (再承诺) by their own year, 销号 by month.
PUBLIC_DUE = "public_due"
CARRIED = "carried"
CLOSED_MONTH = "closed_month"
_MEMBER_PLEDGES = "member_pledges"
_OWN_PLEDGES = "own_pledges"
DISTINCT[_MEMBER_PLEDGES] = (MEMBERS_PLEDGED, "")
DISTINCT[_OWN_PLEDGES] = (ORGS_PLEDGED, "")

# An organization or member "has pledged" once a pledge has left the draft stage.
PLEDGED_STATUSES = (Pledge.Status.SUBMITTED, *Pledge.FILED_STATUSES)


def pledge_key(status: str, by_member: bool) -> str:
    return f"{status}:{'m' if by_member else 'o'}"


@dataclass
class Source:
    """A watched model: `fields` are the attnames `figures` reads from a row's state (a dict,
    plus `context(instance)` at the time of a write); `rows(org_ids)` yields the same states for
    every row (of those organizations) for a rebuild; `kinds` are the counters it keeps;
    `cascade(instance, old, new)` returns changes to other rows' figures that this write
    causes."""

    model: type[Model]
    fields: tuple[str, ...]
    figures: Callable[[dict], Iterable[Figure]]
    rows: Callable[[list[int] | None], Iterable[dict]]
    kinds: tuple[str, ...]
    context: Callable[[Model], dict] | None = None
    cascade: Callable[[Model, dict, dict], Counter] | None = None

    def all_kinds(self) -> set[str]:
        """Its counters' kinds, and those of the distinct figures they feed."""
        return {*self.kinds, *(DISTINCT[k][0] for k in self.kinds if k in DISTINCT)}


_SOURCES: dict[type[Model], Source] = {}


# --- writing -----------------------------------------------------------------------------


def _upsert(deltas: dict[Figure, int]) -> dict[Figure, int]:
    """Add each delta to its counter row (created at n = delta); the new n of each row."""
    items = [(figure, d) for figure, d in deltas.items() if d]
    if not items:
        return {}
    table = connection.ops.quote_name(Tally._meta.db_table)
    org_table = connection.ops.quote_name(Organization._meta.db_table)
    values, params = [], []
    for (org_id, year, period, kind, key), d in items:
        values.append(f"(%s, (SELECT path FROM {org_table} WHERE id = %s), %s, %s, %s, %s, %s)")
        params += [org_id, org_id, year, period, kind, key, d]
    sql = (
        f'INSERT INTO {table} ("organization_id", "path", "year", "period", "kind", "key", "n") '
        f"VALUES {', '.join(values)} "
        'ON CONFLICT ("organization_id", "year", "period", "kind", "key") '
        f'DO UPDATE SET "n" = {table}."n" + excluded."n" '
        'RETURNING "organization_id", "year", "period", "kind", "key", "n"'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {tuple(row[:5]): row[5] for row in cursor.fetchall()}


def apply(deltas: Counter) -> None:
    """Add these changes to the counters, and to the distinct figures their holders feed."""
    if not any(deltas.values()):
        return
    after = _upsert(deltas)
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
    _upsert(derived)


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
    instance._tally_old = _stored_state(_SOURCES[sender], instance)


def _saved(sender, instance, created=False, **kwargs) -> None:
    source = _SOURCES[sender]
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
    source = _SOURCES[sender]
    old = {f: getattr(instance, f) for f in source.fields}
    if source.context:
        old.update(source.context(instance))
    deltas: Counter = Counter()
    deltas.subtract(_figures(source, old))
    apply(deltas)


def register(source: Source) -> None:
    _SOURCES[source.model] = source
    name = source.model._meta.label_lower
    pre_save.connect(_saving, sender=source.model, dispatch_uid=f"tallies-pre-{name}")
    post_save.connect(_saved, sender=source.model, dispatch_uid=f"tallies-save-{name}")
    post_delete.connect(_deleted, sender=source.model, dispatch_uid=f"tallies-delete-{name}")


# --- rebuilding --------------------------------------------------------------------------


def _sources(models: Iterable[type[Model]] | None) -> list[Source]:
    return list(_SOURCES.values()) if models is None else [_SOURCES[m] for m in models]


def expected(
    org_ids: list[int] | None = None, models: Iterable[type[Model]] | None = None
) -> Counter:
    """The counter rows of these sources (all when None) recounted from their rows (of these
    organizations)."""
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


def stored(
    org_ids: list[int] | None = None, models: Iterable[type[Model]] | None = None
) -> Counter:
    rows = Tally.objects.all()
    if org_ids is not None:
        rows = rows.filter(organization_id__in=org_ids)
    if models is not None:
        rows = rows.filter(kind__in={k for s in _sources(models) for k in s.all_kinds()})
    return +Counter(
        {
            tuple(r[:5]): r[5]
            for r in rows.values_list("organization_id", "year", "period", "kind", "key", "n")
        }
    )


def differences(
    org_ids: list[int] | None = None, models: Iterable[type[Model]] | None = None
) -> dict[Figure, tuple[int, int]]:
    """{figure: (stored, recounted)} wherever they differ."""
    want, have = expected(org_ids, models), stored(org_ids, models)
    return {f: (have[f], want[f]) for f in set(want) | set(have) if have[f] != want[f]}


def _lock() -> None:
    # Writers upsert inside their transactions: while the counters are replaced none may.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Tally._meta.db_table} IN EXCLUSIVE MODE")


@transaction.atomic(savepoint=False)  # inside the bulk writer's transaction: no savepoint
def rebuild(
    org_ids: Iterable[int] | None = None, models: Iterable[type[Model]] | None = None
) -> int:
    """Recount the counters of these organizations (all when None), of these models' rows
    (all when None), in the caller's transaction: for every write that sends no signal.
    Returns the number of counter rows changed."""
    ids = None if org_ids is None else sorted(set(org_ids))
    models = None if models is None else list(models)
    _lock()
    diff = differences(ids, models)
    if not diff:
        return 0
    stale = [f for f, (have, _want) in diff.items() if have]
    # In slices: SQLite parses a chain of ORs as deep as it is long (at most 1,000).
    for start in range(0, len(stale), 200):
        wrong = Q()
        for org_id, year, period, kind, key in stale[start : start + 200]:
            wrong |= Q(organization_id=org_id, year=year, period=period, kind=kind, key=key)
        Tally.objects.filter(wrong).delete()
    paths = dict(Organization.objects.filter(pk__in={f[0] for f in diff}).values_list("pk", "path"))
    Tally.objects.bulk_create(
        (
            Tally(
                organization_id=f[0],
                path=paths[f[0]],
                year=f[1],
                period=f[2],
                kind=f[3],
                key=f[4],
                n=want,
            )
            for f, (_have, want) in diff.items()
            if want
        ),
        batch_size=2000,
    )
    # A large recount leaves the table's statistics behind it (issue 17 §5).
    analyse(Tally, rows=len(diff))
    return len(diff)


def sync_paths() -> None:
    """Copy each organization's path onto its counters: after a subtree was moved (treebeard
    rewrites the paths with one update, no signal)."""
    moved = Tally.objects.exclude(
        path=Organization.objects.filter(pk=OuterRef("organization_id")).values("path")[:1]
    )
    for org_id, path in (
        Organization.objects.filter(pk__in=moved.values("organization_id"))
        .values_list("pk", "path")
        .iterator()
    ):
        Tally.objects.filter(organization_id=org_id).update(path=path)


# --- reading -----------------------------------------------------------------------------


def sums(
    root: Organization,
    kinds: Iterable[str],
    q: Q | None = None,
    by_child: bool = False,
) -> QuerySet:
    """Rows (bucket, year, period, kind, key, n) of the counters of `kinds` under `root`
    summed per key (and per child of `root` when `by_child`: the bucket is the child's path,
    or the root's own path for its own level; else the root's path). One query."""
    rows = Tally.objects.filter(kind__in=list(kinds), path__startswith=root.path)
    if q is not None:
        rows = rows.filter(q)
    length = len(root.path) + (Organization.steplen if by_child else 0)
    return (
        rows.annotate(bucket=Substr("path", 1, length))
        .values_list("bucket", "year", "period", "kind", "key")
        .annotate(total=Sum("n"))
        .order_by()
    )


def due_before(root: Organization, kind: str, today: datetime.date) -> int:
    """The counters of deadline buckets (keyed by ISO date) before `today` under `root`."""
    found = Tally.objects.filter(
        kind=kind, year=0, path__startswith=root.path, key__lt=today.isoformat()
    ).aggregate(n=Sum("n"))["n"]
    return found or 0


def due_before_by_child(
    root: Organization, kind: str, today: datetime.date, year: int = 0
) -> dict[str, int]:
    """The same sum per child of `root` (its own level under its own path): one query, summed
    in the database, however many deadlines the subtree has."""
    length = len(root.path) + Organization.steplen
    rows = (
        Tally.objects.filter(
            kind=kind, year=year, path__startswith=root.path, key__lt=today.isoformat()
        )
        .annotate(bucket=Substr("path", 1, length))
        .values_list("bucket")
        .annotate(total=Sum("n"))
        .order_by()
    )
    return dict(rows)


# --- the pledge book's own figures -------------------------------------------------------


def _pledge_figures(s: dict) -> Iterable[Figure]:
    org, year, status, member = s["owner_org_id"], s["year"], s["status"], s["owner_member_id"]
    yield (org, year, 0, PLEDGES, pledge_key(status, member is not None))
    if status in PLEDGED_STATUSES:
        if member is not None:
            yield (org, year, 0, _MEMBER_PLEDGES, str(member))
        else:
            yield (org, year, 0, _OWN_PLEDGES, "")
    if status in Pledge.RUNNING_STATUSES:
        yield (org, 0, 0, PLEDGES_DUE, s["deadline"].isoformat())
    if status in (Pledge.Status.PUBLISHED, Pledge.Status.IN_PROGRESS):
        yield (org, year, 0, PUBLIC_DUE, s["deadline"].isoformat())
    if s["carried_from_id"] is not None:
        yield (org, year, 0, CARRIED, "")
    if status == Pledge.Status.CLOSED and s["closed_on"] is not None:
        yield (org, 0, 0, CLOSED_MONTH, s["closed_on"].isoformat()[:7])


_PLEDGE_FIELDS = (
    "owner_org_id",
    "owner_member_id",
    "year",
    "status",
    "deadline",
    "carried_from_id",
    "closed_on",
)


def _pledge_rows(org_ids: list[int] | None) -> Iterable[dict]:
    rows = Pledge.objects.order_by()
    if org_ids is not None:
        rows = rows.filter(owner_org_id__in=org_ids)
    return rows.values(*_PLEDGE_FIELDS).iterator(chunk_size=5000)


def _member_rows(org_ids: list[int] | None) -> Iterable[dict]:
    rows = Member.objects.order_by()
    if org_ids is not None:
        rows = rows.filter(organization_id__in=org_ids)
    return rows.values("organization_id").iterator(chunk_size=5000)


def connect() -> None:
    register(
        Source(
            model=Pledge,
            fields=_PLEDGE_FIELDS,
            figures=_pledge_figures,
            rows=_pledge_rows,
            kinds=(
                PLEDGES,
                _MEMBER_PLEDGES,
                _OWN_PLEDGES,
                PLEDGES_DUE,
                PUBLIC_DUE,
                CARRIED,
                CLOSED_MONTH,
            ),
        )
    )
    register(
        Source(
            model=Member,
            fields=("organization_id",),
            figures=lambda s: [(s["organization_id"], 0, 0, MEMBERS, "")],
            rows=_member_rows,
            kinds=(MEMBERS,),
        )
    )
