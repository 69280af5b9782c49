"""A leader reviews his linked branch with two rectification items and signs; the branch
closes one item and the leader confirms it (整改销号)."""

import datetime

from django.utils import timezone

from pledges.models import Position
from reviews.models import RectificationItem, Review
from tests.browser.pages import login
from tests.factories import UserFactory, make_position, org_subject, submit_self_evaluation


def test_it_runs_a_review_from_writing_to_confirmed_rectification(page, world, artifacts):
    leader = UserFactory(username="branch_leader", first_name="刘书记")
    make_position(leader, world.branch, Position.Kind.LEADER_SUPERVISE)
    submit_self_evaluation(org_subject(world.branch), world.secretary)
    page.on("dialog", lambda dialog: dialog.accept())
    deadline = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()

    login(page, "branch_leader")
    page.click("nav >> text=我的点评")
    row = page.locator(f"[data-subject='o:{world.branch.pk}']")
    assert "已报送" in row.inner_text()
    row.locator("text=写点评").click()
    assert "领导班子好" in page.inner_text("[data-testid=prompts]")
    assert "做得好" in page.inner_text("[data-testid=self-evaluation-card]")
    page.select_option("select[name=mode]", "collective")
    page.fill("textarea[name=achievements]", "服务群众承诺兑现及时")
    page.fill("textarea[name=problems]", "承诺台账记实不全；入户走访不够")
    page.fill("textarea[name=direction]", "规范台账，每月走访")
    page.check("input[name=grade][value=fairly_good]")
    for i, (problem, measures) in enumerate(
        [("台账记实不全", "每月补齐记实"), ("入户走访不够", "每周走访 10 户")]
    ):
        page.fill(f"textarea[name=items-{i}-problem]", problem)
        page.fill(f"textarea[name=items-{i}-target]", "按期整改到位")
        page.fill(f"textarea[name=items-{i}-measures]", measures)
        # 定责任人: someone not on the branch's roll is typed, with "outside" chosen.
        page.select_option(f"select[name=items-{i}-responsible_member]", "")
        page.fill(f"input[name=items-{i}-responsible]", "支部书记")
        page.fill(f"input[name=items-{i}-deadline]", deadline)
    page.click("button[name=sign]")
    page.wait_for_load_state()
    assert "已签认" in page.inner_text("[data-testid=review-status]")
    assert page.locator("[data-testid=items] tbody tr").count() == 2
    page.screenshot(path=str(artifacts / "review-signed.png"), full_page=True)
    review = Review.objects.get()
    assert review.status == Review.Status.SIGNED and review.grade == "fairly_good"

    page.context.clear_cookies()
    login(page, "secretary")
    page.click("nav >> text=整改")
    page.click("[data-testid=items-mine] >> text=台账记实不全")
    page.fill("textarea[name=measures_taken]", "已补齐 1–10 月记实")
    page.fill("[data-testid=done-form] textarea[name=reply]", "台账已补齐，请审阅")
    page.click("[data-testid=done-form] button")
    page.wait_for_load_state()
    assert "已整改待确认" in page.inner_text("[data-testid=item-status]")

    page.context.clear_cookies()
    login(page, "branch_leader")
    page.click("nav >> text=整改")
    page.click("[data-testid=items-given] >> text=台账记实不全")
    assert "台账已补齐，请审阅" in page.inner_text("[data-testid=reply]")
    page.click("[data-testid=confirm-box] >> text=确认销号")
    page.wait_for_load_state()
    assert "已销号" in page.inner_text("[data-testid=item-status]")
    page.screenshot(path=str(artifacts / "review-item-confirmed.png"), full_page=True)
    statuses = sorted(RectificationItem.objects.values_list("status", flat=True))
    assert statuses == ["confirmed", "open"]
