"""Counts of a committee's subtree, cached until a row under it changes.

Counting a city's 320,000 pledges by state is a scan of the year (about 100 ms on PostgreSQL)
that the office's organization page would otherwise repeat on every request. Each organization
path has a version in the cache; a pledge saved or deleted bumps the version of its
organization and of every organization above it (now, and again after the commit, so a reader
that counted the old rows in between cannot keep them). A cached count's key holds that version
and the query itself, so two users who see the same pledges share it, and nothing is deleted:
a changed subtree simply reads a new key.

Members are counted the same way, and apps above this one `watch` their own models (the
reviews' figures on the coverage dashboard) and keep whole computed values with `cached_value`.
Bulk `update()` and `bulk_create()` send no signal: whatever writes watched rows that way calls
`bump_after_write` itself (the roster import) or `bump_everything` (the demo seed, an
organization moved with its subtree); tests that insert straight clear the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_init, post_save

from core import cache_versions
from core.cache import dropped_calls
from core.db import cache_seconds

from .models import Member, Organization, Pledge

COUNTS_SECONDS = 6 * 3600
# Local memory is per process: a write handled by another worker cannot bump this one's
# versions, so without a shared cache (Redis) a count may lag by up to this long. One process
# (runserver, the embedded mode) is always exact.
LOCAL_COUNTS_SECONDS = 300

T = TypeVar("T")


# Every write under a path bumps its ANY version: a value over everything there (the whole
# dashboard) is kept until anything changes. A write also bumps the tags it names (the quarter
# of a review, "pledges"...), so a value over one kind of row is kept while other kinds change;
# a write that names none (an organization, a bulk import) bumps ALL, which every tagged value
# also reads.
ANY = ""
ALL = "*"


_EPOCH_KEY = "pledges:counts:epoch"


def _clock_counter(key: str) -> int:
    """A version (core.cache_versions: it starts at the clock, never at 1, so one evicted
    from the cache cannot come back as a number an old count was stored under)."""
    found = cache_versions.versions([key])
    return found[key] if found else 0


def _advance(key: str) -> None:
    # A bump Redis drops raises the database's epoch, which every stamp below holds.
    cache_versions.bump([key])


def bump_everything() -> None:
    """Every cached count of every tree is stale: for writes that send no signal per row
    (a bulk seed, an organization moved with its subtree). Now and after the commit."""
    _advance(_EPOCH_KEY)
    transaction.on_commit(lambda: _advance(_EPOCH_KEY))


def _version_key(path: str, tag: str = ANY, epoch: int | None = None) -> str:
    # The epoch is in every version's name: bumping it starts every version afresh.
    epoch = _clock_counter(_EPOCH_KEY) if epoch is None else epoch
    return f"pledges:counts:v:{epoch}:{tag}:{path}"


def _prefixes(path: str) -> set[str]:
    step = Organization.steplen
    return {path[:n] for n in range(step, len(path) + 1, step)}


def bump_paths(paths: Iterable[str], tags: Iterable[str] = ()) -> None:
    """The counts of these organizations and of every organization above them are stale:
    every value (ANY) and those over the tagged rows (or over all rows: ALL)."""
    tags = {ANY, *(set(tags) or {ALL})}
    epoch = _clock_counter(_EPOCH_KEY)
    cache_versions.bump(
        {_version_key(p, tag, epoch) for path in paths for p in _prefixes(path) for tag in tags}
    )


def _version(path: str, tag: str = ANY, epoch: int | None = None) -> int:
    return _clock_counter(_version_key(path, tag, epoch))


def _versions(path: str, tags: Iterable[str] | None) -> str | None:
    """The version a value over `path` is stored under: ANY's when `tags` is None, else those
    of ALL and each tag. None when the cache did not answer: compute, store nothing."""
    if tags is None:
        before = dropped_calls()
        epoch = _clock_counter(_EPOCH_KEY)
        version = _version(path, ANY, epoch)
        return None if dropped_calls() != before else f"{cache_versions.epoch()}.{epoch}.{version}"
    found = _versions_of([path], tags)
    return found[path] if found else None


def _timeout() -> int:
    local = isinstance(caches["default"], LocMemCache)
    # Counted on a replica, a value may be older than its version: kept briefly (core.db).
    return cache_seconds(LOCAL_COUNTS_SECONDS if local else COUNTS_SECONDS)


def _store(key: str | None, compute: Callable[[], T]) -> T:
    if key is None:
        return compute()
    result = cache.get(key)
    if result is None:
        result = compute()
        cache.set(key, result, _timeout())
    return result


def cached_rows(
    org: Organization,
    rows: QuerySet,
    compute: Callable[[QuerySet], list],
    tags: Iterable[str] | None = None,
) -> list:
    """`compute(rows)` for a query over `org`'s subtree, from the cache when nothing under `org`
    has changed since it was stored; with `tags`, when no row of those tags has."""
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # nothing to ask the database (an empty slice, an empty IN list)
        return compute(rows)
    digest = hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    versions = _versions(org.path, tags)
    key = f"pledges:counts:{versions}:{digest}" if versions else None
    return _store(key, lambda: compute(rows))


def cached_value(
    org: Organization, name: str, compute: Callable[[], T], tags: Iterable[str] | None = None
) -> T:
    """`compute()`, a value over `org`'s subtree that `name` identifies wholly (the language
    included, for anything translated in it), kept like `cached_rows`."""
    digest = hashlib.sha256(name.encode()).hexdigest()
    versions = _versions(org.path, tags)
    key = f"pledges:counts:{org.path}:{versions}:{digest}" if versions else None
    return _store(key, compute)


Tags = Callable[[Model], Iterable[str]]


def _versions_of(paths: list[str], tags: Iterable[str]) -> dict[str, str] | None:
    """The versions of ALL and each tag of each path, in one read of the cache when all are
    there; None when the cache did not answer."""
    before = dropped_calls()
    names = sorted({ALL, *tags})
    epoch = _clock_counter(_EPOCH_KEY)
    keys = {(path, tag): _version_key(path, tag, epoch) for path in paths for tag in names}
    found = cache.get_many(list(keys.values()))
    versions = {
        path: f"{cache_versions.epoch()}.{epoch}."
        + ".".join(
            f"{tag}={found.get(keys[path, tag]) or _version(path, tag, epoch)}" for tag in names
        )
        for path in paths
    }
    return None if dropped_calls() != before else versions


# Past this many stale children, one count of the whole subtree is cheaper than an OR of paths.
MAX_STALE_CHILDREN = 20


def cached_per_child(
    org: Organization,
    child_paths: list[str],
    name: str,
    count: Callable[[list[str] | None], dict[str, list]],
    tags: Iterable[str],
) -> dict[str, list]:
    """Counts of each child's subtree, kept per child: a write under one child counts that
    child again, not its siblings. `count(paths)` counts the subtrees of those children (all
    of `org`'s subtree when None) in one query and returns {child path: rows}; `name`
    identifies the count wholly (its query, hence who sees which rows). At most one query."""
    digest = hashlib.sha256(name.encode()).hexdigest()
    key = f"pledges:counts:children:{org.path}:{digest}"
    versions = _versions_of(child_paths, tags)
    if versions is None:  # the cache did not answer: count, keep nothing
        fresh = count(None)
        return {path: fresh.get(path, []) for path in child_paths}
    stored: dict[str, tuple[str, list]] = cache.get(key) or {}
    stale = [p for p in child_paths if stored.get(p, ("",))[0] != versions[p]]
    if stale:
        whole = len(stale) > MAX_STALE_CHILDREN or len(stale) == len(child_paths)
        fresh = count(None if whole else stale)
        # Versions were read before counting: a write in between leaves these rows under an
        # older version, which the next read counts again.
        for path in child_paths if whole else stale:
            stored[path] = (versions[path], fresh.get(path, []))
        cache.set(key, stored, _timeout())
    return {path: stored[path][1] for path in child_paths}


# Each watched model, the path from its rows to their organization (a foreign key, or a
# foreign key then the organization's foreign key on the row it points to) and its rows' tags.
_WATCHED: dict[type[Model], tuple[str, Tags | None]] = {}


def _path_of(instance) -> str | None:
    if isinstance(instance, Organization):
        return instance.path
    *hops, name = _WATCHED[type(instance)][0].split("__")
    obj = instance
    for hop in hops:  # the row in between, usually loaded already by whoever saved this one
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    org = obj._state.fields_cache.get(name)
    if org is not None:
        return org.path
    org_id = getattr(obj, f"{name}_id")
    return Organization.objects.filter(pk=org_id).values_list("path", flat=True).first()


def bump_after_write(paths: Iterable[str], tags: Iterable[str] = ()) -> None:
    """Now, and again once the transaction commits (a reader in between may have counted the
    old rows under the new version)."""
    paths, tags = set(paths), set(tags)
    bump_paths(paths, tags)
    transaction.on_commit(lambda: bump_paths(paths, tags))


def _org_id(instance) -> int | None:
    """The row's organization id as loaded, without loading a deferred field."""
    org_field = _WATCHED[type(instance)][0]
    if not org_field or "__" in org_field:
        return None
    return instance.__dict__.get(f"{org_field}_id")


def _changed(sender, instance, **kwargs) -> None:
    paths = {_path_of(instance)}
    # A row moved to another organization (a member to another branch) changes the counts
    # of the one it left too.
    loaded = getattr(instance, "_counts_loaded_org", None)
    if loaded is not None and loaded != _org_id(instance):
        paths.add(Organization.objects.filter(pk=loaded).values_list("path", flat=True).first())
    paths.discard(None)
    if paths:
        tags = _WATCHED[type(instance)][1]
        bump_after_write(paths, tags(instance) if tags else ())
    instance._counts_loaded_org = _org_id(instance)


def _loaded(sender, instance, **kwargs) -> None:
    instance._counts_loaded_org = _org_id(instance)


def watch(model: type[Model], org_field: str, tags: Tags | None = None) -> None:
    """Make every save or delete of a `model` row stale the counts above its organization:
    those over rows of its `tags`, or all of them."""
    _WATCHED[model] = (org_field, tags)
    name = model._meta.label_lower
    if org_field and "__" not in org_field:
        post_init.connect(_loaded, sender=model, dispatch_uid=f"counts-init-{name}")
    post_save.connect(_changed, sender=model, dispatch_uid=f"counts-save-{name}")
    post_delete.connect(_changed, sender=model, dispatch_uid=f"counts-delete-{name}")


MEMBERS = "members"
PLEDGES = "pledges"


def connect() -> None:
    watch(Organization, "")
    watch(Pledge, "owner_org", lambda pledge: [PLEDGES])
    watch(Member, "organization", lambda member: [MEMBERS])
