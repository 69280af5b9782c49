"""每月评比 as a secretary does it: the branch's whole month in one page load and one submit,
then published on the branch's public page."""

from django.utils import timezone
from playwright.sync_api import expect

from pledges.models import Pledge, ProgressRecord
from reviews.models import MonthlyRating
from tests.browser.pages import login
from tests.factories import MemberFactory, PledgeFactory, this_month


def test_a_secretary_rates_the_branch_month_and_publishes_it(page, world):
    members = [world.member] + [
        MemberFactory(name=f"党员{i:02d}", organization=world.branch) for i in range(4)
    ]
    year, month = this_month()
    for m in members:
        PledgeFactory(owner_member=m, status=Pledge.Status.IN_PROGRESS, year=year)
    recorded = Pledge.objects.filter(owner_member=world.member).get()
    ProgressRecord.objects.create(
        pledge=recorded, date=timezone.localdate(), text="走访", author=world.secretary
    )
    login(page, "secretary")
    documents: list[str] = []
    page.on(
        "request",
        lambda r: documents.append(r.method) if r.resource_type == "document" else None,
    )
    page.goto(f"{page.base_url}/reviews/monthly-rating/{world.branch.pk}/")
    # Who recorded nothing this month stands out before anything is chosen.
    expect(page.get_by_test_id("no-record")).to_have_count(len(members) - 1)
    for m in members:
        for criterion in ("践诺进度", "记实", "群众反映"):
            grade = "好" if m == world.member else "较好"
            page.get_by_label(f"{m.name} {criterion}").select_option(label=grade)
    page.get_by_test_id("rating-save").click()
    page.wait_for_load_state()
    expect(page.get_by_text(f"已保存 {len(members)} 名党员的评比")).to_be_visible()
    assert documents == ["GET", "POST", "GET"]
    assert MonthlyRating.objects.count() == len(members)
    page.get_by_test_id("rating-publish").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("rating-published")).to_be_visible()
    page.goto(f"{page.base_url}/public/org/{world.branch.pk}/")
    expect(page.get_by_test_id("public-monthly-rating")).to_contain_text("张三：好")
    page.screenshot(path="test-artifacts/monthly_rating_public.png")
