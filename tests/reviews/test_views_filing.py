"""Pages of 备案: the branch's filing page, the committee's status page, the moves, the package."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pledges.models import Position
from reviews.models import Filing
from reviews.services import filing as services
from tests.factories import UserFactory, make_org, make_position

S = Filing.Status


@pytest.fixture
def filed(filing_world, django_capture_on_commit_callbacks):
    """The branch's half filed, its package built."""
    w = filing_world
    with django_capture_on_commit_callbacks(execute=True):
        filing = services.filing_submit(organization=w.branch, period=w.period, by=w.secretary)
    filing.refresh_from_db()
    return filing


@pytest.fixture
def more_branches(filing_world):
    """`more_branches(n)`: n more branches under the town, each with a secretary who filed
    (every third received, every third returned, the rest waiting)."""
    w = filing_world

    def make(n: int) -> None:
        for i in range(n):
            branch = make_org(f"新建党支部{i}", w.town)
            secretary = UserFactory()
            make_position(secretary, branch)
            status = (S.FILED, S.RECEIVED, S.RETURNED)[i % 3]
            Filing.objects.create(
                organization=branch,
                year=w.period.year,
                half=w.period.half,
                status=status,
                filed_by=secretary,
                filed_at=timezone.now(),
                rounds=1,
                decided_by=None if status == S.FILED else w.office,
                decided_at=None if status == S.FILED else timezone.now(),
                return_reason="缺少附件" if status == S.RETURNED else "",
            )

    return make


def _status_url(w, **query) -> str:
    q = "&".join(f"{k}={v}" for k, v in {"period": w.period.code, **query}.items())
    return f"{reverse('reviews:filing_status', args=[w.town.pk])}?{q}"


def _branch_url(w) -> str:
    return f"{reverse('reviews:filing', args=[w.branch.pk])}?period={w.period.code}"


# Three more branches give one of each status: "missing" and "returned" then list one row,
# nine give three; all statuses list five or eleven.
@pytest.mark.parametrize("rows", [3, 9])
@pytest.mark.parametrize("status", ["", "missing", "returned"])
def test_it_reads_the_status_page_in_a_fixed_number_of_queries(
    filing_world, filed, more_branches, client, django_assert_num_queries, rows, status
):
    w = filing_world
    more_branches(rows)
    client.force_login(w.office)
    # Unfiltered, the page's count of branches is also the total of the counts.
    with django_assert_num_queries(13 if status else 12):  # one for the calendar (due dates)
        response = client.get(_status_url(w, status=status) if status else _status_url(w))
    assert response.status_code == 200


def test_it_counts_and_lists_who_filed(filing_world, filed, more_branches, client):
    w = filing_world
    more_branches(3)  # one filed, one received, one returned
    client.force_login(w.office)
    page = client.get(_status_url(w)).content.decode()
    counts = {
        s: page.split(f'data-testid="count-{s}">')[1].split("<")[0]
        for s in ("filed", "received", "returned", "missing")
    }
    # The branch and 新建党支部0 filed; the other branch (西街) has not.
    assert counts == {"filed": "2", "received": "1", "returned": "1", "missing": "1"}
    missing = client.get(_status_url(w, status="missing")).content.decode()
    assert "西街社区党支部" in missing and "东街社区党支部" not in missing


@pytest.mark.parametrize("events", [1, 3])
def test_it_reads_the_branch_page_in_a_fixed_number_of_queries(
    filing_world, filed, client, django_assert_num_queries, events
):
    w = filing_world
    for _i in range(events - 1):
        services.filing_return(filing=filed, by=w.office, reason="重报")
        services.filing_submit(organization=w.branch, period=w.period, by=w.secretary)
    for who, queries in (("secretary", 14), ("office", 14)):  # the calendar's due dates: one
        client.force_login(getattr(w, who))
        with django_assert_num_queries(queries):
            response = client.get(_branch_url(w))
        assert response.status_code == 200


def test_it_shows_what_the_package_will_hold_before_filing(filing_world, client):
    w = filing_world
    client.force_login(w.secretary)
    page = client.get(_branch_url(w)).content.decode()
    assert "一键报送备案" in page
    contents = page.split('data-testid="contents"')[1].split("</table>")[0]
    assert contents.count("1 项") >= 2  # the branch's pledge, 张三's


def test_it_files_from_the_page_and_offers_the_package(
    filing_world, client, django_capture_on_commit_callbacks
):
    w = filing_world
    client.force_login(w.secretary)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reviews:filing_submit", args=[w.branch.pk]), {"period": w.period.code}
        )
    assert response.status_code == 302 and response["Location"] == _branch_url(w)
    filing = Filing.objects.get()
    page = client.get(_branch_url(w)).content.decode()
    assert "已报送" in page and reverse("reviews:filing_package", args=[filing.pk]) in page


def test_it_lets_the_office_open_the_package(filing_world, filed, client):
    w = filing_world
    client.force_login(w.office)
    response = client.get(reverse("reviews:filing_package", args=[filed.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert b"".join(response.streaming_content).startswith(b"PK")
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("who", ["other_secretary", "far_office", "member_user", "stranger"])
def test_it_hides_the_package_from_a_stranger(filing_world, filed, client, who):
    client.force_login(getattr(filing_world, who))
    assert client.get(reverse("reviews:filing_package", args=[filed.pk])).status_code == 404


@pytest.mark.parametrize("move", ["filing_receive", "filing_return", "filing_rebuild"])
@pytest.mark.parametrize("who", ["stranger", "far_office", "other_secretary", "member_user"])
def test_it_refuses_a_stranger_every_filing_move(filing_world, filed, client, move, who):
    client.force_login(getattr(filing_world, who))
    response = client.post(reverse(f"reviews:{move}", args=[filed.pk]), {"reason": "不全"})
    assert response.status_code == 404
    filed.refresh_from_db()
    assert filed.status == S.FILED


def test_it_refuses_filing_to_anyone_but_the_branch_secretary(filing_world, client):
    w = filing_world
    url = reverse("reviews:filing_submit", args=[w.branch.pk])
    client.force_login(w.office)
    assert client.post(url, {"period": w.period.code}).status_code == 403
    client.force_login(w.other_secretary)
    assert client.post(url, {"period": w.period.code}).status_code == 404
    assert not Filing.objects.exists()


def test_it_refuses_the_pages_to_whom_they_do_not_concern(filing_world, client):
    w = filing_world
    client.force_login(w.far_office)
    assert client.get(_status_url(w)).status_code == 404
    assert client.get(_branch_url(w)).status_code == 404
    client.force_login(w.member_user)  # sees his branch, files nothing
    assert client.get(_branch_url(w)).status_code == 403
    client.force_login(w.secretary)  # a branch's secretary has no status page of the town
    assert client.get(_status_url(w)).status_code == 404


def test_it_takes_each_role_home(filing_world, client):
    w = filing_world
    client.force_login(w.office)
    home = reverse("reviews:filing_home")
    assert client.get(home)["Location"] == reverse("reviews:filing_status", args=[w.town.pk])
    client.force_login(w.secretary)
    assert client.get(home)["Location"] == reverse("reviews:filing", args=[w.branch.pk])
    client.force_login(w.member_user)
    assert client.get(home).status_code == 403


def test_it_shows_a_committee_s_secretary_his_committee_s_filings(filing_world, client):
    w = filing_world
    town_secretary = UserFactory(username="town_secretary_f")
    make_position(town_secretary, w.town, Position.Kind.SECRETARY)
    client.force_login(town_secretary)
    home = client.get(reverse("reviews:filing_home"))
    assert home["Location"] == reverse("reviews:filing_status", args=[w.town.pk])
    assert client.get(home["Location"]).status_code == 200


def test_it_returns_with_a_reason_and_shows_it_to_the_branch(filing_world, filed, client):
    w = filing_world
    client.force_login(w.office)
    url = reverse("reviews:filing_return", args=[filed.pk])
    assert "请填写退回原因" in client.post(url, {"reason": ""}, follow=True).content.decode()
    client.post(url, {"reason": "缺少\x00群众评议"})
    filed.refresh_from_db()
    assert filed.status == S.FILED  # a NUL byte is refused, nothing changed
    client.post(url, {"reason": "缺少群众评议"})
    client.force_login(w.secretary)
    page = client.get(_branch_url(w)).content.decode()
    assert "缺少群众评议" in page and "重新报送备案" in page


@pytest.mark.parametrize("move", ["filing_submit", "filing_receive"])
def test_it_refuses_the_second_of_two_sessions_making_the_same_filing_move(
    filing_world, filed, move, django_capture_on_commit_callbacks
):
    """Two sessions of the same person make the same move: the first goes through, the second
    is refused with a message and changes nothing."""
    w = filing_world
    if move == "filing_submit":
        services.filing_return(filing=filed, by=w.office, reason="重报")
        who, url = w.secretary, reverse("reviews:filing_submit", args=[w.branch.pk])
    else:
        who, url = w.office, reverse("reviews:filing_receive", args=[filed.pk])
    a, b = Client(), Client()
    a.force_login(who)
    b.force_login(who)
    fields = ("pk", "status", "rounds", "package_job", "decided_at")
    with django_capture_on_commit_callbacks(execute=True):
        assert a.post(url, {"period": w.period.code}).status_code == 302
    after_a = list(Filing.objects.values_list(*fields))
    second = b.post(url, {"period": w.period.code}, follow=True)
    assert "alert-danger" in second.content.decode()
    assert list(Filing.objects.values_list(*fields)) == after_a
