"""Findings of walking through the dashboard on a desktop, a phone and in print, pinned down."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from pledges.models import Position
from reviews.charts.dashboard import trend_chart
from reviews.models import Quarter, Review
from reviews.selectors import dashboard as dashboard_selectors
from tests.factories import make_calendar, make_position, make_review


def _page(client, w) -> str:
    client.force_login(w.office)
    return client.get(reverse("reviews:dashboard", args=[w.town.pk])).content.decode()


def test_it_tells_the_trend_lines_apart_without_colour(client, town_data):  # noqa: F811
    html = _page(client, town_data)
    trend = re.search(r'<svg class="dash-trend".*?</svg>', html, flags=re.S).group(0)
    # Each line's points have their own shape: circle (arc), square, diamond.
    shapes = {
        name: re.search(rf'<path d="M[^"]*" class="dot-{name}"', trend).group(0)
        for name in ("orgs_reviewed", "members_reviewed", "rect_rate")
    }
    assert "a2.5" in shapes["orgs_reviewed"]
    assert "h5v5" in shapes["members_reviewed"]
    assert "l3.2" in shapes["rect_rate"]
    # The legend draws the same line and shape next to each name.
    legend = re.search(r'data-testid="trend-legend".*?</div>', html, flags=re.S).group(0)
    for name in shapes:
        assert f'class="line-{name}"' in legend and f'class="dot-{name}"' in legend
    # And the lines themselves are dashed differently.
    css = b"".join(client.get("/static/css/dashboard.css").streaming_content).decode()
    assert ".line-members_reviewed { stroke-dasharray: 6 3; }" in css
    assert ".line-rect_rate { stroke-dasharray: 2 2; }" in css


def test_it_writes_each_rows_grades_in_words(client, town_data):  # noqa: F811
    html = _page(client, town_data)
    texts = re.findall(r'data-testid="grade-text">(.*?)</div>', html, flags=re.S)
    # 东街: branch 好, 张三 较好; 西街: 李四 差 (as counted in test_dashboard).
    words = [re.sub(r"<[^>]+>", " ", t).split() for t in texts]
    assert ["好", "1", "较好", "1"] in words and ["差", "1"] in words


def test_it_leads_a_leader_of_two_towns_to_the_second_one(client, town_data):  # noqa: F811
    w = town_data
    make_position(w.leader, w.far_town, Position.Kind.LEADER_SUPERVISE)
    client.force_login(w.leader)
    home = client.get(reverse("reviews:dashboard_home"))
    first = client.get(home.url).content.decode()
    links = re.search(r'data-testid="my-orgs">(.*?)</p>', first, flags=re.S).group(1)
    far = reverse("reviews:dashboard", args=[w.far_town.pk])
    assert far in links and w.far_town.name in links
    assert client.get(far).status_code == 200
    year_page = client.get(reverse("reviews:assessment", args=[w.town.pk])).content.decode()
    assert reverse("reviews:assessment", args=[w.far_town.pk]) in year_page


def test_it_offers_no_switch_to_a_leader_of_one_town(client, town_data):  # noqa: F811
    client.force_login(town_data.leader)
    page = client.get(reverse("reviews:dashboard", args=[town_data.town.pk])).content.decode()
    assert 'data-testid="my-orgs"' not in page


def test_it_names_the_quarters_of_the_trend_in_chinese(client, town_data):  # noqa: F811
    html = _page(client, town_data)
    trend = re.search(r'<svg class="dash-trend".*?</svg>', html, flags=re.S).group(0)
    ticks = re.findall(r'text-anchor="middle">([^<]+)</text>', trend)
    assert ticks == ["一季度", "二季度", "三季度", "四季度"]


def test_it_draws_zero_on_the_axis_and_leaves_out_quarters_without_a_figure(town_data):  # noqa: F811
    w = town_data
    data = dashboard_selectors.dashboard(w.town, w.q)
    for point in data.trend:
        point.orgs_reviewed, point.rect_total, point.rect_done = 0, 0, 0
    chart = trend_chart(data)
    past = [p for p in data.trend if p.quarter.start <= timezone.localdate()]
    assert {d["y"] for d in chart["lines"]["orgs_reviewed"]["dots"]} == {chart["base"]}
    assert len(chart["lines"]["orgs_reviewed"]["dots"]) == len(past)
    # No rectification item due: no point rather than a fall to 0 %.
    assert chart["lines"]["rect_rate"]["dots"] == []
    # Quarters not begun yet have no point either.
    future = dashboard_selectors.dashboard(w.town, Quarter(w.q.year + 1, 1))
    assert all(line["dots"] == [] for line in trend_chart(future)["lines"].values())


def test_it_gives_each_trend_figure_out_of_its_whole(client, town_data):  # noqa: F811
    w = town_data
    data = dashboard_selectors.dashboard(w.town, w.q)
    now = data.trend[w.q.quarter - 1]
    html = _page(client, w)
    table = re.search(r'data-testid="trend-table".*?</table>', html, flags=re.S).group(0)
    rows = {
        re.sub(r"<[^>]+>", "", r[0]).strip(): re.findall(r"<td>([^<]*)</td>", r[1])
        for r in re.findall(r"<tr><th>(.*?)</th>(.*?)</tr>", table, flags=re.S)
    }
    orgs, members = data.total.orgs.total, data.total.members.total
    assert rows["党组织已点评"][w.q.quarter - 1] == f"{now.orgs_reviewed} / {orgs}"
    assert rows["党员已自评"][w.q.quarter - 1] == f"{now.members_reported} / {members}"


PAGES = [
    # 16, one for the overdue 整改通知书 (reviews.selectors.inspection) and one for the year's
    # calendars (grade words, who owes a review), once per request.
    ("office", "/reviews/dashboard/{town}/", 18),
]


@pytest.mark.parametrize("rows", [1, 4])
@pytest.mark.parametrize(("who", "url", "queries"), PAGES)
def test_it_reads_each_page_in_a_fixed_number_of_queries(
    assert_page_queries, who, url, queries, rows
):
    assert_page_queries(who, url, queries, rows)


def test_it_writes_a_three_step_branch_s_grades_with_zhong(client, world):
    w = world
    year = timezone.localdate().year
    make_calendar(w.branch, year)
    make_review(Quarter(year, 2), Review.Grade.AVERAGE, org=w.branch)
    make_review(Quarter(year, 2), Review.Grade.AVERAGE, org=w.other_branch)
    client.force_login(w.office)
    url = reverse("reviews:dashboard", args=[w.town.pk]) + f"?quarter={year}Q2"
    html = client.get(url).content.decode()
    texts = re.findall(r'data-testid="grade-text">(.*?)</div>', html, flags=re.S)
    assert any("中 1" in t for t in texts) and any("一般 1" in t for t in texts)
