import datetime

from django.utils import timezone

from core.exports.models import ExportJob

S = ExportJob.Status


def job(**fields):
    return ExportJob(title="台账", **fields)


def test_it_counts_progress_in_percent_and_reaches_100_only_when_done():
    assert job(status=S.QUEUED).percent == 0
    assert job(status=S.RUNNING, rows_done=1, rows_total=3).percent == 33
    assert job(status=S.RUNNING, rows_done=5, rows_total=3).percent == 99
    assert job(status=S.RUNNING, rows_done=5, rows_total=0).percent == 0
    assert job(status=S.DONE, rows_done=0).percent == 100


def test_it_tells_a_stale_job_from_a_live_one():
    now = timezone.now()
    minutes = datetime.timedelta(minutes=1)
    assert job(status=S.RUNNING, heartbeat_at=now - 4 * minutes).is_stale(now)
    assert not job(status=S.RUNNING, heartbeat_at=now - minutes).is_stale(now)
    assert job(status=S.QUEUED, queued_at=now - 61 * minutes).is_stale(now)
    assert not job(status=S.QUEUED, queued_at=now - 59 * minutes).is_stale(now)
    assert not job(status=S.FAILED, heartbeat_at=now - 60 * minutes).is_stale(now)


def test_it_names_the_file_after_its_title():
    assert job().filename == "台账.xlsx"
