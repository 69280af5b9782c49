"""The event of exports: the requester is told his file is ready (or why it is not).
Registered from CoreConfig.ready()."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.notifications.events import EventKind, register

from . import registry
from .models import ExportJob


def _requester(job: ExportJob) -> list[int]:
    return [job.requester_id]


def _finished(job: ExportJob) -> tuple[str, str]:
    label = registry.label_of(job.kind)
    if job.status == ExportJob.Status.DONE:
        return _("导出已完成，可以下载：%(label)s") % {"label": label}, ""
    return _("导出未完成：%(label)s") % {"label": label}, job.error


KINDS = (
    EventKind(
        "export_finished",
        ExportJob,
        _requester,
        _finished,
        ("core.exports.background._finish", "core.exports.background._fail"),
    ),
)


def connect() -> None:
    for kind in KINDS:
        register(kind)
