"""The export page's progress bar moves while the job runs, then offers the file."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from core.exports.models import ExportJob
from core.xlsx import write_ledger
from tests.browser.pages import login
from tests.factories import UserFactory

S = ExportJob.Status


def ledger_bytes() -> bytes:
    out = io.BytesIO()
    write_ledger(
        out,
        sheet_name="台账",
        title="测试台账",
        columns=(("事项", 20),),
        rows=["修缮活动室"],
        to_cells=lambda n, row: [row],
        empty="",
    )
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_it_moves_the_bar_then_offers_the_download(page, artifacts):
    user = UserFactory(username="exporter")
    job = ExportJob.objects.create(
        requester=user,
        kind="fake",
        title="东街 测试台账",
        status=S.RUNNING,
        rows_done=10,
        rows_total=100,
        heartbeat_at=timezone.now(),
    )
    login(page, "exporter")
    page.goto(f"{page.base_url}/exports/{job.pk}/")
    bar = page.locator("[data-role=bar]")
    assert bar.get_attribute("aria-valuenow") == "10"
    assert page.locator("[data-role=state]").inner_text() == "生成中：已写 10 / 100 行"

    ExportJob.objects.filter(pk=job.pk).update(rows_done=60, heartbeat_at=timezone.now())
    # A locator assertion, not wait_for_function: the CSP forbids evaluating strings.
    expect(page.locator("[data-role=bar]")).to_have_attribute("aria-valuenow", "60")
    assert page.locator("[data-role=state]").inner_text() == "生成中：已写 60 / 100 行"
    page.screenshot(path=str(artifacts / "export-progress.png"), full_page=True)

    job.file.save("x.xlsx", ContentFile(ledger_bytes()), save=False)
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        file=job.file.name,
        status=S.DONE,
        rows_done=100,
        finished_at=now,
        expires_at=now + datetime.timedelta(days=7),
    )
    link = page.get_by_test_id("download")
    link.wait_for()  # the script reloaded the page once the job was done
    assert page.locator("[data-role=bar]").get_attribute("aria-valuenow") == "100"
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "东街 测试台账.xlsx"
    with open(download.value.path(), "rb") as f:
        sheet = load_workbook(f).worksheets[0]
    assert sheet["A1"].value == "测试台账"
