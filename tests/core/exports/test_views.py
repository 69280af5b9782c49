import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from openpyxl import load_workbook

from core.exports import tasks
from core.exports.models import ExportJob

S = ExportJob.Status


def make_job(user, **fields):
    fields = {
        "kind": "fake",
        "params": {"org": "east", "rows": 3},
        "title": "east 测试台账",
        **fields,
    }
    return ExportJob.objects.create(requester=user, **fields)


@pytest.fixture
def done_job(alice, fake, django_capture_on_commit_callbacks, client):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/exports/start/", {"kind": "fake", "org": "east", "rows": "3"})
    return ExportJob.objects.get()


def test_it_starts_an_export_and_shows_its_page(client, alice, fake):
    client.force_login(alice)
    response = client.post("/exports/start/", {"kind": "fake", "org": "east", "rows": "4"})
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/exports/{job.pk}/"
    assert job.params == {"org": "east", "rows": 4}
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "east 测试台账" in html
    assert "排队中" in html
    assert 'aria-valuenow="0"' in html
    assert '<meta http-equiv="refresh" content="3">' in html  # inside <noscript>
    assert "js/exports.js" in html


def test_it_starts_with_get_refused(client, alice, fake):
    client.force_login(alice)
    assert client.get("/exports/start/").status_code == 405


def test_it_starts_an_export_only_once_per_form(client, alice, fake):
    client.force_login(alice)
    form = {"kind": "fake", "org": "east", "form_token": "a" * 32}
    client.post("/exports/start/", form)
    response = client.post("/exports/start/", form, follow=True)
    assert ExportJob.objects.count() == 1
    assert "这个导出已经开始了" in response.content.decode()


def test_it_refuses_a_stranger_with_a_404(client, stranger, fake):
    client.force_login(stranger)
    response = client.post("/exports/start/", {"kind": "fake", "org": "east"})
    assert response.status_code == 404
    assert not ExportJob.objects.exists()


def test_it_sends_anonymous_visitors_to_log_in(client, fake):
    response = client.post("/exports/start/", {"kind": "fake", "org": "east"})
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(
    "form, message",
    [
        ({"kind": "fake", "org": "north"}, "没有这个组织"),
        ({"kind": "other", "org": "east"}, "没有这种导出"),
        ({"org": "east"}, "没有这种导出"),
    ],
)
def test_it_says_what_is_wrong_and_starts_nothing(client, alice, fake, form, message):
    client.force_login(alice)
    response = client.post("/exports/start/", {**form, "next": "/exports/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/exports/"
    assert message in response.content.decode()
    assert not ExportJob.objects.exists()


def test_it_refuses_a_nul_byte_before_starting_anything(client, alice, fake):
    client.force_login(alice)
    response = client.post("/exports/start/", {"kind": "fake", "org": "east\x00"})
    assert response.status_code == 400  # core.middleware answers before the view
    assert not ExportJob.objects.exists()


def test_it_goes_back_only_to_this_site(client, alice, fake):
    client.force_login(alice)
    response = client.post("/exports/start/", {"kind": "x", "next": "https://evil.example/"})
    assert response["Location"] == "/exports/"


@pytest.mark.django_db(transaction=True)
def test_it_says_the_background_service_is_down(client, alice, fake, monkeypatch):
    def down(*args, **kwargs):
        raise BrokerError("Connection refused")

    monkeypatch.setattr(tasks.run_export, "apply_async", down)
    client.force_login(alice)
    response = client.post(
        "/exports/start/", {"kind": "fake", "org": "east", "next": "/exports/"}, follow=True
    )
    assert "后台任务服务暂时无法连接" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_it_shows_the_download_link_when_done(client, done_job):
    assert done_job.status == S.DONE
    html = client.get(f"/exports/{done_job.pk}/").content.decode()
    assert f'href="/exports/{done_job.pk}/download/"' in html
    assert 'aria-valuenow="100"' in html
    assert 'http-equiv="refresh"' not in html  # nothing left to refresh for
    assert "js/exports.js" not in html


def test_it_lets_the_requester_download_the_file(client, done_job):
    response = client.get(f"/exports/{done_job.pk}/download/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment;")
    disposition = response["Content-Disposition"].lower()
    assert "filename*=utf-8''east%20%e6%b5%8b%e8%af%95" in disposition
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert sheet["A1"].value == "east 测试台账"


@pytest.mark.parametrize("who", ["bob", "stranger"])
def test_it_hides_a_job_from_anyone_but_its_requester(client, done_job, request, who):
    client.force_login(request.getfixturevalue(who))
    for url in ("", "status.json", "download/"):
        assert client.get(f"/exports/{done_job.pk}/{url}").status_code == 404
    assert client.post(f"/exports/{done_job.pk}/retry/").status_code == 404


def test_it_sends_anonymous_visitors_of_a_job_to_log_in(done_job, client):
    client.logout()
    for url in ("", "status.json", "download/"):
        response = client.get(f"/exports/{done_job.pk}/{url}")
        assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("pk", ["0", "99999999", "99999999999999999999999"])
def test_it_gives_a_404_for_odd_addresses(client, alice, pk):
    client.force_login(alice)
    assert client.get(f"/exports/{pk}/").status_code == 404


def test_it_has_no_download_before_the_file_is_done(client, alice, fake):
    job = make_job(alice, status=S.RUNNING, heartbeat_at=timezone.now())
    client.force_login(alice)
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404


def test_it_gives_the_status_as_json(client, alice, fake):
    job = make_job(alice, status=S.RUNNING, heartbeat_at=timezone.now(), rows_done=30)
    ExportJob.objects.filter(pk=job.pk).update(rows_total=120)
    client.force_login(alice)
    response = client.get(f"/exports/{job.pk}/status.json")
    assert response["Cache-Control"] == "private, no-store"
    assert response.json() == {
        "status": "running",
        "label": "生成中",
        "done": 30,
        "total": 120,
        "percent": 25,
        "error": "",
    }


def test_it_fails_a_stuck_job_when_its_page_is_viewed(client, alice, fake):
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    job = make_job(alice, status=S.RUNNING, heartbeat_at=long_ago)
    client.force_login(alice)
    assert client.get(f"/exports/{job.pk}/status.json").json()["status"] == "failed"
    html = client.get(f"/exports/{job.pk}/").content.decode()
    assert "后台任务中断" in html
    assert f'action="/exports/{job.pk}/retry/"' in html


def test_it_retries_a_failed_job(client, alice, fake, django_capture_on_commit_callbacks):
    job = make_job(alice, status=S.FAILED, error="生成文件时出错。")
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/exports/{job.pk}/retry/")
    assert response["Location"] == f"/exports/{job.pk}/"
    job.refresh_from_db()
    assert job.status == S.DONE


def test_it_says_a_job_that_did_not_fail_needs_no_retry(client, done_job):
    response = client.post(f"/exports/{done_job.pk}/retry/", follow=True)
    assert "只有失败的导出可以重试" in response.content.decode()


def test_it_retries_with_get_refused(client, done_job):
    assert client.get(f"/exports/{done_job.pk}/retry/").status_code == 405


def test_it_lists_my_exports_only(client, alice, bob, fake):
    make_job(alice, title="我的台账")
    make_job(bob, title="别人的台账")
    client.force_login(alice)
    html = client.get("/exports/").content.decode()
    assert "我的台账" in html and "别人的台账" not in html
    assert "测试台账" in html  # the kind's label


def test_it_says_when_there_are_no_exports(client, alice):
    client.force_login(alice)
    assert "您还没有导出过文件" in client.get("/exports/").content.decode()


def jobs_of(user, n):
    for i in range(n):
        make_job(user, status=[S.QUEUED, S.DONE, S.FAILED][i % 3], error="出错")


@pytest.mark.parametrize("n", [1, 25])
def test_it_lists_my_exports_in_a_fixed_number_of_queries(
    client, alice, fake, django_assert_num_queries, n
):
    jobs_of(alice, n)
    client.force_login(alice)
    with django_assert_num_queries(MINE_QUERIES):
        assert client.get("/exports/").status_code == 200


@pytest.mark.parametrize("status", [S.QUEUED, S.DONE, S.FAILED])
def test_it_shows_a_job_in_a_fixed_number_of_queries(
    client, alice, fake, django_assert_num_queries, status
):
    job = make_job(alice, status=status)
    client.force_login(alice)
    with django_assert_num_queries(JOB_QUERIES):
        assert client.get(f"/exports/{job.pk}/").status_code == 200
    with django_assert_num_queries(STATUS_QUERIES):
        assert client.get(f"/exports/{job.pk}/status.json").status_code == 200


def test_it_downloads_in_a_fixed_number_of_queries(client, done_job, django_assert_num_queries):
    with django_assert_num_queries(DOWNLOAD_QUERIES):
        assert client.get(f"/exports/{done_job.pk}/download/").status_code == 200


# Session and user, then: the list's count and page of rows, and the top bar's two role reads;
# the job; the job and the top bar's roles; the job for the download, then its security-log
# line (with the user's two role reads that file the line under his organization).
MINE_QUERIES = 6
JOB_QUERIES = 5
STATUS_QUERIES = 3
DOWNLOAD_QUERIES = 6


def test_it_refuses_the_second_of_two_sessions_making_the_same_export_move(alice, fake):
    """Two sessions of the requester, each with its own form: the same export started twice
    is one job; a failed job retried twice is queued once, the second told why."""
    a, b = Client(), Client()
    a.force_login(alice)
    b.force_login(alice)
    form = {"kind": "fake", "org": "east", "rows": "3"}
    a.post("/exports/start/", {**form, "form_token": "a" * 32})
    b.post("/exports/start/", {**form, "form_token": "b" * 32})
    assert ExportJob.objects.filter(kind="fake").count() == 1
    failed = make_job(alice, status=S.FAILED, error="生成文件时出错。", params={"org": "west"})
    a.post(f"/exports/{failed.pk}/retry/")
    queued_at = ExportJob.objects.get(pk=failed.pk).queued_at
    second = b.post(f"/exports/{failed.pk}/retry/", follow=True)
    assert "只有失败的导出可以重试" in second.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.queued_at) == (S.QUEUED, queued_at)
