"""A branch files its half-year (备案) in one click; the town's office sees who filed, returns it
with a reason; the branch files again; the office opens the package and receives it."""

from playwright.sync_api import expect

from pledges.models import Pledge
from reviews.models import Filing
from reviews.rules.filing import latest_period
from tests.browser.pages import login
from tests.factories import PledgeFactory


def test_it_files_returns_files_again_and_receives(page, world, artifacts):
    period = latest_period()
    PledgeFactory(
        owner_org=world.branch,
        status=Pledge.Status.PUBLISHED,
        title="修缮社区活动室",
        year=period.year,
    )

    login(page, "secretary")
    page.click("nav >> text=备案")
    expect(page.locator("[data-testid=filing-status]")).to_contain_text("未报送")
    assert "1 项" in page.inner_text("[data-testid=contents]")
    page.click("[data-testid=file]")
    page.wait_for_load_state()
    expect(page.locator("[data-testid=filing-status]")).to_have_text("已报送")
    expect(page.locator("[data-testid=package]")).to_be_visible()
    page.screenshot(path=str(artifacts / "filing-filed.png"), full_page=True)

    page.context.clear_cookies()
    login(page, "office")
    page.click("nav >> text=备案")
    expect(page.locator("[data-testid=count-filed]")).to_have_text("1")
    expect(page.locator("[data-testid=count-missing]")).to_have_text("1")
    page.screenshot(path=str(artifacts / "filing-status.png"), full_page=True)
    page.click(f"[data-testid=filings] >> text={world.branch.name}")
    page.fill("input[name=reason]", "缺少群众评议情况统计表")
    page.click("[data-testid=return]")
    page.wait_for_load_state()
    expect(page.locator("[data-testid=filing-status]")).to_have_text("已退回")

    page.context.clear_cookies()
    login(page, "secretary")
    page.click("nav >> text=备案")
    expect(page.locator("[data-testid=return-reason]")).to_contain_text("缺少群众评议情况统计表")
    page.click("[data-testid=file]")
    page.wait_for_load_state()
    expect(page.locator("[data-testid=filing-status]")).to_have_text("已报送")

    page.context.clear_cookies()
    login(page, "office")
    page.goto(f"{page.base_url}/reviews/filing/{world.branch.pk}/?period={period.code}")
    with page.expect_download() as download:
        page.click("[data-testid=package]")
    assert download.value.suggested_filename.endswith("备案材料.zip")
    page.click("[data-testid=receive]")
    page.wait_for_load_state()
    expect(page.locator("[data-testid=filing-status]")).to_have_text("已接收")
    page.screenshot(path=str(artifacts / "filing-received.png"), full_page=True)
    filing = Filing.objects.get()
    assert (filing.status, filing.rounds) == ("received", 2)
