"""Optimistic versions against lost updates: two people (or two tabs) edit the same thing, the
second save is refused with what differs, who saved last and when, instead of silently
overwriting. The form carries the version it was rendered with as a hidden field; a post
without one is refused too (it cannot show which state it was based on)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django import forms
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import TransitionError

MAX_VERSION = 2**31 - 1


def version_field() -> forms.IntegerField:
    """The hidden field a form carries its version in. Optional in the form on purpose: a post
    without it is refused by the service with one clear sentence, not as a field error."""
    return forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=MAX_VERSION
    )


def posted_version(data) -> int | None:
    """The version from a bare POST (no form); None (refused later) when missing or odd."""
    raw = (data.get("version") or "").strip()
    if not raw.isdigit() or len(raw) > 10 or int(raw) > MAX_VERSION:
        return None
    return int(raw)


class StaleEdit(TransitionError):
    """The form was filled in on an older state than the one now stored."""


class Versioned(models.Model):
    edit_version = models.PositiveIntegerField(gettext_lazy("修改版本"), default=1)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("最后修改人"),
    )
    edited_at = models.DateTimeField(gettext_lazy("最后修改时间"), null=True, blank=True)

    class Meta:
        abstract = True


def differing_labels(obj: models.Model, values: dict[str, object]) -> list[str]:
    """The verbose names of the fields whose stored value differs from the posted one."""
    meta = obj._meta
    return [
        str(meta.get_field(name).verbose_name)
        for name, value in values.items()
        if getattr(obj, name) != value
    ]


def check_version(
    *,
    current: int,
    sent: int | None,
    label: str,
    differing: Iterable[str] = (),
    who=None,
    when: datetime.datetime | None = None,
) -> None:
    """Refuse a save made on a state older than `current` (or on an unknown one)."""
    if sent is None:
        raise StaleEdit(
            _(
                "页面缺少版本信息，无法确认您修改的是最新的%(label)s，没有保存。请刷新页面后重新填写。"
            )
            % {"label": label}
        )
    if sent == current:
        return
    parts = [_("该%(label)s在您打开页面后已被修改，您这次的保存没有生效。") % {"label": label}]
    if who is not None and when is not None:
        name = who.get_full_name() or who.get_username()
        parts.append(
            _("最近一次由 %(who)s 于 %(when)s 保存。")
            % {"who": name, "when": timezone.localtime(when).strftime("%Y-%m-%d %H:%M")}
        )
    differing = list(differing)
    if differing:
        parts.append(_("与您填写的内容不同的有：%(fields)s。") % {"fields": "、".join(differing)})
    parts.append(_("请刷新页面，核对后重新填写。"))
    raise StaleEdit("".join(parts))


def check_edit(obj: Versioned, sent: int | None, *, label: str, values: dict | None = None) -> None:
    """`check_version` against the row's own version and last editor; `values` (the posted
    content) names the fields that differ from the stored ones."""
    check_version(
        current=obj.edit_version,
        sent=sent,
        label=label,
        differing=differing_labels(obj, values or {}),
        who=obj.edited_by,
        when=obj.edited_at,
    )


def stamp(obj: Versioned, by) -> list[str]:
    """Bump the version and record who edited; the fields to add to `update_fields`."""
    obj.edit_version = (obj.edit_version or 0) + 1
    obj.edited_by, obj.edited_at = by, timezone.now()
    return ["edit_version", "edited_by", "edited_at"]
