"""Every state change of an export job: start and retry here; building, failing the stale and
expiring in `background` (which the tasks call), re-exported here so callers use one module."""

from __future__ import annotations

import logging
from functools import partial

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from core.errors import TransitionError
from core.locks import lock_row, lock_rows
from core.security.models import SecurityEvent
from core.security.services import security_log

from . import registry, tasks
from .background import export_run, exports_expire, exports_fail_stale
from .models import KEEP_FOR, ExportJob

__all__ = [
    "BrokerUnavailable",
    "export_retry",
    "export_run",
    "export_start",
    "exports_expire",
    "exports_fail_stale",
]

logger = logging.getLogger(__name__)

# The broker answers at once or not at all: the user is told, not kept waiting.
QUEUE_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
MAX_PARAMS = 20
# A city's ledger keeps a worker busy for a minute: one user may not queue more than a few.
MAX_ACTIVE_PER_USER = 3
MAX_PARAM_KEY = 50
MAX_PARAM_TEXT = 200
MAX_INT = 2**63 - 1

S = ExportJob.Status


class BrokerUnavailable(TransitionError):
    """The job could not be handed to the background workers."""


def _broker_message() -> str:
    return _("后台任务服务暂时无法连接，导出没有开始。请稍后再试，或联系管理员。")


def _check_params(params: object) -> dict:
    """Params go into a JSON column and back to the builder: small, plain, no NUL bytes."""
    if not isinstance(params, dict) or len(params) > MAX_PARAMS:
        raise TransitionError(_("导出参数有误"))
    for key, value in params.items():
        if not isinstance(key, str) or not 0 < len(key) <= MAX_PARAM_KEY or "\x00" in key:
            raise TransitionError(_("导出参数有误"))
        if value is None or isinstance(value, bool):
            continue
        if isinstance(value, int):
            if abs(value) > MAX_INT:
                raise TransitionError(_("导出参数“%(name)s”超出范围") % {"name": key})
        elif isinstance(value, str):
            if len(value) > MAX_PARAM_TEXT or "\x00" in value:
                raise TransitionError(_("导出参数“%(name)s”过长或含有无效字符") % {"name": key})
        else:
            raise TransitionError(_("导出参数“%(name)s”有误") % {"name": key})
    return dict(params)


def _kind(kind: object) -> registry.ExportKind:
    entry = registry.get(kind) if isinstance(kind, str) else None
    if entry is None:
        raise TransitionError(_("没有这种导出"))
    return entry


def _queue(job_id: int, *, on_failure) -> None:
    """Hand the job to the workers (after commit); if the broker is down, undo and say so."""
    try:
        tasks.run_export.apply_async((job_id,), retry=True, retry_policy=QUEUE_RETRY_POLICY)
    except (BrokerError, OSError) as e:
        logger.warning("export %s not queued: %s", job_id, e)
        on_failure(job_id)
        raise BrokerUnavailable(_broker_message()) from e


@transaction.atomic
def _forget_unqueued(job_id: int) -> None:
    # A job that never reached the broker is not left behind queued: it never existed.
    ExportJob.objects.filter(pk=job_id, status=S.QUEUED, attempts=0).delete()


@transaction.atomic
def _fail_unqueued(job_id: int) -> None:
    jobs = ExportJob.objects.filter(pk=job_id, status=S.QUEUED)
    lock_rows(jobs)
    now = timezone.now()
    jobs.update(
        status=S.FAILED, error=_broker_message(), finished_at=now, expires_at=now + KEEP_FOR
    )


@transaction.atomic
def export_start(*, by, kind: str, params: dict) -> ExportJob:
    """Check and record an export, queued once this transaction commits.

    Returns the user's job already queued or running for the same kind and params, if any.
    Raises TransitionError (Chinese message) for an unknown kind, wrong params or too many
    exports under way, PermissionDenied when `by` may not export that, BrokerUnavailable when the
    job could not be queued (then no job is left).
    """
    entry = _kind(kind)
    params = _check_params(entry.clean_params(_check_params(params)))
    if not by.is_authenticated or not entry.permission(by, params):
        raise PermissionDenied
    # One start at a time per user, so that the checks below hold when two requests race.
    lock_rows(get_user_model().objects.filter(pk=by.pk))
    active = list(ExportJob.objects.filter(requester=by, status__in=ExportJob.ACTIVE))
    for job in active:
        if job.kind == kind and job.params == params:
            return job  # the same file is already on its way: a second click builds nothing
    if len(active) >= MAX_ACTIVE_PER_USER:
        raise TransitionError(
            _("您已有 %(count)d 个导出正在进行，请等它们完成后再开始新的导出。")
            % {"count": len(active)}
        )
    job = ExportJob.objects.create(
        requester=by, kind=kind, params=params, title=entry.title_for(params)[:200]
    )
    security_log(action=SecurityEvent.Action.EXPORT, user=by, obj=job)
    transaction.on_commit(partial(_queue, job.pk, on_failure=_forget_unqueued))
    return job


@transaction.atomic
def export_retry(*, job: ExportJob, by) -> ExportJob:
    """Queue a failed job again, for its requester only."""
    lock_row(job)
    if job.requester_id != by.pk:
        raise PermissionDenied
    if job.status != S.FAILED:
        raise TransitionError(_("只有失败的导出可以重试"))
    if not _kind(job.kind).permission(by, job.params):
        raise PermissionDenied
    job.status, job.error, job.queued_at = S.QUEUED, "", timezone.now()
    job.rows_done, job.rows_total = 0, None
    job.started_at = job.finished_at = job.heartbeat_at = job.expires_at = None
    job.save(
        update_fields=[
            "status",
            "error",
            "queued_at",
            "rows_done",
            "rows_total",
            "started_at",
            "finished_at",
            "heartbeat_at",
            "expires_at",
        ]
    )
    transaction.on_commit(partial(_queue, job.pk, on_failure=_fail_unqueued))
    return job
