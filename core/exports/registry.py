"""What can be exported: a builder per kind, registered by the domain apps.

`builder(job, out, progress)` writes the .xlsx to `out` (binary, seekable) and calls
`progress(done, total)` as it goes, at least once a minute: the call is also the heartbeat that
tells a live job from one whose worker died. `permission(user, params)` says whether the user may
export that (e.g. may see the organization); `clean(params)` turns the posted strings into the
params the builder reads, raising TransitionError with a Chinese message when they are wrong;
`title(params)` names the file. A kind writes an .xlsx unless it names another `suffix` and
`content_type` (a filing package is a .zip).

Each app registers its kinds from its AppConfig.ready() (by importing its `exports` module), the
one way extensions are registered (README, "Extension points"), so core names no app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ImproperlyConfigured

Builder = Callable[[Any, IO[bytes], Callable[[int, int | None], None]], object]

XLSX = ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@dataclass(frozen=True)
class ExportKind:
    kind: str
    builder: Builder
    label: str
    permission: Callable[[Any, dict], bool]
    clean: Callable[[dict], dict] | None = None
    title: Callable[[dict], str] | None = None
    suffix: str = XLSX[0]
    content_type: str = XLSX[1]

    def clean_params(self, params: dict) -> dict:
        return self.clean(params) if self.clean else params

    def title_for(self, params: dict) -> str:
        return str(self.title(params) if self.title else self.label)


_kinds: dict[str, ExportKind] = {}
MAX_KIND_LENGTH = 50


def register(
    kind: str,
    builder: Builder,
    *,
    label: str,
    permission: Callable[[Any, dict], bool],
    clean: Callable[[dict], dict] | None = None,
    title: Callable[[dict], str] | None = None,
    suffix: str = XLSX[0],
    content_type: str = XLSX[1],
) -> ExportKind:
    if not kind or len(kind) > MAX_KIND_LENGTH:
        raise ImproperlyConfigured(f"export kind {kind!r}: 1 to {MAX_KIND_LENGTH} characters")
    entry = ExportKind(kind, builder, label, permission, clean, title, suffix, content_type)
    known = _kinds.get(kind)
    # The same module imported twice registers the same thing twice; two apps may not share a kind.
    if known is not None and known.builder is not builder:
        raise ImproperlyConfigured(f"export kind {kind!r} is registered twice")
    _kinds[kind] = entry
    return entry


def unregister(kind: str) -> None:
    _kinds.pop(kind, None)


def get(kind: str) -> ExportKind | None:
    return _kinds.get(kind)


def label_of(kind: str) -> str:
    entry = get(kind)
    return str(entry.label) if entry else kind


def file_type_of(kind: str) -> tuple[str, str]:
    """(suffix, content type) of a kind's file: .xlsx for a kind no longer registered."""
    entry = get(kind)
    return (entry.suffix, entry.content_type) if entry else XLSX
