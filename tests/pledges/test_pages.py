"""The pledge book's pages through the HTTP client: entry, bulk, progress, close, query counts."""

import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pledges.models import Member, Pledge
from tests.factories import MemberFactory
from tests.pledges.helpers import TODAY, pledge_in
from tests.pledges.test_access import PNG

S = Pledge.Status


def entry_post(rows, submit=False, year=None):
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": "0",
        "year": str(year or TODAY().year),
        "half": "0",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{i}-{key}"] = value
    if submit:
        data["submit"] = "1"
    return data


def row(title="修缮村道", kind="practical"):
    deadline = (TODAY() + datetime.timedelta(days=30)).isoformat()
    return {
        "kind": kind,
        "title": title,
        "measures": "筹集资金，组织施工",
        "deadline": deadline,
        "expected_result": "群众出行方便",
    }


def test_it_enters_all_of_a_members_items_on_one_page(world, client):
    client.force_login(world.secretary)
    url = f"/org/{world.branch.pk}/entry/{world.member.pk}/"
    assert client.get(url).status_code == 200
    rows = [row("事项一"), row("事项二"), row("改正急躁作风", "fault"), {"kind": "practical"}]
    response = client.post(url, entry_post(rows, submit=True))
    assert response.status_code == 302
    pledges = Pledge.objects.filter(owner_member=world.member)
    assert sorted(pledges.values_list("title", flat=True)) == ["事项一", "事项二", "改正急躁作风"]
    assert set(pledges.values_list("status", flat=True)) == {S.SUBMITTED}


def test_it_refuses_a_half_filled_row_and_writes_nothing(world, client):
    client.force_login(world.secretary)
    url = f"/org/{world.branch.pk}/entry/{world.member.pk}/"
    bad = row("事项二")
    bad["deadline"] = "明年"
    response = client.post(
        url, entry_post([row("事项一"), bad, {"kind": "fault", "title": "缺点"}])
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "请填写践诺措施" in body
    assert "有效的日期" in body or "日期" in body
    assert Pledge.objects.count() == 0


def test_it_prefills_the_entry_page_with_existing_drafts(world, client):
    draft = pledge_in("draft", world, title="已有草稿")
    client.force_login(world.member_user)
    response = client.get(f"/org/{world.branch.pk}/entry/{world.member.pk}/")
    assert "已有草稿" in response.content.decode()
    data = entry_post(
        [{**row("改过的草稿"), "pledge_id": str(draft.pk), "version": str(draft.version)}]
    )
    client.post(f"/org/{world.branch.pk}/entry/{world.member.pk}/", data)
    draft.refresh_from_db()
    assert draft.title == "改过的草稿"
    assert Pledge.objects.count() == 1


def test_it_approves_and_returns_in_bulk(world, client):
    first, second = pledge_in("submitted", world), pledge_in("submitted", world)
    client.force_login(world.secretary)
    url = f"/org/{world.branch.pk}/bulk/"
    client.post(url, {"action": "approve", "pledges": [first.pk]})
    client.post(url, {"action": "return", "pledges": [second.pk], "reason": "措施太笼统"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (S.APPROVED, S.RETURNED)
    assert second.return_reason == "措施太笼统"


def test_it_refuses_a_bulk_return_without_reason(world, client):
    pledge = pledge_in("submitted", world)
    client.force_login(world.secretary)
    response = client.post(
        f"/org/{world.branch.pk}/bulk/", {"action": "return", "pledges": [pledge.pk]}, follow=True
    )
    assert "原因" in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.status == S.SUBMITTED


def test_it_ignores_bulk_ids_outside_the_users_view(world, client):
    other = pledge_in("submitted", world)
    client.force_login(world.other_secretary)
    client.post(f"/org/{world.other_branch.pk}/bulk/", {"action": "approve", "pledges": [other.pk]})
    other.refresh_from_db()
    assert other.status == S.SUBMITTED


def test_it_records_progress_with_a_photo(world, client):
    pledge = pledge_in("published", world)
    client.force_login(world.member_user)
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    response = client.post(
        f"/pledge/{pledge.pk}/progress/",
        {"date": TODAY().isoformat(), "text": "本月走访五户", "files": [photo]},
    )
    assert response.status_code == 302
    record = pledge.progress_records.get()
    assert record.evidence.get().content_type == "image/png"


def test_it_refuses_a_file_whose_content_is_not_an_allowed_type(world, client):
    pledge = pledge_in("published", world)
    client.force_login(world.secretary)
    fake = SimpleUploadedFile(
        "photo.jpg", b"MZ\x90\x00 not really a picture", content_type="image/jpeg"
    )
    response = client.post(
        f"/pledge/{pledge.pk}/progress/",
        {"date": TODAY().isoformat(), "text": "x", "files": [fake]},
    )
    assert "类型不受支持" in response.content.decode()
    assert pledge.progress_records.count() == 0


def test_it_refuses_a_file_over_ten_megabytes(world, client):
    pledge = pledge_in("published", world)
    client.force_login(world.secretary)
    big = SimpleUploadedFile("big.png", PNG + b"\0" * (10 * 1024 * 1024), content_type="image/png")
    response = client.post(
        f"/pledge/{pledge.pk}/progress/", {"date": TODAY().isoformat(), "text": "x", "files": [big]}
    )
    assert "10 MB" in response.content.decode()
    assert pledge.progress_records.count() == 0


def test_it_closes_from_the_pledge_page(world, client):
    pledge = pledge_in("in_progress", world)
    client.force_login(world.secretary)
    client.post(
        f"/pledge/{pledge.pk}/close/", {"result": "已通水", "closed_on": TODAY().isoformat()}
    )
    pledge.refresh_from_db()
    assert pledge.status == S.CLOSED


def test_it_explains_a_refused_move_in_chinese(world, client):
    pledge = pledge_in("draft", world)
    client.force_login(world.secretary)
    response = client.post(
        f"/pledge/{pledge.pk}/close/",
        {"result": "x", "closed_on": TODAY().isoformat()},
        follow=True,
    )
    assert "只有已亮诺或践诺中的承诺可以销号" in response.content.decode()


def test_it_shows_history_on_the_pledge_page(world, client):
    pledge = pledge_in("closed", world)
    client.force_login(world.office)
    body = client.get(f"/pledge/{pledge.pk}/").content.decode()
    for label in ("审核通过", "亮诺", "记实", "销号"):
        assert label in body


def test_it_lists_who_has_not_pledged(world, client):
    MemberFactory(name="王五", organization=world.branch)
    pledge_in("draft", world)
    client.force_login(world.secretary)
    body = client.get(f"/org/{world.branch.pk}/").content.decode()
    assert "尚未承诺：1 人" in body
    assert "王五" in body


def test_it_shows_counts_per_state_to_the_office(world, client):
    pledge_in("in_progress", world)
    pledge_in("closed", world)
    client.force_login(world.office)
    response = client.get(f"/org/{world.town.pk}/")
    assert response.context["counts"][S.IN_PROGRESS] == 1
    assert response.context["counts"][S.CLOSED] == 1
    children = dict((c.name, counts) for c, counts in response.context["children_page"])
    assert children["东街社区党支部"]["total"] == 2


def test_it_sends_each_role_home(world, client):
    client.force_login(world.member_user)
    assert client.get("/")["Location"] == "/me/"
    client.force_login(world.office)
    assert client.get("/")["Location"] == f"/org/{world.town.pk}/"
    client.force_login(world.leader)
    assert client.get("/")["Location"] == "/reviews/my/"
    client.force_login(world.stranger)
    assert "尚未关联" in client.get("/").content.decode()


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["secretary", "office"])
def test_it_keeps_the_branch_page_query_count_flat(world, client, role):
    client.force_login(getattr(world, role))
    url = f"/org/{world.branch.pk}/"
    for _ in range(2):
        pledge_in("in_progress", world)
    few = _count_queries(client, url)
    for i in range(15):
        member = MemberFactory(organization=world.branch, name=f"成员{i}")
        world.member = member
        pledge_in("published", world)
        pledge_in("closed", world)
    many = _count_queries(client, url)
    assert few == many


def test_it_keeps_the_committee_page_query_count_flat(world, client):
    from tests.factories import make_org

    client.force_login(world.office)
    url = f"/org/{world.town.pk}/"
    few = _count_queries(client, url)
    for i in range(25):
        make_org(f"新支部{i}", world.town)
    many = _count_queries(client, url)
    assert few == many


def test_it_keeps_my_pledges_query_count_flat(world, client):
    client.force_login(world.member_user)
    pledge_in("in_progress", world)
    few = _count_queries(client, "/me/")
    for _ in range(10):
        pledge_in("closed", world)
    assert _count_queries(client, "/me/") == few


def _bulk_pledges(world, members: int, per_member: int, start: int = 0) -> None:
    """Many rows quickly: straight inserts, since only the page's reads are under test."""
    batch = Member.objects.bulk_create(
        MemberFactory.build(organization=world.branch, name=f"批量{i}")
        for i in range(start, start + members)
    )
    Pledge.objects.bulk_create(
        Pledge(
            owner_org=world.branch,
            owner_member=member,
            kind=Pledge.Kind.PRACTICAL,
            title=f"事项{i}",
            measures="措施",
            deadline=TODAY(),
            expected_result="效果",
            year=TODAY().year,
            status=S.IN_PROGRESS,
            created_by=world.secretary,
        )
        for member in batch
        for i in range(per_member)
    )


def test_it_keeps_the_query_count_the_same_for_5_and_500_rows(world, client):
    client.force_login(world.secretary)
    url = f"/org/{world.branch.pk}/"
    _bulk_pledges(world, members=1, per_member=5)
    few = _count_queries(client, url)
    _bulk_pledges(world, members=99, per_member=5, start=1)
    assert Pledge.objects.count() == 500
    assert _count_queries(client, url) == few


def test_it_saves_a_double_posted_entry_form_once(world, client):
    client.force_login(world.secretary)
    url = f"/org/{world.branch.pk}/entry/{world.member.pk}/"
    # A fresh token each run: in CI the cache is Redis, which outlives the test run.
    data = {**entry_post([row("只一次")]), "form_token": uuid.uuid4().hex}
    client.post(url, data)
    response = client.post(url, data, follow=True)
    assert "请勿重复提交" in response.content.decode()
    assert Pledge.objects.filter(title="只一次").count() == 1


def test_it_saves_a_double_posted_progress_record_once(world, client):
    pledge = pledge_in("published", world)
    client.force_login(world.member_user)
    data = {"date": TODAY().isoformat(), "text": "走访", "form_token": uuid.uuid4().hex}
    data["next"] = "/me/"
    client.post(f"/pledge/{pledge.pk}/progress/", data)
    client.post(f"/pledge/{pledge.pk}/progress/", data)
    assert pledge.progress_records.count() == 1


def test_it_returns_a_member_to_his_own_pledges_after_entry(world, client):
    client.force_login(world.member_user)
    response = client.post(
        f"/org/{world.branch.pk}/entry/{world.member.pk}/", entry_post([row()], submit=True)
    )
    assert response["Location"] == "/me/"


def test_it_explains_a_bad_record_on_the_page_it_came_from(world, client):
    pledge = pledge_in("published", world)
    client.force_login(world.member_user)
    response = client.post(
        f"/pledge/{pledge.pk}/progress/", {"date": "", "text": "", "next": "/me/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/me/"
    assert pledge.progress_records.count() == 0


def test_it_shows_the_pledge_for_a_get_on_an_action_address(world, client):
    pledge = pledge_in("submitted", world)
    client.force_login(world.secretary)
    response = client.get(f"/pledge/{pledge.pk}/approve/")
    assert response["Location"] == f"/pledge/{pledge.pk}/"
    pledge.refresh_from_db()
    assert pledge.status == S.SUBMITTED


def test_it_links_only_the_breadcrumbs_the_user_may_open(world, client):
    client.force_login(world.secretary)
    body = client.get(f"/org/{world.branch.pk}/").content.decode()
    assert f'href="/org/{world.town.pk}/"' not in body
    assert "城关镇党委" in body


def test_it_lists_branch_pledges_awaiting_the_offices_approval(world, client):
    pledge = pledge_in("submitted", world, member=False, title="支部承诺待审")
    client.force_login(world.office)
    response = client.get(f"/org/{world.town.pk}/")
    assert [p.pk for p in response.context["awaiting"]] == [pledge.pk]
    assert "支部承诺待审" in response.content.decode()


def test_it_names_the_field_in_the_amendment_history(world, client):
    from pledges import services
    from tests.pledges.helpers import content

    pledge = pledge_in("published", world)
    new_deadline = TODAY() + datetime.timedelta(days=200)
    services.pledge_amend(
        pledge=pledge, by=world.secretary, content=content(deadline=new_deadline), reason="延期"
    )
    client.force_login(world.secretary)
    assert "完成时限：" in client.get(f"/pledge/{pledge.pk}/").content.decode()


def test_it_edits_a_draft_and_amends_a_published_pledge_through_pages(world, client):
    draft, running = pledge_in("draft", world), pledge_in("published", world)
    client.force_login(world.secretary)
    data = {**row("新标题"), "version": str(draft.version)}
    assert client.post(f"/pledge/{draft.pk}/edit/", data).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "新标题"
    response = client.get(f"/pledge/{running.pk}/edit/")
    assert response["Location"] == f"/pledge/{running.pk}/"
    data = {**row("变更后"), "version": str(running.version), "reason": "群众建议调整"}
    client.post(f"/pledge/{running.pk}/amend/", data)
    running.refresh_from_db()
    assert running.title == "变更后"
    assert running.events.filter(action="amend").count() == 1


def test_it_never_redirects_to_another_site_after_a_record(world, client):
    pledge = pledge_in("published", world)
    client.force_login(world.member_user)
    data = {"date": TODAY().isoformat(), "text": "走访", "next": "//evil.example/"}
    response = client.post(f"/pledge/{pledge.pk}/progress/", data)
    assert response["Location"] == f"/pledge/{pledge.pk}/"
