"""The pages, through the HTTP client: thin views over the services."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from pledges import tallies
from pledges.models import Pledge, Position
from pledges.services.calendar import calendar_set
from reviews.models import Quarter, RectificationItem, Review, SelfEvaluation
from reviews.services import review as review_services
from tests.factories import (
    MemberFactory,
    PledgeFactory,
    UserFactory,
    calendar_content,
    draft_review,
    make_org,
    make_position,
    member_subject,
    org_subject,
    returned_redo,
    review_post,
    signed_review,
    submit_self_evaluation,
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
    assert (
        review.status == "signed" and review.without_self_evaluation and review.items.count() == 2
    )
    detail = client.get(review.get_absolute_url()).content.decode()
    assert "已签认" in detail and "未先报后评" in detail


def test_it_keeps_a_draft_when_signing_fails_and_says_why(rworld, client):
    client.force_login(rworld.branch_leader)
    url = reverse("reviews:review_new") + f"?subject=o:{rworld.branch.pk}"
    response = client.post(url, review_post(mode="collective", sign="1"), follow=True)
    assert "先报后评" in response.content.decode()
    assert Review.objects.get().status == "draft"


def test_it_shows_an_incomplete_rectification_item_row_as_a_form_error(rworld, client):
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
            problems="改过的问题",
            version=review.edit_version,
            **{"items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "1"},
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
        reverse("reviews:review_edit", args=[redo.pk]),
        {**review_post(mode="random", version=redo.edit_version), "sign": ""},
    )
    redo.refresh_from_db()
    assert redo.status == "signed"
    client.post(
        reverse("reviews:review_amend", args=[redo.pk]),
        {
            **review_post(mode="random", grade="average"),
            "reason": "等次更正",
            "version": redo.edit_version,
        },
    )
    redo.refresh_from_db()
    assert redo.grade == "average" and redo.amendments.count() == 1
    assert "点评等次：较好 → 一般" in client.get(redo.get_absolute_url()).content.decode()
    client.post(reverse("reviews:review_publish", args=[redo.pk]), {"scope": "public"})
    redo.refresh_from_db()
    assert redo.status == "published" and redo.scope == "public"


def test_it_closes_a_rectification_item_through_the_pages(rworld, client):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    item = review.items.first()
    client.force_login(rworld.secretary)
    assert item.problem in client.get(reverse("reviews:rectification")).content.decode()
    client.post(
        reverse("reviews:rectification_item_done", args=[item.pk]),
        {"measures_taken": "已补齐", "reply": "请审阅"},
    )
    client.force_login(rworld.branch_leader)
    page = client.get(item.get_absolute_url()).content.decode()
    assert "请审阅" in page and "确认销号" in page
    client.post(reverse("reviews:rectification_item_confirm", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == RectificationItem.Status.CONFIRMED


def test_it_writes_a_self_evaluation_through_the_page(rworld, client):
    PledgeFactory(owner_member=rworld.member, status=Pledge.Status.IN_PROGRESS)
    client.force_login(rworld.member_user)
    assert "自查自评" in client.get(reverse("reviews:my_self_evaluations")).content.decode()
    url = reverse("reviews:self_evaluation_write") + f"?subject=m:{rworld.member.pk}"
    assert "推进中 1 项" in client.get(url).content.decode()
    data = {"highlights": "按期推进", "shortcomings": "走访少", "next_steps": "", "version": 0}
    client.post(url, {**data, "submit": "1"})
    self_evaluation = SelfEvaluation.objects.get()
    assert self_evaluation.status == "submitted" and self_evaluation.pledges_in_progress == 1
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


def test_it_lists_overdue_rectification_items_of_the_subtree_for_the_office(rworld, client):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    review.items.update(deadline=today() - datetime.timedelta(days=2))
    tallies.rebuild([rworld.branch.pk])  # update() sends no signal
    client.force_login(rworld.office)
    page = client.get(reverse("reviews:office", args=[rworld.town.pk])).content.decode()
    assert "逾期未整改事项" in page and "问题1" in page
    client.force_login(rworld.far_office)
    assert client.get(reverse("reviews:office", args=[rworld.far_town.pk])).status_code == 200
    page = client.get(reverse("reviews:office", args=[rworld.far_town.pk])).content.decode()
    assert "问题1" not in page


def test_it_shows_last_quarters_missing_reviews_and_overdue_rectification_items_on_my_reviews(
    rworld, client
):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    review.items.update(deadline=today() - datetime.timedelta(days=1))
    client.force_login(rworld.branch_leader)
    html = client.get(reverse("reviews:my_reviews")).content.decode()
    assert 'data-testid="prev-missing"' in html  # nothing signed for last quarter
    assert 'data-testid="items-overdue"' in html and "2 项已逾期" in html


NO_PROBLEM = Review.ReturnReason.NO_PROBLEM


def test_it_shows_the_returned_version_the_rectification_items_its_redo_carries(
    rworld, signed, client
):
    redo = returned_redo(rworld, signed, [NO_PROBLEM])
    client.force_login(rworld.branch_leader)
    html = client.get(signed.get_absolute_url()).content.decode()
    assert 'data-testid="items-moved"' in html and "问题1" in html and "问题2" in html
    assert redo.get_absolute_url() in html


Q = Quarter.current()


def _post(**extra):
    return review_post(mode="random", **extra)


def test_it_sends_the_reviewer_to_his_draft_instead_of_a_new_form(rworld, client):
    draft = draft_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    client.force_login(rworld.branch_leader)
    url = f"{reverse('reviews:review_new')}?subject=o:{rworld.branch.pk}&q={Q.code}"
    response = client.get(url)
    assert response.url == reverse("reviews:review_edit", args=[draft.pk])
    review_services.review_sign(review=draft, by=rworld.branch_leader)
    assert client.post(url, _post()).url == draft.get_absolute_url()
    assert Review.objects.count() == 1


def test_it_makes_one_review_from_a_double_posted_form(rworld, client):
    client.force_login(rworld.branch_leader)
    url = f"{reverse('reviews:review_new')}?subject=o:{rworld.branch.pk}&q={Q.code}"
    first = client.post(url, {**_post(), "sign": ""})
    second = client.post(url, {**_post(), "sign": ""})
    review = Review.objects.get()
    assert review.status == "signed"
    assert first.url == second.url == review.get_absolute_url()


def test_it_saves_nothing_and_says_so_for_an_incomplete_rectification_item(rworld, client):
    client.force_login(rworld.branch_leader)
    url = f"{reverse('reviews:review_new')}?subject=o:{rworld.branch.pk}&q={Q.code}"
    response = client.post(url, _post(**{"items-0-deadline": ""}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "未保存：请按标红处修改" in html and "四定须填写完整" in html
    assert not Review.objects.exists()


def test_it_refuses_a_stale_amendment_form(rworld, client):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    client.force_login(rworld.branch_leader)
    url = reverse("reviews:review_amend", args=[review.pk])
    seen = review.edit_version
    assert f'name="version" value="{seen}"' in client.get(url).content.decode()
    first = {**_post(grade="average"), "reason": "等次更正", "version": seen}
    client.post(url, first)
    stale = {**_post(direction="改了方向"), "reason": "另一页", "version": seen}
    response = client.post(url, stale, follow=True)
    assert "已被修改" in response.content.decode()
    review.refresh_from_db()
    assert review.grade == "average" and review.amendments.count() == 1


def visible(user, model=Review):
    return set(model.objects.visible_to(user).values_list("pk", flat=True))


def test_it_hides_reviews_from_an_unlinked_leader_and_out_of_scope_office(rworld, client):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    for user in (rworld.far_leader, rworld.far_office, rworld.stranger, rworld.other_secretary):
        assert review.pk not in visible(user)
        client.force_login(user)
        assert client.get(reverse("reviews:review", args=[review.pk])).status_code == 404
    for user in (rworld.office, rworld.leader, rworld.secretary, rworld.town_secretary):
        assert review.pk in visible(user)


@pytest.mark.parametrize(
    "who", ["far_leader", "leader", "office", "stranger", "other_secretary", "member_user"]
)
def test_it_refuses_the_new_review_page_outside_the_relationship(rworld, client, who):
    client.force_login(getattr(rworld, who))
    url = reverse("reviews:review_new") + f"?subject=o:{rworld.branch.pk}"
    assert client.get(url).status_code in (403, 404)


def test_it_refuses_the_office_page_outside_the_office_scope(rworld, client):
    for user in (rworld.far_office, rworld.leader, rworld.secretary, rworld.stranger):
        client.force_login(user)
        assert client.get(reverse("reviews:office", args=[rworld.town.pk])).status_code in (
            403,
            404,
        )
    client.force_login(rworld.office)
    assert client.get(reverse("reviews:office", args=[rworld.town.pk])).status_code == 200


def test_it_refuses_rectification_item_actions_by_post_outside_scope(rworld, client):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    item = review.items.first()
    client.force_login(rworld.far_leader)
    url = reverse("reviews:rectification_item_confirm", args=[item.pk])
    assert client.post(url).status_code == 404
    client.force_login(rworld.leader)
    assert client.post(url).status_code == 403
    item.refresh_from_db()
    assert item.status == "open"


def test_it_refuses_self_evaluation_and_letter_pages_outside_scope(rworld, client):
    self_evaluation = submit_self_evaluation(org_subject(rworld.branch), rworld.secretary)
    client.force_login(rworld.other_secretary)
    write = reverse("reviews:self_evaluation_write") + f"?subject=o:{rworld.branch.pk}"
    assert client.get(write).status_code == 404
    assert client.get(reverse("reviews:letter_new", args=[rworld.member.pk])).status_code == 404
    assert (
        client.get(reverse("reviews:self_evaluation_detail", args=[self_evaluation.pk])).status_code
        == 404
    )
    client.force_login(rworld.far_office)
    assert (
        client.get(reverse("reviews:self_evaluation_detail", args=[self_evaluation.pk])).status_code
        == 404
    )
    client.force_login(rworld.office)
    assert (
        client.get(reverse("reviews:self_evaluation_detail", args=[self_evaluation.pk])).status_code
        == 200
    )


PAGES = [
    # +1 each: the year's calendars (grade words, periods), once per request.
    ("secretary", "/reviews/{review}/", 13),
    ("secretary", "/reviews/my/", 12),
    ("office", "/reviews/office/{town}/", 20),
    ("office", "/reviews/office/{town}/?kind=member", 20),
]


@pytest.mark.parametrize("rows", [1, 4])
@pytest.mark.parametrize(("who", "url", "queries"), PAGES)
def test_it_reads_each_page_in_a_fixed_number_of_queries(
    assert_page_queries, who, url, queries, rows
):
    assert_page_queries(who, url, queries, rows)


@pytest.mark.parametrize(
    "move", ["review_sign", "review_delete", "review_redo", "review_publish", "review_return"]
)
@pytest.mark.parametrize("who", ["stranger", "far_office", "other_secretary"])
def test_it_refuses_a_stranger_every_review_move(rworld, client, signed, move, who):
    client.force_login(getattr(rworld, who))
    data = {"scope": "public", "reasons": ["no_problem"]}
    assert client.post(reverse(f"reviews:{move}", args=[signed.pk]), data).status_code == 404
    signed.refresh_from_db()
    assert signed.status == Review.Status.SIGNED and Review.objects.count() == 1


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


# (move, the state it starts from, the state after it, who makes it, what the form posts)
REVIEW_MOVES = [
    ("review_sign", "draft", "signed", "branch_leader", {}),
    ("review_delete", "draft", None, "branch_leader", {}),
    ("review_publish", "signed", "published", "branch_leader", {"scope": "public"}),
    ("review_return", "signed", "returned", "office", {"reasons": ["no_measure"]}),
]


@pytest.mark.parametrize(("move", "start", "end", "who", "data"), REVIEW_MOVES)
def test_it_refuses_the_second_of_two_sessions_making_the_same_review_move(
    rworld, move, start, end, who, data
):
    make = draft_review if start == "draft" else signed_review
    review = make(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    url = reverse(f"reviews:{move}", args=[review.pk])
    a, b = Client(), Client()
    a.force_login(getattr(rworld, who))
    b.force_login(getattr(rworld, who))
    a.post(url, data)
    after_a = list(Review.objects.values_list("pk", "status", "edit_version"))
    second = b.post(url, data, follow=True)
    assert second.status_code == 404 or "alert-danger" in second.content.decode()
    assert list(Review.objects.values_list("pk", "status", "edit_version")) == after_a
    if end is None:
        assert not Review.objects.filter(pk=review.pk).exists()
    else:
        review.refresh_from_db()
        assert review.status == end


def test_it_refuses_the_office_home_to_a_stranger(rworld, client):
    client.force_login(rworld.branch_leader)
    assert client.get(reverse("reviews:office_home")).status_code == 403


# --- 四定 in full: the item rows of the review form ------------------------------------------


def test_it_offers_the_problem_written_in_the_review_to_an_item_left_blank(rworld, client):
    client.force_login(rworld.branch_leader)
    url = reverse("reviews:review_new") + f"?subject=o:{rworld.branch.pk}"
    data = review_post(problems="台账不全")
    data["items-0-problem"] = ""  # typed once, in 指出问题
    data.update({"items-1-problem": "", "items-1-target": "", "items-1-measures": ""})
    data.update({"items-1-responsible": "", "items-1-deadline": ""})
    client.post(url, data)
    item = RectificationItem.objects.get()
    assert item.problem == "台账不全" and item.target == "台账齐全"


def test_it_offers_each_numbered_problem_to_its_own_item_row(rworld, client):
    client.force_login(rworld.branch_leader)
    url = reverse("reviews:review_new") + f"?subject=o:{rworld.branch.pk}"
    data = review_post(problems="1. 台账不全\n2. 走访少")
    data.update({"items-0-problem": "", "items-1-problem": ""})
    client.post(url, data)
    assert list(RectificationItem.objects.order_by("id").values_list("problem", flat=True)) == [
        "台账不全",
        "走访少",
    ]


def test_it_preselects_the_member_as_responsible_and_lists_his_branch(rworld, client):
    MemberFactory(name="王五", organization=rworld.branch)
    MemberFactory(name="外支部", organization=rworld.other_branch)
    client.force_login(rworld.secretary)
    page = client.get(reverse("reviews:review_new") + f"?subject=m:{rworld.member.pk}")
    html = page.content.decode()
    assert f'<option value="{rworld.member.pk}" selected>张三</option>' in html
    assert "王五" in html and "外支部" not in html and "组织外人员（填写下栏）" in html


def test_it_links_the_responsible_member_picked_from_the_roll(rworld, client):
    wang = MemberFactory(name="王五", organization=rworld.branch)
    client.force_login(rworld.branch_leader)
    url = reverse("reviews:review_new") + f"?subject=o:{rworld.branch.pk}"
    data = review_post(**{"items-0-responsible": "", "items-0-responsible_member": str(wang.pk)})
    client.post(url, data)
    first, second = RectificationItem.objects.order_by("id")
    assert (first.responsible, first.responsible_member) == ("王五", wang)
    assert (second.responsible, second.responsible_member) == ("王书记", None)  # an outsider


def test_it_refuses_both_a_picked_member_and_an_outsider_on_one_row(rworld, client):
    client.force_login(rworld.branch_leader)
    url = reverse("reviews:review_new") + f"?subject=o:{rworld.branch.pk}"
    data = review_post(**{"items-0-responsible_member": str(rworld.member.pk)})
    response = client.post(url, data)
    assert "组织外责任人请留空" in response.content.decode()
    assert not Review.objects.exists()


def test_it_asks_for_the_target_of_an_item(rworld, client):
    client.force_login(rworld.branch_leader)
    url = reverse("reviews:review_new") + f"?subject=o:{rworld.branch.pk}"
    response = client.post(url, review_post(**{"items-0-target": ""}))
    assert response.status_code == 200 and "四定须填写完整" in response.content.decode()
    assert not Review.objects.exists()


@pytest.mark.parametrize("members", [1, 12])
def test_it_reads_the_review_form_in_a_fixed_number_of_queries(
    rworld, client, django_assert_num_queries, members
):
    for _n in range(members):
        MemberFactory(organization=rworld.branch)
    client.force_login(rworld.secretary)
    url = reverse("reviews:review_new") + f"?subject=m:{rworld.member.pk}"
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200


def test_it_offers_the_grades_of_the_committee_s_scale_and_names_the_half(rworld, client):
    calendar_set(
        organization=rworld.town,
        year=today().year,
        content=calendar_content(),
        version=0,
        by=rworld.office,
    )
    client.force_login(rworld.secretary)
    page = client.get(reverse("reviews:review_new") + f"?subject=m:{rworld.member.pk}")
    html = page.content.decode()
    assert 'value="average"' in html
    assert 'value="fairly_good"' not in html
    half = "上半年" if Quarter.current().quarter <= 2 else "下半年"
    assert f"{today().year}年{half}" in html
