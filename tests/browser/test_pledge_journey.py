"""The pledge book as a branch secretary keeps it, in a real browser.

One journey: enter a member's three items on one page, submit, approve and publish them in
bulk, record progress with a photo, close one; then check who may download the photo.
"""

import datetime
import re
import struct
import zlib

from playwright.sync_api import expect

from pledges.models import Pledge
from tests.browser.pages import login

ITEMS = [
    ("实事承诺", "为辖区10户困难老人每月上门服务一次", "结对走访，登记服务台账", "服务120人次"),
    ("服务承诺", "每周三晚在社区值班接待群众", "排班表上墙，群众来访登记", "接待不少于40次"),
    ("改正缺点", "改正开会迟到的毛病", "提前十分钟到会，请支部监督", "全年不迟到"),
]


def tiny_png(width: int = 8, height: int = 8) -> bytes:
    """A real (red) PNG made by hand, so no imaging library is needed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xb5\x12\x1b" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def member_rows(page):
    """The pledge rows under the member 张三 on the branch page."""
    return page.locator("[data-testid=pledge-row]")


def expect_statuses(page, label: str, count: int) -> None:
    expect(member_rows(page).filter(has_text=label)).to_have_count(count)


def bulk(page, action_label: str) -> None:
    for box in member_rows(page).get_by_label("选择").all():
        box.check()
    page.get_by_label("批量操作").select_option(label=action_label)
    page.get_by_role("button", name="批量处理").click()
    page.wait_for_load_state()


def new_page_as(browser, live_server, username: str):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    login(page, username)
    return page


def test_it_keeps_a_members_pledges_from_entry_to_closing(
    page, browser, live_server, world, artifacts, tmp_path
):
    deadline = (datetime.date.today() + datetime.timedelta(days=40)).isoformat()

    # The secretary lands on the branch page and opens 张三's entry page.
    login(page, "secretary")
    expect(page.locator("h1")).to_contain_text("东街社区党支部")
    page.locator("[data-testid=member-row]", has_text="张三").get_by_role(
        "link", name="填写承诺"
    ).click()
    expect(page.locator("h1")).to_contain_text("张三")

    # Three items on one page, the other suggested rows left blank.
    rows = page.locator("[data-testid=entry-row]")
    assert rows.count() >= 3
    for row, (kind, title, measures, result) in zip(rows.all(), ITEMS, strict=False):
        row.get_by_label("承诺类别").select_option(label=kind)
        row.get_by_label("承诺事项").fill(title)
        row.get_by_label("践诺措施").fill(measures)
        row.get_by_label("完成时限").fill(deadline)
        row.get_by_label("预期效果").fill(result)
    page.get_by_role("button", name="保存并提交审核").click()
    # The message names the period every row was saved in (the page's 年度 applies to all).
    expect(page.locator(".alert-success")).to_contain_text(
        re.compile(r"已保存并提交 \d{4}年.*的 3 项承诺")
    )
    expect(member_rows(page)).to_have_count(3)
    expect_statuses(page, "待审核", 3)
    for _kind, title, _m, _r in ITEMS:
        expect(page.get_by_role("link", name=title)).to_be_visible()

    # The member sees his submitted items but is offered no way to approve them himself.
    member_page = new_page_as(browser, live_server, "member")
    member_page.goto(f"{live_server.url}/org/{world.branch.pk}/")
    expect(member_page.get_by_label("批量操作")).to_have_count(0)
    expect_statuses(member_page, "待审核", 3)
    member_page.get_by_role("link", name=ITEMS[0][1]).click()
    expect(member_page.get_by_role("button", name="审核通过")).to_have_count(0)

    # The secretary approves all three at once, then publishes them (亮诺) at once.
    page.reload()
    bulk(page, "审核通过")
    expect(page.locator(".alert-success")).to_contain_text("已处理 3 项")
    expect_statuses(page, "已审核备案", 3)
    bulk(page, "亮诺")
    expect(page.locator(".alert-success")).to_contain_text("已处理 3 项")
    expect_statuses(page, "已亮诺", 3)

    # Progress on the first item, with a photo.
    photo = tmp_path / "走访照片.png"
    photo.write_bytes(tiny_png())
    page.get_by_role("link", name=ITEMS[0][1]).click()
    expect(page.locator("h1")).to_contain_text("已亮诺")
    page.get_by_label("践诺情况").fill("11月走访困难老人10户，帮助购买生活用品")
    page.get_by_label("佐证材料").set_input_files(str(photo))
    page.get_by_role("button", name="保存记实").click()
    expect(page.locator(".alert-success")).to_contain_text("记实已保存")
    expect(page.locator("h1")).to_contain_text("践诺中")
    record = page.locator("[data-testid=progress-record]")
    expect(record).to_contain_text("走访困难老人10户")
    evidence_link = record.get_by_role("link", name=re.compile("走访照片.png"))
    with page.expect_download() as download_info:
        evidence_link.click()
    assert download_info.value.suggested_filename == "走访照片.png"
    assert open(download_info.value.path(), "rb").read() == photo.read_bytes()
    evidence_url = live_server.url + evidence_link.get_attribute("href")
    progressed_url = page.url

    # Close the second item (销号) with how it was fulfilled.
    page.goto(f"{live_server.url}/org/{world.branch.pk}/")
    page.get_by_role("link", name=ITEMS[1][1]).click()
    page.get_by_label("兑现情况").fill("全年值班接待群众46次，群众满意")
    page.get_by_role("button", name="销号", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("已销号")
    expect(page.locator("h1")).to_contain_text("已销号")
    expect(page.locator("table").first).to_contain_text("全年值班接待群众46次")

    # The branch page now shows one item in each state.
    page.goto(f"{live_server.url}/org/{world.branch.pk}/")
    expect_statuses(page, "践诺中", 1)
    expect_statuses(page, "已销号", 1)
    expect_statuses(page, "已亮诺", 1)
    counts = page.locator("[data-testid=status-counts]")
    expect(counts).to_contain_text("践诺中")
    page.screenshot(path=str(artifacts / "branch-page.png"), full_page=True)
    assert list(
        Pledge.objects.filter(owner_member=world.member).values_list("status", flat=True)
    ) == ["in_progress", "closed", "published"]

    # The photo downloads for the book keepers, the member, the office and the leader above;
    # for nobody else — not even the secretary of the branch next door.
    for username, allowed in [
        ("member", True),
        ("office", True),
        ("leader", True),
        ("other_secretary", False),
        ("other_member", False),
        ("far_office", False),
        ("stranger", False),
    ]:
        other = new_page_as(browser, live_server, username)
        response = other.request.get(evidence_url)
        if allowed:
            assert response.status == 200, username
            assert response.body() == photo.read_bytes(), username
            assert "attachment" in response.headers["content-disposition"], username
        else:
            assert response.status in (403, 404), username
            page_response = other.goto(progressed_url)
            assert page_response.status in (403, 404), username
            assert "走访照片" not in other.content(), username
        other.context.close()

    # Logged out, the file sends you to the login page instead.
    anonymous = browser.new_context().request.get(evidence_url, max_redirects=0)
    assert anonymous.status == 302
    assert "/login/" in anonymous.headers["location"]
    member_page.context.close()
