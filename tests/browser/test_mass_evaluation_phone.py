"""An evaluator scans a slip and rates the branch and its members on a phone, without logging in."""

import datetime
import re

from django.utils import timezone

from reviews.models import EvaluationCode, EvaluationResponse, MemberRating, Satisfaction
from reviews.services import mass_evaluation as mass_evaluation_services
from tests.browser.pages import login
from tests.factories import MemberFactory


def test_it_lets_an_evaluator_submit_with_a_code_on_a_phone(phone_page, world, artifacts):
    page = phone_page
    wang = MemberFactory(name="王五", organization=world.branch)
    today = timezone.localdate()
    evaluation = mass_evaluation_services.mass_evaluation_open(
        by=world.secretary,
        organization=world.branch,
        year=today.year,
        half=1 if today.month <= 6 else 2,
        ends_on=today + datetime.timedelta(days=7),
        members=[world.member, wang],
    )
    [code] = mass_evaluation_services.mass_evaluation_codes_issue(
        by=world.secretary, evaluation=evaluation, count=1
    )

    # Typed by hand from the slip, in lower case.
    page.goto(f"{page.base_url}/reviews/e/")
    page.fill("input[name=code]", code.code.lower())
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "东街社区党支部" in page.content()
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # Submitting without rating the members is refused with a clear message, nothing stored.
    page.click("label:has(input[name=rating][value=satisfied])")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "请对该党员作出评价" in page.content()
    assert page.is_visible("[data-testid=unrated-summary]")
    # Rating one member leaves the other one (and the summary) marked.
    page.click(f"label:has(input[name=m{world.member.pk}][value=basic])")
    assert page.is_visible(f"fieldset:has(input[name=m{wang.pk}]) [data-testid=rating-error]")
    assert not page.is_visible(
        f"fieldset:has(input[name=m{world.member.pk}]) [data-testid=rating-error]"
    )
    assert page.is_visible("[data-testid=unrated-summary]")
    assert EvaluationResponse.objects.count() == 0

    page.click("label:has(input[name=rating][value=satisfied])")
    page.click(f"label:has(input[name=m{world.member.pk}][value=basic])")
    page.click(f"label:has(input[name=m{wang.pk}][value=unsatisfied])")
    page.fill("textarea[name=opinion]", "希望多组织便民服务")
    # Once chosen, no item still reads like an error.
    assert not any(e.is_visible() for e in page.query_selector_all("[data-testid=rating-error]"))
    assert not page.is_visible("[data-testid=unrated-summary]")
    page.screenshot(path=str(artifacts / "mass-evaluation-phone-form.png"), full_page=True)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=evaluation-done]")
    page.screenshot(path=str(artifacts / "mass-evaluation-phone-done.png"), full_page=True)

    response = EvaluationResponse.objects.get()
    assert (response.rating, response.opinion) == (Satisfaction.SATISFIED, "希望多组织便民服务")
    ratings = dict(MemberRating.objects.values_list("member__name", "rating"))
    assert ratings == {"张三": Satisfaction.BASIC, "王五": Satisfaction.UNSATISFIED}
    assert EvaluationCode.objects.get().used_at is not None

    # The same slip a second time is refused.
    page.goto(f"{page.base_url}/reviews/e/{code.code}/")
    assert "已经使用过" in page.inner_text("[data-testid=refused]")


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_it_prints_twelve_slips_on_an_a4_sheet(page, world):
    today = timezone.localdate()
    evaluation = mass_evaluation_services.mass_evaluation_open(
        by=world.secretary,
        organization=world.branch,
        year=today.year,
        half=1 if today.month <= 6 else 2,
        ends_on=today + datetime.timedelta(days=7),
    )
    mass_evaluation_services.mass_evaluation_codes_issue(
        by=world.secretary, evaluation=evaluation, count=12
    )
    login(page, world.secretary.username)
    url = f"{page.base_url}/reviews/evaluations/{evaluation.pk}/slips/"
    page.goto(url)
    page.emulate_media(media="print")
    assert _pdf_pages(page.pdf(format="A4", print_background=True)) == 1
    mass_evaluation_services.mass_evaluation_codes_issue(
        by=world.secretary, evaluation=evaluation, count=1
    )
    page.goto(url)
    assert _pdf_pages(page.pdf(format="A4", print_background=True)) == 2
