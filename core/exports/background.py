"""The export services the background tasks call: build a job, fail the stale, expire the old.

`export_run` is the one service that is not a single transaction: building a city's ledger takes
a minute, and its progress and heartbeat must be seen by the page while it runs. It claims the job,
builds the file outside any transaction, then finishes or fails the job, each step atomic and
fenced by the job's attempt number, so a worker that lost the job (failed as stale, retried by
its requester) can no longer write to it. `services` re-exports them: callers use `services`.
"""

from __future__ import annotations

import logging
import tempfile
import time
from functools import partial
from typing import IO

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import lag_tolerant
from core.errors import TransitionError
from core.locks import lock_row, lock_rows
from core.notifications.events import notify

from . import registry
from .models import KEEP_FOR, QUEUED_TOO_LONG, STALE_AFTER, ExportJob

logger = logging.getLogger(__name__)

# A database that is briefly unreachable: the task is retried with backoff.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
SOFT_TIME_LIMIT = 30 * 60
PROGRESS_SECONDS = 1.0
# The row counters are integer columns.
MAX_ROWS = 2**31 - 1

S = ExportJob.Status


class _Abandoned(Exception):
    """The job is no longer this worker's (failed as stale, then retried)."""


class _Progress:
    """`progress(done, total)` for builders: written at most once a second (and as soon as the
    total is known), and the heartbeat."""

    def __init__(self, job: ExportJob, attempt: int):
        self.job_id, self.attempt = job.pk, attempt
        self.done, self.total = 0, None
        self._written_at = float("-inf")

    def __call__(self, done: int, total: int | None = None) -> None:
        self.done = max(0, min(int(done), MAX_ROWS))
        news = total is not None and total != self.total
        if news:
            self.total = max(0, min(int(total), MAX_ROWS))
        now = time.monotonic()
        if now - self._written_at < PROGRESS_SECONDS and not news:
            return
        self._written_at = now
        # One fenced UPDATE, no lock: it touches only counters, and only while the job is ours.
        written = ExportJob.objects.filter(
            pk=self.job_id, status=S.RUNNING, attempts=self.attempt
        ).update(rows_done=self.done, rows_total=self.total, heartbeat_at=timezone.now())
        if not written:
            raise _Abandoned


@transaction.atomic
def _claim(job: ExportJob) -> int | None:
    """Start a queued job (or take over one whose worker died); None if there is nothing to do:
    done, failed, or running with a fresh heartbeat."""
    lock_row(job)
    taken_over = job.status == S.RUNNING and job.is_stale()
    if job.status != S.QUEUED and not taken_over:
        return None
    now = timezone.now()
    job.status, job.started_at, job.heartbeat_at = S.RUNNING, now, now
    job.rows_done, job.rows_total, job.error = 0, None, ""
    job.attempts += 1
    job.save(
        update_fields=[
            "status",
            "started_at",
            "heartbeat_at",
            "rows_done",
            "rows_total",
            "error",
            "attempts",
        ]
    )
    return job.attempts


@transaction.atomic
def _finish(job: ExportJob, attempt: int, out: IO[bytes], progress: _Progress) -> None:
    lock_row(job)
    if job.status != S.RUNNING or job.attempts != attempt:
        return
    out.seek(0)
    job.file.save("export.xlsx", File(out), save=False)
    now = timezone.now()
    job.status, job.finished_at, job.heartbeat_at = S.DONE, now, now
    job.expires_at = now + KEEP_FOR
    job.rows_total = progress.total if progress.total is not None else progress.done
    job.rows_done = max(progress.done, job.rows_total)
    job.save(
        update_fields=[
            "file",
            "status",
            "finished_at",
            "heartbeat_at",
            "expires_at",
            "rows_done",
            "rows_total",
        ]
    )
    notify(kind="export_finished", subject=job)


@transaction.atomic
def _fail(job: ExportJob, attempt: int, message: str) -> None:
    lock_row(job)
    if job.status != S.RUNNING or job.attempts != attempt:
        return
    now = timezone.now()
    job.status, job.error, job.finished_at = S.FAILED, message[:500], now
    job.expires_at = now + KEEP_FOR
    job.save(update_fields=["status", "error", "finished_at", "expires_at"])
    notify(kind="export_finished", subject=job)


@transaction.atomic
def _requeue(job: ExportJob, attempt: int) -> None:
    lock_row(job)
    if job.status == S.RUNNING and job.attempts == attempt:
        job.status, job.heartbeat_at, job.rows_done = S.QUEUED, None, 0
        job.save(update_fields=["status", "heartbeat_at", "rows_done"])


def export_run(*, job: ExportJob) -> ExportJob:
    """Build the job's file. Idempotent: a done or failed job is left as it is, and a job
    running elsewhere with a fresh heartbeat is not started twice."""
    attempt = _claim(job)
    if attempt is None:
        return job
    entry = registry.get(job.kind)
    if entry is None:
        _fail(job, attempt, _("这种导出已不再提供"))
    elif not entry.permission(job.requester, job.params):
        _fail(job, attempt, _("您已无权导出这些数据"))
    else:
        _build(job, attempt, entry)
    job.refresh_from_db()
    return job


def _build(job: ExportJob, attempt: int, entry: registry.ExportKind) -> None:
    progress = _Progress(job, attempt)
    with tempfile.TemporaryFile() as out:
        try:
            # The rows of a file may be seconds behind: read from the replica when there is one.
            with lag_tolerant():
                entry.builder(job, out, progress)
        except _Abandoned:
            return
        except TRANSIENT_ERRORS:
            # Back to the queue, so that the task's retry finds it; if even that fails, the
            # heartbeat stops and the job is failed as stale.
            try:
                _requeue(job, attempt)
            except TRANSIENT_ERRORS:
                logger.warning("export %s: could not requeue", job.pk)
            raise
        except TransitionError as e:
            _fail(job, attempt, str(e))
        except SoftTimeLimitExceeded:
            _fail(
                job,
                attempt,
                _("导出超过 %(minutes)d 分钟仍未完成，已停止。请缩小范围后重试。")
                % {"minutes": SOFT_TIME_LIMIT // 60},
            )
        except Exception:
            logger.exception("export %s (%s) failed", job.pk, job.kind)
            _fail(job, attempt, _("生成文件时出错。请重试；如果再次失败，请联系管理员。"))
        else:
            try:
                _finish(job, attempt, out, progress)
            except OSError:
                logger.exception("export %s: the file could not be stored", job.pk)
                _fail(job, attempt, _("导出文件无法保存（存储空间不足或出错）。请稍后重试。"))


@transaction.atomic
def exports_fail_stale(*, job: ExportJob | None = None) -> int:
    """Fail jobs whose worker died (no heartbeat) or never came (queued an hour); they can be
    retried. All of them (beat), or just `job` (its page). Returns how many were failed."""
    now = timezone.now()
    jobs = ExportJob.objects.all() if job is None else ExportJob.objects.filter(pk=job.pk)
    dead = jobs.filter(status=S.RUNNING).filter(
        Q(heartbeat_at__lt=now - STALE_AFTER) | Q(heartbeat_at__isnull=True)
    )
    never = jobs.filter(status=S.QUEUED, queued_at__lt=now - QUEUED_TOO_LONG)
    lock_rows(dead)
    lock_rows(never)
    failed = {"status": S.FAILED, "finished_at": now, "expires_at": now + KEEP_FOR}
    count = dead.update(error=_("后台任务中断（服务重启或出错），导出没有完成。请重试。"), **failed)
    count += never.update(
        error=_("导出排队一小时仍未开始（后台服务可能没有运行）。请重试，或联系管理员。"), **failed
    )
    if job is not None and count:
        job.refresh_from_db()
    return count


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("expired export file %s could not be deleted", name)


@transaction.atomic
def exports_expire() -> int:
    """Delete the jobs past their expiry and, once that is committed, their files."""
    expired = ExportJob.objects.filter(expires_at__lt=timezone.now())
    lock_rows(expired)
    rows = list(expired.values_list("pk", "file"))
    ExportJob.objects.filter(pk__in=[pk for pk, _name in rows]).delete()
    transaction.on_commit(partial(_delete_files, [name for _pk, name in rows if name]))
    return len(rows)
