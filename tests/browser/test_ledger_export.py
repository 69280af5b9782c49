"""The office exports the town's 承诺践诺台账 from its page: a real worker builds it (Redis in CI,
memory here), the bar reaches 100 %, the file downloads and opens."""

import datetime

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from openpyxl import load_workbook

from config.celery import app
from core.exports import background
from pledges.models import Pledge
from tests.browser.pages import login
from tests.factories import MemberFactory, PledgeFactory

ROWS = 60


@pytest.mark.django_db(transaction=True)
def test_it_exports_the_pledge_ledger_in_the_background(page, world, artifacts, monkeypatch):
    monkeypatch.setattr(background, "PROGRESS_SECONDS", 0)
    year = datetime.date.today().year
    for i in range(ROWS):
        member = MemberFactory(organization=world.branch if i % 2 else world.other_branch)
        PledgeFactory(
            owner_member=member,
            title=f"承诺{i:03d}",
            status=Pledge.Status.IN_PROGRESS,
            year=year,
            created_by=world.secretary,
        )
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            login(page, "office")
            page.goto(f"{page.base_url}/org/{world.town.pk}/?year={year}")
            page.locator("[data-export-kind=pledges] button").click()
            page.wait_for_url("**/exports/*/")
            link = page.get_by_test_id("download")
            link.wait_for(timeout=60000)  # the script reloads the page once the job is done
            bar = page.locator("[data-role=bar]")
            assert bar.get_attribute("aria-valuenow") == "100"
            page.screenshot(path=str(artifacts / "ledger-export-done.png"), full_page=True)
            with page.expect_download() as download:
                link.click()
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    assert download.value.suggested_filename == f"城关镇党委 {year}年度承诺践诺台账.xlsx"
    with open(download.value.path(), "rb") as f:
        sheet = load_workbook(f).worksheets[0]
    assert sheet["A1"].value == f"城关镇党委 {year}年度承诺践诺台账"
    titles = [r[4] for r in sheet.iter_rows(min_row=3, values_only=True) if isinstance(r[0], int)]
    assert sorted(titles) == [f"承诺{i:03d}" for i in range(ROWS)]
