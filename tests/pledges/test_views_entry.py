"""The entry page and bulk moves through the HTTP client."""

import uuid

import pytest
from django.test import Client
from django.utils import timezone

from pledges.models import Pledge
from pledges.services.calendar import calendar_set
from tests.factories import calendar_content

TODAY = timezone.localdate
S = Pledge.Status


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


def test_it_enters_all_of_a_members_items_on_one_page(world, client, form_row):
    client.force_login(world.secretary)
    url = f"/org/{world.branch.pk}/entry/{world.member.pk}/"
    assert client.get(url).status_code == 200
    rows = [
        form_row("事项一"),
        form_row("事项二"),
        form_row("改正急躁作风", "fault"),
        {"kind": "practical"},
    ]
    response = client.post(url, entry_post(rows, submit=True))
    assert response.status_code == 302
    pledges = Pledge.objects.filter(owner_member=world.member)
    assert sorted(pledges.values_list("title", flat=True)) == ["事项一", "事项二", "改正急躁作风"]
    assert set(pledges.values_list("status", flat=True)) == {S.SUBMITTED}


def test_it_refuses_a_half_filled_row_and_writes_nothing(world, client, form_row):
    client.force_login(world.secretary)
    url = f"/org/{world.branch.pk}/entry/{world.member.pk}/"
    bad = form_row("事项二")
    bad["deadline"] = "明年"
    response = client.post(
        url, entry_post([form_row("事项一"), bad, {"kind": "fault", "title": "缺点"}])
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "请填写践诺措施" in body
    assert "有效的日期" in body or "日期" in body
    assert Pledge.objects.count() == 0


def test_it_prefills_the_entry_page_with_existing_drafts(world, client, pledge_in, form_row):
    draft = pledge_in("draft", world, title="已有草稿")
    client.force_login(world.member_user)
    response = client.get(f"/org/{world.branch.pk}/entry/{world.member.pk}/")
    assert "已有草稿" in response.content.decode()
    data = entry_post(
        [{**form_row("改过的草稿"), "pledge_id": str(draft.pk), "version": str(draft.edit_version)}]
    )
    client.post(f"/org/{world.branch.pk}/entry/{world.member.pk}/", data)
    draft.refresh_from_db()
    assert draft.title == "改过的草稿"
    assert Pledge.objects.count() == 1


def test_it_refuses_the_row_another_session_saved_after_this_one_opened(world, pledge_in, form_row):
    """Two sessions on the same entry page: the second save of the same row is refused."""
    draft = pledge_in("draft", world, title="已有草稿")
    url = f"/org/{world.branch.pk}/entry/{world.member.pk}/"
    a, b = Client(), Client()
    a.force_login(world.member_user)
    b.force_login(world.secretary)
    assert a.get(url).status_code == b.get(url).status_code == 200
    seen = str(draft.edit_version)
    a.post(url, entry_post([{**form_row("甲改的"), "pledge_id": str(draft.pk), "version": seen}]))
    stale = entry_post([{**form_row("乙改的"), "pledge_id": str(draft.pk), "version": seen}])
    text = b.post(url, stale, follow=True).content.decode()
    assert "已被修改" in text
    draft.refresh_from_db()
    assert draft.title == "甲改的"


def test_it_approves_and_returns_in_bulk(world, client, pledge_in):
    first, second = pledge_in("submitted", world), pledge_in("submitted", world)
    client.force_login(world.secretary)
    url = f"/org/{world.branch.pk}/bulk/"
    client.post(url, {"action": "approve", "pledges": [first.pk]})
    client.post(url, {"action": "return", "pledges": [second.pk], "reason": "措施太笼统"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (S.APPROVED, S.RETURNED)
    assert second.return_reason == "措施太笼统"


def test_it_refuses_a_bulk_return_without_reason(world, client, pledge_in):
    pledge = pledge_in("submitted", world)
    client.force_login(world.secretary)
    response = client.post(
        f"/org/{world.branch.pk}/bulk/", {"action": "return", "pledges": [pledge.pk]}, follow=True
    )
    assert "原因" in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.status == S.SUBMITTED


def test_it_ignores_bulk_ids_outside_the_users_view(world, client, pledge_in):
    other = pledge_in("submitted", world)
    client.force_login(world.other_secretary)
    client.post(f"/org/{world.other_branch.pk}/bulk/", {"action": "approve", "pledges": [other.pk]})
    other.refresh_from_db()
    assert other.status == S.SUBMITTED


def test_it_saves_a_double_posted_entry_form_once(world, client, form_row):
    client.force_login(world.secretary)
    url = f"/org/{world.branch.pk}/entry/{world.member.pk}/"
    # A fresh token each run: in CI the cache is Redis, which outlives the test run.
    data = {**entry_post([form_row("只一次")]), "form_token": uuid.uuid4().hex}
    client.post(url, data)
    response = client.post(url, data, follow=True)
    assert "请勿重复提交" in response.content.decode()
    assert Pledge.objects.filter(title="只一次").count() == 1


def test_it_returns_a_member_to_his_own_pledges_after_entry(world, client, form_row):
    client.force_login(world.member_user)
    response = client.post(
        f"/org/{world.branch.pk}/entry/{world.member.pk}/", entry_post([form_row()], submit=True)
    )
    assert response["Location"] == "/me/"


@pytest.mark.parametrize("username", ["stranger", "other_secretary", "other_member_user", "leader"])
def test_it_refuses_outsiders_the_entry_page(world, client, username):
    client.force_login(getattr(world, username))
    response = client.get(f"/org/{world.branch.pk}/entry/{world.member.pk}/")
    assert response.status_code in (403, 404)


@pytest.mark.parametrize("rows", [1, 4])
@pytest.mark.parametrize(
    ("who", "url", "queries"),
    [
        # Each +1: the year's calendars (半年一诺 starts the period on the current half).
        pytest.param("secretary", "/org/{branch}/entry/{member}/", 10, id="a_members_entry_page"),
        pytest.param("secretary", "/org/{branch}/entry/", 8, id="the_organizations_entry_page"),
    ],
)
def test_it_reads_each_page_in_a_fixed_number_of_queries(
    assert_page_queries, who, url, queries, rows
):
    assert_page_queries(who, url, queries, rows)


def test_it_saves_every_row_in_the_year_chosen_and_says_so(world, client, pledge_in):
    year = TODAY().year
    drafts = [pledge_in("draft", world, title=f"草稿{i}") for i in range(3)]
    client.force_login(world.secretary)
    url = f"/org/{world.branch.pk}/entry/{world.member.pk}/"
    assert "年度和期间适用于本页全部事项" in client.get(f"{url}?year={year}").content.decode()
    rows = [
        {
            "pledge_id": str(p.pk),
            "version": str(p.edit_version),
            "kind": p.kind,
            "title": p.title,
            "measures": p.measures,
            "deadline": f"{year + 1}-12-31",
            "expected_result": p.expected_result,
        }
        for p in drafts
    ]
    response = client.post(url, entry_post(rows, year=year + 1), follow=True)
    assert set(Pledge.objects.values_list("year", flat=True)) == {year + 1}
    assert (
        f"已保存 {year + 1}年的 3 项承诺草稿（其中 3 项原属其他年度或期间，已改为{year + 1}年）"
        in (response.content.decode())
    )
    assert response.redirect_chain[-1][0].endswith(f"?year={year + 1}")


def test_it_says_the_period_of_what_it_saves_and_submits(world, client, form_row):
    client.force_login(world.secretary)
    url = f"/org/{world.branch.pk}/entry/{world.member.pk}/"
    data = {**entry_post([form_row("事项一"), form_row("事项二")], submit=True), "half": "2"}
    response = client.post(url, data, follow=True)
    assert f"已保存并提交 {TODAY().year}年下半年的 2 项承诺" in response.content.decode()


def test_it_refuses_a_year_the_saved_drafts_cannot_move_to_and_changes_nothing(
    world, client, pledge_in
):
    draft = pledge_in("draft", world, deadline=TODAY())
    client.force_login(world.secretary)
    row = {
        "pledge_id": str(draft.pk),
        "version": str(draft.edit_version),
        "kind": draft.kind,
        "title": draft.title,
        "measures": draft.measures,
        "deadline": TODAY().isoformat(),
        "expected_result": draft.expected_result,
    }
    url = f"/org/{world.branch.pk}/entry/{world.member.pk}/"
    response = client.post(url, entry_post([row], year=TODAY().year + 1))
    assert response.status_code == 200
    assert "早于承诺期间的开始日期" in response.content.decode()
    draft.refresh_from_db()
    assert draft.year == TODAY().year


def test_it_starts_the_period_on_the_current_half_where_the_committee_pledges_half_yearly(
    world, client
):
    today = timezone.localdate()
    calendar_set(
        organization=world.town,
        year=today.year,
        content=calendar_content(),
        version=0,
        by=world.office,
    )
    client.force_login(world.secretary)
    page = client.get(f"/org/{world.branch.pk}/entry/{world.member.pk}/").content.decode()
    half = 1 if today.month <= 6 else 2
    assert f'<option value="{half}" selected>' in page
