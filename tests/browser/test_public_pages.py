"""三公开 in headless Chromium: a passer-by scans the notice board's QR code on a phone, reads a
notice and leaves an opinion; at a desk a secretary composes a notice, the office approves it,
and it appears publicly."""

import datetime

import pytest
from django.utils import timezone

from pledges.models import Pledge
from pledges.rules.pledge_content import PledgeContent
from pledges.services import pledge as pledge_services
from pledges.services import progress as progress_services
from publicity.models import Opinion
from publicity.selectors.notice import candidates
from publicity.services import notice as notice_services
from tests.browser.pages import login
from tests.factories import PledgeFactory

PHONE = {"width": 360, "height": 740}
MAX_PAGE_BYTES = 300 * 1024


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    yield page
    context.close()


def _pledges(w):
    for title in ("修缮社区活动室", "帮扶困难群众"):
        PledgeFactory(
            owner_org=w.branch,
            status=Pledge.Status.PUBLISHED,
            title=title,
            measures="组织党员志愿者每周开展一次，建立台账逐户落实",
            published_at=timezone.now(),
        )


def _live_notice(w):
    today = timezone.localdate()
    year = today.year
    notice = notice_services.notice_create(
        by=w.secretary,
        organization=w.branch,
        kind="pledges",
        year=year,
        content=notice_services.NoticeContent(
            title="东街社区党支部亮诺公示",
            intro="公示期内欢迎监督。",
            starts_on=today,
            ends_on=today + datetime.timedelta(days=6),
            sources=[c.source for c in candidates(w.branch, "pledges", year)],
        ),
    )
    notice_services.notice_submit(notice=notice, by=w.secretary)
    return notice_services.notice_approve(notice=notice, by=w.office)


def _page_bytes(page) -> int:
    return page.evaluate(
        """() => {
          const nav = performance.getEntriesByType('navigation')[0];
          const res = performance.getEntriesByType('resource');
          return nav.decodedBodySize + res.reduce((n, r) => n + r.decodedBodySize, 0);
        }"""
    )


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _page_bytes(page) <= MAX_PAGE_BYTES


def test_it_reads_a_notice_and_takes_an_opinion_on_a_phone(phone, world, artifacts):
    page = phone
    _pledges(world)
    notice = _live_notice(world)

    # The poster on the notice board prints the address its QR code holds.
    page.goto(f"{page.base_url}/public/org/{world.branch.pk}/poster/")
    assert page.locator("[data-testid=poster] svg").count() == 1
    address = page.locator("[data-testid=poster] p").last.inner_text().strip()
    assert address.endswith(f"/public/org/{world.branch.pk}/")
    # The A4 sheet follows a phone's width rather than scrolling sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.goto(address)
    assert page.locator("h1").first.inner_text().startswith("东街社区党支部")
    _fits(page)
    page.screenshot(path=str(artifacts / "public-org-phone.png"), full_page=True)

    page.click(f"a[href='{notice.public_url()}']")
    page.wait_for_load_state()
    assert "修缮社区活动室" in page.content()
    assert "组织党员志愿者每周开展一次" in page.content()
    _fits(page)
    page.screenshot(path=str(artifacts / "public-notice-phone.png"), full_page=True)

    # Every field of the opinion form has a visible label; the honeypot is out of sight.
    assert page.is_visible("label[for=op-text]")
    honeypot = page.locator("#op-website").bounding_box()
    assert honeypot["x"] + honeypot["width"] <= 0
    page.fill("#op-text", "活动室开放时间能否延长到晚上八点？")
    page.fill("#op-name", "居民老张")
    page.click("[data-testid=opinion-form] button[type=submit]")
    page.wait_for_load_state()
    assert page.is_visible("[data-testid=opinion-sent]")
    page.screenshot(path=str(artifacts / "public-opinion-sent-phone.png"), full_page=True)
    opinion = Opinion.objects.get()
    assert (opinion.notice, opinion.status) == (notice, "pending")


def test_it_publishes_a_notice_composed_by_the_secretary_and_approved_by_the_office(
    page, world, artifacts, browser, live_server
):
    _pledges(world)
    login(page, "secretary")
    page.goto(f"{page.base_url}/public/manage/")
    page.click(f"[data-testid=compose-{world.branch.pk}]")
    page.wait_for_load_state()
    # Every candidate ticked by default.
    boxes = page.locator("[data-testid=candidate] input[type=checkbox]")
    assert boxes.count() == 2 and all(boxes.nth(i).is_checked() for i in range(2))
    page.fill("textarea[name=intro]", "请广大群众监督。")
    page.screenshot(path=str(artifacts / "public-compose-desktop.png"), full_page=True)
    page.click("[data-testid=notice-form] button[type=submit]")
    page.wait_for_load_state()
    page.click("[data-testid=submit-notice]")
    page.wait_for_load_state()
    assert "已提交审核" in page.content()

    page.context.clear_cookies()
    login(page, "office")
    page.goto(f"{page.base_url}/public/manage/?status=submitted")
    page.click("[data-testid=notice-row] a")
    page.wait_for_load_state()
    page.click("[data-testid=approve-notice]")
    page.wait_for_load_state()
    assert "已批准" in page.content()
    page.screenshot(path=str(artifacts / "public-approved-desktop.png"), full_page=True)

    anonymous = browser.new_context(locale="zh-CN").new_page()
    anonymous.goto(f"{live_server.url}/public/org/{world.branch.pk}/")
    live = anonymous.locator("[data-testid=live-notices]")
    assert "亮诺公示" in live.inner_text()
    anonymous.screenshot(path=str(artifacts / "public-org-desktop.png"), full_page=True)
    anonymous.context.close()


def _pledge_with_progress(w):
    """A member's pledge through 定诺 → 审诺 → 亮诺 → 记实 → 销号, by the services."""
    today = timezone.localdate()
    pledge = pledge_services.pledge_create(
        by=w.member_user,
        owner_org=w.branch,
        owner_member=w.member,
        content=PledgeContent(
            kind="practical",
            title="开办社区夜校",
            measures="每周两课，登记到课人数",
            deadline=today + datetime.timedelta(days=30),
            expected_result="居民受益",
        ),
        year=today.year,
    )
    pledge_services.pledge_submit(pledge=pledge, by=w.member_user)
    pledge_services.pledge_approve(pledge=pledge, by=w.secretary)
    pledge_services.pledge_publish(pledge=pledge, by=w.secretary)
    progress_services.progress_add(
        pledge=pledge, by=w.member_user, date=today, text="第一课到课二十三人"
    )
    pledge_services.pledge_close(
        pledge=pledge, by=w.secretary, result="夜校已开课，居民满意", closed_on=today
    )
    return pledge


def test_it_walks_from_the_qr_code_down_the_tree_to_a_pledge_s_timeline(phone, world, artifacts):
    pledge = _pledge_with_progress(world)
    page = phone

    # The town's poster on the notice board: its QR code holds the town's public address.
    page.goto(f"{page.base_url}/public/org/{world.town.pk}/poster/")
    address = page.locator("[data-testid=poster] p").last.inner_text().strip()
    assert address.endswith(f"/public/org/{world.town.pk}/")
    page.goto(address)
    # The figures come first: above the fold of a 740 px phone screen.
    figures = page.locator("[data-testid=figures]").bounding_box()
    assert figures["y"] < PHONE["height"]
    _fits(page)
    page.screenshot(path=str(artifacts / "public-town-phone.png"), full_page=True)

    # Tap the branch to go down the tree, then the pledge.
    page.click(f"[data-testid=children] a[href$='/public/org/{world.branch.pk}/']")
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text().startswith("东街社区党支部")
    page.click(f"[data-testid=public-pledges] a[href$='/pledge/{pledge.pk}/']")
    page.wait_for_load_state()
    steps = page.locator("[data-testid=timeline] [data-step]")
    kinds = [steps.nth(i).get_attribute("data-step") for i in range(steps.count())]
    assert kinds == ["pledge", "approve", "publish", "progress", "close"]
    assert "第一课到课二十三人" in page.locator("[data-testid=timeline]").inner_text()
    _fits(page)
    page.screenshot(path=str(artifacts / "public-pledge-timeline-phone.png"), full_page=True)
