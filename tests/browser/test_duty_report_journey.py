"""述职 as it runs: the secretary corrects the pre-filled report and hands it in, the office
enters the members' 测评 from the paper tally and sees it on the year's assessment page."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from pledges.models import Pledge
from reviews.models import DutyReport, DutyReportTally
from tests.browser.pages import login
from tests.factories import PledgeFactory, submitted_duty_report


def test_a_secretary_reports_and_the_office_enters_the_tally(page, world):
    today = timezone.localdate()
    PledgeFactory(owner_org=world.branch, status=Pledge.Status.CLOSED, closed_on=today)
    login(page, "secretary")
    page.goto(f"{page.base_url}/reviews/duty-report/")
    text = page.get_by_label("述职报告")
    expect(text).to_have_value(re.compile("公开承诺 1 项：已兑现销号 1 项"))
    text.fill(text.input_value().replace("三、存在的不足\n", "三、存在的不足\n入户走访还不够。\n"))
    page.get_by_test_id("report-save").click()
    page.wait_for_load_state()
    expect(page.get_by_text("述职报告已保存")).to_be_visible()
    page.get_by_test_id("report-submit").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("report-status")).to_have_text("已提交")
    report = DutyReport.objects.get()
    assert "入户走访还不够。" in report.text

    page.context.clear_cookies()
    login(page, "office")
    page.goto(f"{page.base_url}/reviews/assessment/{world.branch.pk}/?year={today.year}")
    page.get_by_test_id("duty").first.get_by_role("link").click()
    form = page.get_by_test_id("tally-form").nth(1)  # 向党员群众述职
    form.get_by_label("好", exact=True).fill("25")
    form.get_by_label("较好").fill("5")
    form.get_by_role("button", name="保存测评").click()
    page.wait_for_load_state()
    expect(page.get_by_text("测评结果已保存")).to_be_visible()
    assert DutyReportTally.objects.get().audience == "members"
    page.goto(f"{page.base_url}/reviews/assessment/{world.branch.pk}/?year={today.year}")
    expect(page.get_by_test_id("duty").first).to_contain_text("向党员群众述职：25/5/0/0")


def test_those_present_grade_by_code_on_a_phone(page, phone_page, world):
    phone = phone_page
    report = submitted_duty_report(world)
    login(page, "secretary")
    page.goto(f"{page.base_url}/reviews/duty-report/{world.branch.pk}/")
    codes_form = page.get_by_test_id("codes-form")
    codes_form.get_by_label("测评码数量").fill("2")
    codes_form.get_by_role("button", name="生成测评码").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("codes").locator("tbody tr")).to_have_count(2)
    for code, grade in zip(report.codes.order_by("id"), ("好", "较好"), strict=True):
        phone.goto(f"{phone.base_url}{code.get_absolute_url()}")
        phone.get_by_label(grade, exact=True).check()
        phone.get_by_role("button", name="提交测评").click()
        expect(phone.get_by_test_id("vote-done")).to_be_visible()
    tally = DutyReportTally.objects.get()
    assert (tally.good, tally.fairly_good) == (1, 1)
    page.reload()
    expect(page.get_by_test_id("tallies")).to_contain_text("100%")
