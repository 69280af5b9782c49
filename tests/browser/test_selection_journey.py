"""组织评选 from end to end: the town office opens a 七一 round, the branch secretary nominates
a member (graded 差, so with a written reason), the office fixes the short list and composes the
评选表彰公示, a colleague approves it, the window passes, the office decides, and the public
reads the 表彰名单."""

import datetime

from django.utils import timezone

from pledges.models import Position
from reviews.models import AnnualAssessment, Nomination, SelectionRound
from tests.browser.pages import login
from tests.factories import UserFactory, end_publicity, make_position, record


def test_it_runs_a_selection_from_opening_to_the_public_honour_list(page, world, artifacts):
    colleague = UserFactory(username="office_b", first_name="王审核")
    make_position(colleague, world.town, Position.Kind.OFFICE)
    record(world, member=world.member, grade=AnnualAssessment.Grade.POOR)
    today = timezone.localdate()
    page.on("dialog", lambda dialog: dialog.accept())

    login(page, "office")
    page.click("nav >> text=组织评选")
    page.click("[data-testid=open-selection]")
    page.fill("input[name=title]", "七一优秀共产党员评选")
    page.fill("input[name=year]", str(today.year))
    page.fill(f"input[name=quota_{world.branch.pk}]", "2")
    page.fill(f"input[name=quota_{world.other_branch.pk}]", "0")
    page.click("button:has-text('发起评选')")
    page.wait_for_load_state()
    assert "推荐中" in page.inner_text("[data-testid=selection-status]")
    selection = SelectionRound.objects.get()

    page.context.clear_cookies()
    login(page, "secretary")
    page.goto(f"{page.base_url}{selection.get_absolute_url()}")
    page.click("[data-testid=nominate]")
    page.fill("input[name=q]", "张三")
    page.click("button:has-text('查找')")
    page.wait_for_load_state()
    assert "年度总评为“差”" in page.inner_text("[data-testid=candidates]")
    page.check(f"input[name=nominee][value='m:{world.member.pk}']")
    page.fill("textarea[name=reason]", "带头为群众办实事")
    page.click("[data-testid=nominate-submit]")
    page.wait_for_load_state()
    assert "须填写书面说明" in page.inner_text("body")
    page.check(f"input[name=nominee][value='m:{world.member.pk}']")
    page.fill("textarea[name=caution_reason]", "差等次系上半年情况，下半年已整改到位")
    page.click("[data-testid=nominate-submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=nomination-row]").count() == 1
    assert "差等次系上半年情况" in page.inner_text("[data-testid=nominations]")

    page.context.clear_cookies()
    login(page, "office")
    page.goto(f"{page.base_url}{selection.get_absolute_url()}")
    page.check("input[name=nomination]")
    page.click("[data-testid=shortlist]")
    page.wait_for_load_state()
    assert "已确定公示人选" in page.inner_text("[data-testid=selection-status]")
    page.click("[data-testid=compose-notice]")
    assert "优秀共产党员：张三" in page.inner_text("[data-testid=notice-form]")
    page.fill("input[name=starts_on]", today.isoformat())
    page.fill("input[name=ends_on]", (today + datetime.timedelta(days=6)).isoformat())
    page.click("button:has-text('保存草稿')")
    page.wait_for_load_state()
    page.click("[data-testid=submit-notice]")
    page.wait_for_load_state()
    notice_url = page.url

    page.context.clear_cookies()
    login(page, "office_b")
    page.goto(notice_url)
    page.click("[data-testid=approve-notice]")
    page.wait_for_load_state()
    selection.refresh_from_db()
    assert selection.status == SelectionRound.Status.PUBLICISED

    end_publicity(selection)  # a week later
    page.context.clear_cookies()
    login(page, "office")
    page.goto(f"{page.base_url}{selection.get_absolute_url()}")
    page.click("[data-testid=decide]")
    page.wait_for_load_state()
    assert "已表彰" in page.inner_text("[data-testid=selection-status]")
    page.screenshot(path=str(artifacts / "selection-decided.png"), full_page=True)
    assert Nomination.objects.get().status == Nomination.Status.AWARDED

    page.context.clear_cookies()
    page.goto(f"{page.base_url}/public/org/{world.town.pk}/")
    page.click("[data-testid=honours-link]")
    page.wait_for_load_state()
    text = page.inner_text("[data-testid=honours]")
    assert "张三（东街社区党支部）" in text and "七一优秀共产党员评选" in text
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=str(artifacts / "selection-honours-phone.png"), full_page=True)
