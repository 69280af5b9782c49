"""The office opens the half-yearly check, confirms a branch's pre-filled checklist and issues a
整改通知书; the branch secretary reports with evidence; the office re-checks and passes it."""

import datetime

from django.utils import timezone

from reviews.models import InspectionNotice, InspectionTarget
from tests.browser.pages import login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_it_runs_an_inspection_from_the_check_to_the_passed_re_check(
    page, world, artifacts, live_server
):
    deadline = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()

    login(page, "office")
    page.click("nav >> text=半年一检查")
    page.click(f"text=发起检查：{world.town.name}")
    page.select_option("select[name=kind]", "regular")
    page.click("button:has-text('发起')")
    page.wait_for_load_state()
    assert "待检查 2" in page.inner_text("[data-testid=inspection-summary]")
    card = page.locator("[data-testid=inspection-target]", has_text=world.branch.name)
    assert "已亮诺 0 / 0 项" in card.inner_text()
    card.locator("input[name=remark]").fill("承诺未上墙")
    card.locator("button:has-text('确认检查结果')").click()
    page.wait_for_load_state()
    card = page.locator("[data-testid=inspection-target]", has_text=world.branch.name)
    assert "发现问题" in card.locator("[data-testid=target-status]").inner_text()
    page.screenshot(path=str(artifacts / "inspection-prefill.png"), full_page=True)
    card.locator("text=下达整改通知书").click()
    assert "承诺是否公开" in page.input_value("textarea[name=problems]")
    page.fill("textarea[name=requirements]", "一周内在公开栏公开全部承诺")
    page.fill("input[name=deadline]", deadline)
    page.click("button:has-text('下达')")
    page.wait_for_load_state()
    assert "待整改" in page.inner_text("[data-testid=notice-status]")
    notice = InspectionNotice.objects.get()
    assert notice.number in page.inner_text("[data-testid=inspection-notice]")

    page.context.clear_cookies()
    login(page, "secretary")
    page.click("nav >> text=半年一检查")
    page.click(f"[data-testid=inspection-notices] >> text={notice.number}")
    page.fill("[data-testid=answer-form] textarea[name=answer]", "已在公开栏公开全部承诺")
    page.set_input_files(
        "[data-testid=answer-form] input[name=files]",
        files=[{"name": "公开栏.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.click("[data-testid=answer-form] button")
    page.wait_for_load_state()
    assert "待复验" in page.inner_text("[data-testid=notice-status]")

    page.context.clear_cookies()
    login(page, "office")
    page.goto(live_server.url + notice.get_absolute_url())
    assert "公开栏.pdf" in page.inner_text("main")
    page.fill("[data-testid=recheck-form] textarea[name=remark]", "现场复验到位")
    page.click("[data-testid=recheck-form] >> text=复验通过")
    page.wait_for_load_state()
    assert "复验通过" in page.inner_text("[data-testid=notice-status]")
    assert page.locator("[data-testid=notice-events] li").count() == 3
    page.screenshot(path=str(artifacts / "inspection-notice-passed.png"), full_page=True)
    notice.refresh_from_db()
    assert notice.status == InspectionNotice.Status.PASSED
    assert InspectionTarget.objects.filter(status="findings").count() == 1
