"""Pages of inspections: the list, opening a round, the pre-filled page, the checklist, a notice
and its moves."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviews.models import InspectionNotice, InspectionRound, InspectionTarget
from reviews.services import inspection as services
from tests.factories import (
    MemberFactory,
    PledgeFactory,
    issue_inspection_notice,
    make_org,
    open_inspection,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def many(world):
    """`many(n)`: n more branches under the town, each with a member and a pledge, the town's
    half-yearly check with a notice to each; returns the ids to fill in page addresses."""

    def fill(n: int) -> dict[str, int]:
        for i in range(n):
            branch = make_org(f"新支部{i}", world.town)
            member = MemberFactory(organization=branch)
            PledgeFactory(owner_member=member, year=timezone.localdate().year)
        inspection = open_inspection(world.office, world.town)
        notice = None
        for target in inspection.targets.all():
            notice = issue_inspection_notice(world.office, target)
        target = inspection.targets.get(organization=world.branch)
        return {
            "round": inspection.pk,
            "target": target.pk,
            "notice": target.notices.get().pk,
            "last": notice.pk,
            "town": world.town.pk,
        }

    return fill


PAGES = [
    ("office", "/reviews/inspections/", 9),
    ("secretary", "/reviews/inspections/", 7),
    ("office", "/reviews/inspections/new/{town}/", 5),
    ("office", "/reviews/inspections/{round}/", 15),
    ("office", "/reviews/inspections/{round}/checklist/", 5),
    ("office", "/reviews/inspections/targets/{target}/notice/", 12),
    ("office", "/reviews/inspections/notices/{notice}/", 7),
    ("secretary", "/reviews/inspections/notices/{notice}/", 7),
]


@pytest.mark.parametrize("rows", [1, 5])
@pytest.mark.parametrize(("who", "url", "queries"), PAGES)
def test_it_reads_each_page_in_a_fixed_number_of_queries(
    world, client, many, django_assert_num_queries, who, url, queries, rows
):
    url = url.format(**many(rows))
    client.force_login(getattr(world, who))
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 5])
@pytest.mark.parametrize(
    ("url", "queries"),
    [("/reviews/inspections/", 9), ("/reviews/inspections/{round}/", 15)],
)
def test_it_reads_a_closed_round_s_pages_in_the_same_number_of_queries(
    world, client, many, django_assert_num_queries, url, queries, rows
):
    ids = many(rows)  # every branch has a notice, so every one is checked
    inspection = InspectionRound.objects.get(pk=ids["round"])
    services.inspection_round_close(
        inspection=inspection, by=world.office, version=inspection.edit_version
    )
    client.force_login(world.office)
    with django_assert_num_queries(queries):
        response = client.get(url.format(**ids))
    assert "已结束" in response.content.decode()


def test_it_shows_the_pre_filled_checklist_of_each_branch(inspected, client):
    client.force_login(inspected.office)
    page = client.get(reverse("reviews:inspection", args=[inspected.inspection.pk]))
    text = page.content.decode()
    assert "东街社区党支部" in text and "西街社区党支部" in text
    assert "已亮诺 0 / 0 项" in text and "参评 0 人" in text
    assert inspected.inspection_notice.number in text


@pytest.mark.parametrize("who", ["stranger", "far_office", "other_secretary", "member_user"])
def test_it_hides_a_round_from_a_stranger(inspected, client, who):
    client.force_login(getattr(inspected, who))
    assert (
        client.get(reverse("reviews:inspection", args=[inspected.inspection.pk])).status_code == 404
    )
    response = client.post(
        reverse("reviews:inspection_target_check", args=[inspected.target.pk]),
        {"item": ["pledges_public"], "version": "1"},
    )
    assert response.status_code == 404


def test_it_refuses_the_round_page_to_a_leader_who_sees_it(inspected, client):
    client.force_login(inspected.leader)
    assert (
        client.get(reverse("reviews:inspection", args=[inspected.inspection.pk])).status_code == 403
    )


@pytest.mark.parametrize(
    "move", ["inspection_notice_answer", "inspection_notice_pass", "inspection_notice_return"]
)
@pytest.mark.parametrize("who", ["stranger", "far_office", "other_secretary", "member_user"])
def test_it_refuses_a_stranger_every_notice_move(inspected, client, move, who):
    notice = inspected.inspection_notice
    client.force_login(getattr(inspected, who))
    response = client.post(
        reverse(f"reviews:{move}", args=[notice.pk]), {"answer": "已整改", "remark": "好"}
    )
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.status == InspectionNotice.Status.ISSUED and notice.answer == ""


def test_it_opens_a_spot_check_from_the_form(world, client):
    for i in range(4):
        make_org(f"抽查支部{i}", world.town)
    client.force_login(world.office)
    today = timezone.localdate()
    response = client.post(
        reverse("reviews:inspection_new", args=[world.town.pk]),
        {"kind": "spot", "year": today.year, "half": 2, "sample_size": 2, "title": ""},
    )
    inspection = InspectionRound.objects.get()
    assert response.status_code == 302 and response["Location"] == inspection.get_absolute_url()
    assert inspection.targets.count() == 2 and inspection.seed is not None


def test_it_refuses_the_second_of_two_sessions_opening_the_same_half_yearly_check(world):
    a, b = Client(), Client()
    a.force_login(world.office)
    b.force_login(world.office)
    url = reverse("reviews:inspection_new", args=[world.town.pk])
    form = {"kind": "regular", "year": timezone.localdate().year, "half": 1}
    assert a.post(url, form).status_code == 302
    second = b.post(url, form, follow=True)
    assert "已经发起" in second.content.decode()
    assert InspectionRound.objects.count() == 1


def test_it_refuses_a_stale_checklist_edit_from_a_second_session(world):
    inspection = open_inspection(world.office, world.town)
    a, b = Client(), Client()
    a.force_login(world.office)
    b.force_login(world.office)
    url = reverse("reviews:inspection_checklist", args=[inspection.pk])
    version = str(inspection.edit_version)
    assert (
        a.post(url, {"keys": ["pledges_public"], "extra": "甲", "version": version}).status_code
        == 302
    )
    second = b.post(url, {"keys": ["ledger_kept"], "extra": "乙", "version": version})
    assert "已被修改" in second.content.decode()
    inspection.refresh_from_db()
    assert [i["label"] for i in inspection.checklist] == ["承诺是否公开", "甲"]


def test_it_refuses_a_stale_result_from_a_second_session(inspected):
    w = inspected
    target = w.other_target
    a, b = Client(), Client()
    a.force_login(w.office)
    b.force_login(w.office)
    url = reverse("reviews:inspection_target_check", args=[target.pk])
    version = str(target.edit_version)
    keys = [i["key"] for i in w.inspection.checklist]
    a.post(url, {"item": keys, "remark": "甲：合格", "version": version})
    second = b.post(url, {"item": keys[:1], "remark": "乙", "version": version}, follow=True)
    assert "已被修改" in second.content.decode()
    target.refresh_from_db()
    assert target.status == InspectionTarget.Status.PASSED and target.remark == "甲：合格"


def test_it_pre_fills_a_notice_with_the_unmet_items(inspected, client):
    w = inspected
    client.force_login(w.office)
    page = client.get(reverse("reviews:inspection_notice_new", args=[w.other_target.pk]))
    text = page.content.decode()
    assert "承诺是否公开（已亮诺 0 / 0 项）" in text


@pytest.mark.parametrize("move", ["new", "answer", "pass", "return"])
def test_it_refuses_the_second_of_two_sessions_making_the_same_notice_move(inspected, move):
    """Two sessions make the same move; the first is saved, the second is refused with a
    message and changes nothing the first saved."""
    w = inspected
    notice = w.inspection_notice
    deadline = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    if move == "new":
        who, url = w.office, reverse("reviews:inspection_notice_new", args=[w.other_target.pk])
        form = {"problems": "台账不规范", "requirements": "补齐", "deadline": deadline}
    elif move == "answer":
        who, url = w.secretary, reverse("reviews:inspection_notice_answer", args=[notice.pk])
        form = {"answer": "已整改"}
    else:
        services.inspection_notice_answer(notice=notice, by=w.secretary, answer="已整改")
        who = w.office
        url = reverse(f"reviews:inspection_notice_{move}", args=[notice.pk])
        form = {"remark": "复验意见", "deadline": deadline}
    a, b = Client(), Client()
    a.force_login(who)
    b.force_login(who)
    fields = ("pk", "status", "edit_version", "answer", "recheck_remark")
    assert a.post(url, form).status_code == 302
    after_a = list(InspectionNotice.objects.order_by("pk").values_list(*fields))
    second = b.post(url, form, follow=True)
    assert "alert-danger" in second.content.decode()
    assert list(InspectionNotice.objects.order_by("pk").values_list(*fields)) == after_a


def test_it_takes_an_answer_with_evidence_and_serves_the_file(inspected, client):
    w = inspected
    notice = w.inspection_notice
    client.force_login(w.secretary)
    upload = SimpleUploadedFile("照片.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("reviews:inspection_notice_answer", args=[notice.pk]),
        {"answer": "已补充公开", "files": [upload]},
    )
    assert response.status_code == 302
    evidence = notice.evidence.get()
    client.force_login(w.office)
    download = client.get(reverse("reviews:inspection_evidence", args=[evidence.pk]))
    assert download.status_code == 200
    client.force_login(w.other_secretary)
    assert client.get(reverse("reviews:inspection_evidence", args=[evidence.pk])).status_code == 404


def test_it_refuses_nul_bytes_and_overlong_text_with_a_message(inspected, client):
    w = inspected
    client.force_login(w.secretary)
    url = reverse("reviews:inspection_notice_answer", args=[w.inspection_notice.pk])
    # A NUL byte is refused before the view (core.bad_request): 400, never a 500.
    assert client.post(url, {"answer": "已整改\x00"}).status_code == 400
    response = client.post(url, {"answer": "长" * 5000}, follow=True)
    assert response.status_code == 200 and "alert-danger" in response.content.decode()
    w.inspection_notice.refresh_from_db()
    assert w.inspection_notice.status == InspectionNotice.Status.ISSUED


def _check_all(inspection, office):
    for target in inspection.targets.filter(status=InspectionTarget.Status.PENDING):
        services.inspection_target_check(
            target=target, by=office, answers={}, version=target.edit_version
        )


def test_it_closes_a_round_from_its_page(inspected, client):
    w = inspected
    _check_all(w.inspection, w.office)
    client.force_login(w.office)
    url = reverse("reviews:inspection", args=[w.inspection.pk])
    assert 'data-testid="inspection-close"' in client.get(url).content.decode()
    response = client.post(
        reverse("reviews:inspection_close", args=[w.inspection.pk]),
        {"version": str(w.inspection.edit_version)},
    )
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode()
    assert "检查已结束：" in page and "已下达的整改通知书继续整改、复验" in page
    assert 'data-testid="inspection-close"' not in page and "确认检查结果" not in page
    listing = client.get(reverse("reviews:inspections")).content.decode()
    assert '<span class="badge bg-secondary">已结束</span>' in listing
    w.inspection.refresh_from_db()
    assert w.inspection.status == InspectionRound.Status.CLOSED


def test_it_says_which_branches_keep_a_round_open(inspected, client):
    client.force_login(inspected.office)
    response = client.post(
        reverse("reviews:inspection_close", args=[inspected.inspection.pk]),
        {"version": str(inspected.inspection.edit_version)},
        follow=True,
    )
    assert "还有 1 个党支部未检查（西街社区党支部）" in response.content.decode()
    inspected.inspection.refresh_from_db()
    assert inspected.inspection.status == InspectionRound.Status.OPEN


@pytest.mark.parametrize(
    ("who", "code"),
    [("stranger", 404), ("far_office", 404), ("other_secretary", 404), ("leader", 403)],
)
def test_it_refuses_a_stranger_the_close(inspected, client, who, code):
    _check_all(inspected.inspection, inspected.office)
    client.force_login(getattr(inspected, who))
    response = client.post(
        reverse("reviews:inspection_close", args=[inspected.inspection.pk]),
        {"version": str(inspected.inspection.edit_version)},
    )
    assert response.status_code == code
    inspected.inspection.refresh_from_db()
    assert inspected.inspection.status == InspectionRound.Status.OPEN


def test_it_answers_a_get_of_the_close_with_405(inspected, client):
    client.force_login(inspected.office)
    url = reverse("reviews:inspection_close", args=[inspected.inspection.pk])
    assert client.get(url).status_code == 405


def test_it_refuses_the_second_of_two_sessions_closing_the_round(inspected):
    w = inspected
    _check_all(w.inspection, w.office)
    a, b = Client(), Client()
    a.force_login(w.office)
    b.force_login(w.office)
    url = reverse("reviews:inspection_close", args=[w.inspection.pk])
    form = {"version": str(w.inspection.edit_version)}
    assert a.post(url, form).status_code == 302
    w.inspection.refresh_from_db()
    closed = (w.inspection.closed_by_id, w.inspection.closed_at, w.inspection.edit_version)
    second = b.post(url, form, follow=True)
    assert "检查已结束" in second.content.decode() and "alert-danger" in second.content.decode()
    w.inspection.refresh_from_db()
    assert (w.inspection.closed_by_id, w.inspection.closed_at, w.inspection.edit_version) == closed


def test_it_sends_a_closed_rounds_forms_back_to_the_round(inspected, client):
    """The notice and checklist forms of a closed round would be refused on save: say so first."""
    w = inspected
    _check_all(w.inspection, w.office)
    services.inspection_round_close(
        inspection=w.inspection, by=w.office, version=w.inspection.edit_version
    )
    client.force_login(w.office)
    round_url = reverse("reviews:inspection", args=[w.inspection.pk])
    for url, said in (
        (
            reverse("reviews:inspection_notice_new", args=[w.other_target.pk]),
            "不能再下达整改通知书",
        ),
        (reverse("reviews:inspection_checklist", args=[w.inspection.pk]), "检查清单不能再修改"),
    ):
        response = client.get(url, follow=True)
        assert response.redirect_chain == [(round_url, 302)]
        assert said in response.content.decode()
