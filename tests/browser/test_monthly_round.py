"""一月一记实 as a secretary does it: the branch's whole month in one page load and one submit."""

from playwright.sync_api import expect

from pledges.models import Pledge, ProgressRecord
from tests.browser.pages import login
from tests.factories import MemberFactory, PledgeFactory

PLEDGES = 19  # 东街 in the issue: 19 running pledges


def test_a_secretary_records_the_branch_month_in_one_page_and_one_submit(page, world):
    members = [MemberFactory(name=f"党员{i:02d}", organization=world.branch) for i in range(6)]
    pledges = [
        PledgeFactory(
            owner_org=world.branch,
            owner_member=members[i % 6] if i % 4 else None,
            status=Pledge.Status.PUBLISHED,
            title=f"第{i + 1}项承诺",
        )
        for i in range(PLEDGES)
    ]
    login(page, "secretary")
    documents: list[str] = []
    page.on(
        "request",
        lambda r: documents.append(r.method) if r.resource_type == "document" else None,
    )
    page.goto(f"{page.base_url}/org/{world.branch.pk}/round/")
    expect(page.get_by_test_id("round-summary")).to_contain_text(f"未记实 {PLEDGES} 项")
    page.get_by_label("统一填写（应用于勾选的承诺）").fill("参加主题党日，入户走访群众")
    for box in page.get_by_label("应用统一填写：").all():
        box.check()
    page.get_by_label(f"本项践诺情况：{pledges[0].title}").fill("召开支委会，研究落实")
    page.get_by_role("button", name="保存本月记实").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("round-summary")).to_contain_text(f"本月已记实 {PLEDGES} 项")
    # One page load, one submit (and the page it redirects to, which shows the result).
    assert documents == ["GET", "POST", "GET"]
    assert ProgressRecord.objects.count() == PLEDGES
    assert ProgressRecord.objects.get(pledge=pledges[0]).text == "召开支委会，研究落实"
