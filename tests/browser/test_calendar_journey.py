"""The town's office puts its committee on the bureau's calendar (半年一点评, 好/中/差); the
branch secretary's review form then offers 好/中/差 and names the half-year."""

from django.utils import timezone

from pledges.models import Calendar
from reviews.models import Quarter
from tests.browser.pages import login


def test_it_sets_a_half_yearly_good_fair_poor_calendar_and_the_review_form_follows(
    page, world, artifacts
):
    login(page, "office")
    page.goto(f"{page.base_url}/org/{world.town.pk}/")
    page.click("[data-testid=calendar-link]")
    assert "系统默认设置" in page.inner_text("[data-testid=calendar-source]")
    page.check("input[name=review_cadence][value=half]")
    page.check("input[name=grade_scale][value=three]")
    page.click("[data-testid=calendar-form] button")
    page.wait_for_load_state()
    assert "工作日历已保存" in page.content()
    assert "本党委已自行设置" in page.inner_text("[data-testid=calendar-source]")
    page.screenshot(path=str(artifacts / "calendar-set.png"), full_page=True)
    row = Calendar.objects.get()
    assert (row.organization, row.review_cadence, row.grade_scale) == (world.town, "half", "three")

    page.click("nav form[action='/logout/'] button")
    page.wait_for_load_state()
    login(page, "secretary")
    page.goto(f"{page.base_url}/reviews/new/?subject=m:{world.member.pk}")
    grades = page.locator("input[name=grade]")
    values = [grades.nth(i).get_attribute("value") for i in range(grades.count())]
    assert values == ["", "good", "average", "poor"]
    assert "中" in page.inner_text("#div_id_grade")
    assert "较好" not in page.inner_text("#div_id_grade")
    half = "上半年" if Quarter.current().quarter <= 2 else "下半年"
    assert f"{timezone.localdate().year}年{half}" in page.inner_text("[data-testid=review-period]")
    # 四定: the problem typed once in 指出问题 is offered to the first item row as it is typed.
    page.fill("textarea[name=problems]", "台账记实不全")
    assert page.input_value("textarea[name=items-0-problem]") == "台账记实不全"
    page.screenshot(path=str(artifacts / "calendar-review-form.png"), full_page=True)
