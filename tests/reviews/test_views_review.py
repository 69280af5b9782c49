"""The pages, through the HTTP client: thin views over the services."""

import datetime

from django.urls import reverse

from pledges.models import Pledge, Position
from reviews.models import RectificationItem, Review, SelfEvaluation
from tests.factories import (
    MemberFactory,
    PledgeFactory,
    UserFactory,
    make_org,
    make_position,
    member_subject,
    org_subject,
    review_post,
    signed_review,
    today,
)

IN_A_MONTH = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()


def test_it_writes_and_signs_a_review_from_my_reviews(rworld, client):
    client.force_login(rworld.branch_leader)
    page = client.get(reverse("reviews:my_reviews")).content.decode()
    assert rworld.branch.name in page and "写点评" in page
    url = reverse("reviews:review_new") + f"?subject=o:{rworld.branch.pk}"
    form = client.get(url).content.decode()
    assert "领导班子好" in form and "服务居民" in form  # 五个好 + the community field
    response = client.post(url, review_post(sign="1"))
    review = Review.objects.get()
    assert response.status_code == 302 and response.url == review.get_absolute_url()
    assert review.status == "signed" and review.without_report and review.items.count() == 2
    detail = client.get(review.get_absolute_url()).content.decode()
    assert "已签认" in detail and "未先报后评" in detail


def test_it_keeps_a_draft_when_signing_fails_and_says_why(rworld, client):
    client.force_login(rworld.branch_leader)
    url = reverse("reviews:review_new") + f"?subject=o:{rworld.branch.pk}"
    response = client.post(url, review_post(mode="collective", sign="1"), follow=True)
    assert "先报后评" in response.content.decode()
    assert Review.objects.get().status == "draft"


def test_it_shows_an_incomplete_item_row_as_a_form_error(rworld, client):
    client.force_login(rworld.branch_leader)
    url = reverse("reviews:review_new") + f"?subject=o:{rworld.branch.pk}"
    response = client.post(url, review_post(**{"items-2-problem": "只写了问题"}))
    assert response.status_code == 200 and "四定须填写完整" in response.content.decode()
    assert not Review.objects.exists()


def test_it_edits_a_draft_then_shows_member_prompts(rworld, client):
    client.force_login(rworld.secretary)
    url = reverse("reviews:review_new") + f"?subject=m:{rworld.member.pk}"
    assert "带头服务群众" in client.get(url).content.decode()
    client.post(url, review_post())
    review = Review.objects.get()
    edit = reverse("reviews:review_edit", args=[review.pk])
    assert "补齐台账" in client.get(edit).content.decode()
    client.post(
        edit,
        review_post(
            problems="改过的问题", **{"items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "1"}
        ),
    )
    review.refresh_from_db()
    assert review.problems == "改过的问题" and review.items.count() == 1


def test_it_runs_the_spot_check_redo_and_amend_pages(rworld, client):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    client.force_login(rworld.office)
    office_page = client.get(reverse("reviews:office", args=[rworld.town.pk]))
    assert "三不过关" in office_page.content.decode()
    assert "退回重新点评" in client.get(review.get_absolute_url()).content.decode()
    client.post(reverse("reviews:review_return", args=[review.pk]), {"reasons": ["no_measure"]})
    review.refresh_from_db()
    assert review.status == "returned"
    client.force_login(rworld.branch_leader)
    response = client.post(reverse("reviews:review_redo", args=[review.pk]))
    redo = Review.objects.get(redo_of=review)
    assert response.url == reverse("reviews:review_edit", args=[redo.pk])
    client.post(reverse("reviews:review_sign", args=[redo.pk]))
    redo.refresh_from_db()
    assert redo.status == "draft"  # unchanged: the redo must answer the return
    client.post(
        reverse("reviews:review_edit", args=[redo.pk]), {**review_post(mode="random"), "sign": ""}
    )
    redo.refresh_from_db()
    assert redo.status == "signed"
    client.post(
        reverse("reviews:review_amend", args=[redo.pk]),
        {**review_post(mode="random", grade="average"), "reason": "等次更正"},
    )
    redo.refresh_from_db()
    assert redo.grade == "average" and redo.amendments.count() == 1
    assert "点评等次：较好 → 一般" in client.get(redo.get_absolute_url()).content.decode()
    client.post(reverse("reviews:review_publish", args=[redo.pk]), {"scope": "public"})
    redo.refresh_from_db()
    assert redo.status == "published" and redo.scope == "public"


def test_it_closes_an_item_through_the_pages(rworld, client):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    item = review.items.first()
    client.force_login(rworld.secretary)
    assert item.problem in client.get(reverse("reviews:rectification")).content.decode()
    client.post(
        reverse("reviews:item_done", args=[item.pk]),
        {"measures_taken": "已补齐", "reply": "请审阅"},
    )
    client.force_login(rworld.branch_leader)
    page = client.get(item.get_absolute_url()).content.decode()
    assert "请审阅" in page and "确认销号" in page
    client.post(reverse("reviews:item_confirm", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == RectificationItem.Status.CONFIRMED


def test_it_writes_a_report_through_the_page(rworld, client):
    PledgeFactory(owner_member=rworld.member, status=Pledge.Status.IN_PROGRESS)
    client.force_login(rworld.member_user)
    assert "自查自评" in client.get(reverse("reviews:my_reports")).content.decode()
    url = reverse("reviews:report_write") + f"?subject=m:{rworld.member.pk}"
    assert "推进中 1 项" in client.get(url).content.decode()
    data = {"highlights": "按期推进", "shortcomings": "走访少", "next_steps": ""}
    client.post(url, {**data, "submit": "1"})
    report = SelfEvaluation.objects.get()
    assert report.status == "submitted" and report.pledges_in_progress == 1
    client.force_login(rworld.secretary)
    form = client.get(reverse("reviews:review_new") + f"?subject=m:{rworld.member.pk}")
    assert "按期推进" in form.content.decode()  # the report beside the review form


def test_it_issues_a_letter_through_the_pages(rworld, client):
    PledgeFactory(owner_member=rworld.member, status=Pledge.Status.UNFULFILLED)
    client.force_login(rworld.secretary)
    assert "发建议书" in client.get(reverse("reviews:letters")).content.decode()
    response = client.post(
        reverse("reviews:letter_new", args=[rworld.member.pk]),
        {"reason": "unfulfilled", "problems": "未兑现", "measures": "补办", "deadline": IN_A_MONTH},
    )
    assert response.status_code == 302


def test_it_shows_the_navigation_by_role(rworld, client):
    client.force_login(rworld.branch_leader)
    html = client.get(reverse("reviews:my_reviews")).content.decode()
    assert "我的点评" in html and "点评抽查" not in html
    client.force_login(rworld.office)
    html = client.get(reverse("reviews:rectification")).content.decode()
    assert "点评抽查" in html and "我的点评" not in html
    assert client.get(reverse("reviews:office_home")).url == reverse(
        "reviews:office", args=[rworld.town.pk]
    )


def test_it_rejects_a_malformed_subject_or_quarter_gently(rworld, client):
    client.force_login(rworld.branch_leader)
    assert client.get(reverse("reviews:review_new") + "?subject=x:1").status_code == 404
    assert client.get(reverse("reviews:my_reviews") + "?q=2026Q9").status_code == 200
    assert member_subject(rworld.member).key.startswith("m:")


def test_it_lists_overdue_items_of_the_subtree_for_the_office(rworld, client):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    review.items.update(deadline=today() - datetime.timedelta(days=2))
    client.force_login(rworld.office)
    page = client.get(reverse("reviews:office", args=[rworld.town.pk])).content.decode()
    assert "逾期未整改事项" in page and "问题1" in page
    client.force_login(rworld.far_office)
    assert client.get(reverse("reviews:office", args=[rworld.far_town.pk])).status_code == 200
    page = client.get(reverse("reviews:office", args=[rworld.far_town.pk])).content.decode()
    assert "问题1" not in page


def test_it_shows_last_quarters_missing_reviews_and_overdue_items_on_my_reviews(rworld, client):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    review.items.update(deadline=today() - datetime.timedelta(days=1))
    client.force_login(rworld.branch_leader)
    html = client.get(reverse("reviews:my_reviews")).content.decode()
    assert 'data-testid="prev-missing"' in html  # nothing signed for last quarter
    assert 'data-testid="items-overdue"' in html and "2 项已逾期" in html


def test_it_pages_my_reviews_and_counts_them_all(db, client):
    branch = make_org("大支部", make_org("大县委", level="committee"))
    secretary = UserFactory()
    make_position(secretary, branch, Position.Kind.SECRETARY)
    MemberFactory.create_batch(35, organization=branch)
    client.force_login(secretary)
    first = client.get(reverse("reviews:my_reviews")).content.decode()
    second = client.get(reverse("reviews:my_reviews") + "?page=2").content.decode()
    assert first.count('data-testid="owed-row"') == 30
    assert second.count('data-testid="owed-row"') == 5
    assert "应点评 35 个对象" in first
