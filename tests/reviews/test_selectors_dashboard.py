"""全覆盖 dashboard: figures on a small tree counted by hand, a flat query count, access."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from pledges.models import Pledge, Position
from reviews.models import (
    MassEvaluation,
    Quarter,
    RectificationItem,
    Review,
    SubjectKind,
)
from reviews.selectors import assessment as assessment_selectors
from reviews.selectors import dashboard as dashboard_selectors
from tests.factories import (
    MemberFactory,
    PledgeFactory,
    UserFactory,
    make_calendar,
    make_org,
    make_position,
    make_review,
    make_self_evaluation,
)

Status = Pledge.Status
ORG, MEMBER = SubjectKind.ORGANIZATION, SubjectKind.MEMBER


def test_it_counts_coverage_of_the_subtree(town_data):
    d = dashboard_selectors.dashboard(town_data.town, town_data.q)
    orgs, members = d.total.orgs, d.total.members
    assert (orgs.total, orgs.pledged, orgs.reported, orgs.reviewed) == (4, 1, 2, 1)
    assert (members.total, members.pledged, members.reported, members.reviewed) == (4, 2, 1, 2)


def test_it_counts_grades_rectification_and_satisfaction(town_data):
    total = dashboard_selectors.dashboard(town_data.town, town_data.q).total
    assert dict(total.grades) == {"good": 1, "fairly_good": 1, "poor": 1}
    assert (total.rect_done, total.rect_total, total.rect_pct) == (1, 3, 33)
    assert (total.responses, total.satisfaction_pct) == (30, 87)


def test_it_rolls_up_per_child_with_the_own_level_first(town_data):
    w = town_data
    rows = dashboard_selectors.dashboard(w.town, w.q).rows
    assert [r.org for r in rows] == [w.town, w.branch, w.other_branch]
    own, branch, other = rows
    assert (own.orgs.total, own.orgs.pledged, own.members.total) == (1, 0, 0)
    assert (branch.orgs.total, branch.orgs.pledged, branch.orgs.reported) == (2, 1, 2)
    assert (branch.members.total, branch.members.pledged) == (3, 2)
    assert (branch.members.reported, branch.members.reviewed) == (1, 1)
    assert (other.orgs.pledged, other.members.total, other.members.reviewed) == (0, 1, 1)
    assert dict(branch.grades) == {"good": 1, "fairly_good": 1}
    assert dict(other.grades) == {"poor": 1}
    assert (branch.rect_done, branch.rect_total) == (1, 2)
    assert (other.rect_done, other.rect_total) == (0, 1)
    assert branch.satisfaction_pct == 87 and other.satisfaction_pct is None


def test_it_lists_the_missing_by_name(town_data):
    w = town_data
    missing = dashboard_selectors.dashboard(w.town, w.q).missing
    assert [o.name for o in missing["orgs_pledged"]] == [
        "城关镇党委",
        "东街第一党小组",
        "西街社区党支部",
    ]
    assert [o.name for o in missing["orgs_reported"]] == ["城关镇党委", "西街社区党支部"]
    assert [o.name for o in missing["orgs_reviewed"]] == [
        "城关镇党委",
        "东街第一党小组",
        "西街社区党支部",
    ]
    assert [m.name for m in missing["members_pledged"]] == ["李四", "赵六"]
    assert [m.name for m in missing["members_reported"]] == ["李四", "王五", "赵六"]
    assert [m.name for m in missing["members_reviewed"]] == ["王五", "赵六"]


def test_it_draws_the_quarter_trend(town_data):
    w = town_data
    trend = {p.quarter.quarter: p for p in dashboard_selectors.dashboard(w.town, w.q).trend}
    now = trend[w.q.quarter]
    assert (now.orgs_reviewed, now.members_reviewed, now.good, now.graded) == (1, 2, 1, 3)
    assert (now.orgs_reported, now.members_reported) == (2, 1)
    assert (now.rect_done, now.rect_total) == (1, 3)
    if w.q.quarter > 1:
        assert trend[w.q.quarter - 1].orgs_reviewed == 1


def test_it_drills_down_to_a_branch(town_data):
    w = town_data
    d = dashboard_selectors.dashboard(w.branch, w.q)
    assert (d.total.orgs.total, d.total.members.total, d.total.members.pledged) == (2, 3, 2)
    assert [r.org for r in d.rows] == [w.branch, w.group]
    assert dashboard_selectors.dashboard(w.group, w.q).rows == []


def test_it_shows_the_page_to_the_office_and_the_leader(client, town_data):
    w = town_data
    url = reverse("reviews:dashboard", args=[w.town.pk]) + f"?quarter={w.q.code}"
    for user in (w.office, w.leader):
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert text.count('data-testid="dashboard-row"') == 3
        assert "西街社区党支部" in text and "赵六" in text
        assert "<svg" in text


@pytest.mark.parametrize(
    "who", ["secretary", "other_secretary", "far_office", "stranger", "member_user"]
)
def test_it_refuses_the_dashboard_outside_the_scope(client, town_data, who):
    client.force_login(getattr(town_data, who))
    page = client.get(reverse("reviews:dashboard", args=[town_data.town.pk]))
    assert page.status_code == 404


def test_it_refuses_the_office_the_county_above_it(client, town_data):
    client.force_login(town_data.office)
    assert client.get(reverse("reviews:dashboard", args=[town_data.county.pk])).status_code == 404


def test_it_sends_the_office_home_to_its_own_organization(client, town_data):
    client.force_login(town_data.office)
    page = client.get(reverse("reviews:dashboard_home"))
    assert page.url == reverse("reviews:dashboard", args=[town_data.town.pk])


def grow(world, branches: int, members: int):
    q = Quarter.current()
    for i in range(branches):
        branch = make_org(f"新建支部{i}", world.town)
        PledgeFactory(owner_org=branch, status=Status.APPROVED, year=q.year)
        make_review(q, Review.Grade.GOOD, org=branch)
        for j in range(members):
            member = MemberFactory(name=f"党员{i}-{j}", organization=branch)
            PledgeFactory(owner_member=member, status=Status.PUBLISHED, year=q.year)
            make_self_evaluation(q, member=member)


def test_it_keeps_the_query_count_flat_whatever_the_tree(client, world):
    url = reverse("reviews:dashboard", args=[world.town.pk])
    client.force_login(world.office)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    grow(world, 1, 2)
    small = count()
    grow(world, 8, 6)
    assert count() == small


def test_it_counts_the_whole_tree_from_its_root(town_data):
    """At the root nothing is filtered (a faster path): the figures must still add up."""
    w = town_data
    d = dashboard_selectors.dashboard(w.county, w.q)
    orgs, members = d.total.orgs, d.total.members
    assert (orgs.total, orgs.pledged, orgs.reported, orgs.reviewed) == (7, 1, 2, 1)
    assert (members.total, members.pledged, members.reported, members.reviewed) == (5, 3, 1, 3)
    assert [r.org for r in d.rows] == [w.county, w.town, w.far_town]
    assert d.rows[1].members.total == 4 and d.rows[2].members.total == 1
    assert (d.total.responses, d.total.rect_total) == (30, 3)


def test_it_links_back_up_only_within_the_scope(client, town_data):
    w = town_data
    client.force_login(w.office)
    up = reverse("reviews:dashboard", args=[w.town.pk])
    assert up in client.get(reverse("reviews:dashboard", args=[w.branch.pk])).content.decode()
    county = reverse("reviews:dashboard", args=[w.county.pk])
    assert county not in client.get(up).content.decode()


def test_it_refuses_a_leader_linked_elsewhere(client, town_data):
    w = town_data
    far_leader = UserFactory(username="far_leader")
    make_position(far_leader, w.far_town, Position.Kind.LEADER_SUPERVISE)
    client.force_login(far_leader)
    assert client.get(reverse("reviews:dashboard", args=[w.town.pk])).status_code == 404
    assert client.get(reverse("reviews:dashboard", args=[w.far_town.pk])).status_code == 200


def test_it_leaves_out_a_mass_evaluation_still_collecting_answers(town_data):
    """Figures that move while answers arrive could be matched to who just answered."""
    for evaluation in MassEvaluation.objects.all():
        evaluation.closed_at = None  # ends in ten days
        evaluation.save()
    total = dashboard_selectors.dashboard(town_data.town, town_data.q).total
    assert (total.responses, total.satisfaction_pct) == (0, None)
    rows = assessment_selectors.year_rows(town_data.branch, town_data.q.year)
    assert all(not any(sum(c.values()) for c in r.satisfaction.values()) for r in rows)


# --- figures from the counter rows ------------------------------------------------------------


@pytest.mark.parametrize(
    "change", ["self_evaluation", "review", "rectification_item", "mass_evaluation"]
)
def test_it_counts_at_once_after_anything_under_the_root_changes(town_data, change):
    w = town_data
    before = dashboard_selectors.dashboard(w.town, w.q).total
    if change == "self_evaluation":
        make_self_evaluation(w.q, member=w.wang)
        assert dashboard_selectors.dashboard(w.town, w.q).total.members.reported == (
            before.members.reported + 1
        )
    elif change == "review":
        make_review(w.q, Review.Grade.GOOD, member=w.wang)
        assert dashboard_selectors.dashboard(w.town, w.q).total.grades["good"] == (
            before.grades["good"] + 1
        )
    elif change == "rectification_item":
        item = RectificationItem.objects.filter(
            organization__path__startswith=w.town.path, status=RectificationItem.Status.OPEN
        ).first()
        item.status = RectificationItem.Status.CONFIRMED
        item.confirmed_at = timezone.now()
        item.save()
        assert dashboard_selectors.dashboard(w.town, w.q).total.rect_done == before.rect_done + 1
    else:
        # Reopened (its end ahead again): its answers no longer count.
        evaluation = MassEvaluation.objects.get(organization=w.branch)
        evaluation.closed_at = None
        evaluation.save()
        assert before.responses == 30
        assert dashboard_selectors.dashboard(w.town, w.q).total.responses == 0


def test_it_names_its_own_level_in_the_language_of_the_request(town_data):
    w = town_data
    with translation.override("zh-hans"):
        chinese = dashboard_selectors.dashboard(w.town, w.q).rows[0].label
    with translation.override("en"):
        english = dashboard_selectors.dashboard(w.town, w.q).rows[0].label
    assert "本级" in chinese
    assert "本级" not in english


def _tables_read(w) -> set[str]:
    with CaptureQueriesContext(connection) as ctx:
        dashboard_selectors.dashboard(w.town, w.q)
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    tables = ("pledges_pledge", "pledges_member", "reviews_review", "reviews_selfevaluation")
    return {t for t in tables if f'"{t}"' in sql}


def test_it_reads_rows_only_for_the_names_of_those_missing(town_data):
    w = town_data
    assert "pledges_tally" not in _tables_read(w)
    with CaptureQueriesContext(connection) as ctx:
        dashboard_selectors.dashboard(w.town, w.q)
    limited = [q["sql"] for q in ctx.captured_queries if '"pledges_member"' in q["sql"]]
    assert limited and all("LIMIT 30" in sql for sql in limited)


def test_it_reads_no_row_when_everyone_is_covered(world):
    w = world
    q = Quarter.current()
    make_review(q, Review.Grade.GOOD, org=w.branch)
    make_self_evaluation(q, org=w.branch)
    PledgeFactory(owner_org=w.branch, status=Status.APPROVED, year=q.year)
    PledgeFactory(owner_member=w.member, status=Status.PUBLISHED, year=q.year)
    make_self_evaluation(q, member=w.member)
    make_review(q, Review.Grade.GOOD, member=w.member)
    with CaptureQueriesContext(connection) as ctx:
        d = dashboard_selectors.dashboard(w.branch, q)
    assert d.total.members.pledged == 1 and d.total.orgs.reviewed == 1
    assert not any('"pledges_member"' in query["sql"] for query in ctx.captured_queries)
    assert not any('"pledges_pledge"' in query["sql"] for query in ctx.captured_queries)


def test_it_keeps_every_figure_while_a_leader_saves_a_draft(town_data):
    w = town_data
    before = dashboard_selectors.dashboard(w.town, w.q)
    make_review(w.q, Review.Grade.GOOD, status=Review.Status.DRAFT, member=w.wang)
    after = dashboard_selectors.dashboard(w.town, w.q)
    assert after.total == before.total and after.trend == before.trend


# --- the calendars: a half-yearly branch owes nothing in Q1; a 好/中/差 one says 中 ----------


def _half_yearly_branch(w):
    """The branch reviews half-yearly on 好/中/差; the other branch was reviewed in Q1."""
    year = timezone.localdate().year
    make_calendar(w.branch, year)
    make_review(Quarter(year, 1), Review.Grade.AVERAGE, org=w.other_branch)
    make_review(Quarter(year, 2), Review.Grade.AVERAGE, org=w.branch)
    return year


def test_it_leaves_a_half_yearly_subtree_out_of_the_first_quarter_s_coverage(world):
    w = world
    year = _half_yearly_branch(w)
    d = dashboard_selectors.dashboard(w.town, Quarter(year, 1))
    rows = {row.org.pk: row for row in d.rows}
    branch = rows[w.branch.pk]
    assert (branch.orgs.total, branch.orgs.not_due, branch.orgs.due) == (1, 1, 0)
    assert (branch.members.total, branch.members.not_due) == (1, 1)
    reviewed = next(b for b in branch.orgs.bars() if b["key"] == "reviewed")
    assert (reviewed["whole"], reviewed["pct"]) == (0, None)
    assert rows[w.other_branch.pk].orgs.not_due == 0
    # The town, the branch and the other branch: two owe a review, one has it.
    assert (d.total.orgs.due, d.total.orgs.reviewed, d.total.orgs.not_reviewed) == (2, 1, 1)
    assert (d.total.members.due, d.total.members.not_reviewed) == (1, 1)
    assert [o.name for o in d.missing["orgs_reviewed"]] == ["城关镇党委"]
    assert [m.name for m in d.missing["members_reviewed"]] == ["李四"]
    assert [o.name for o in d.missing["orgs_reported"]] == ["城关镇党委", "西街社区党支部"]
    # The trend: out of two in the first and third quarters, of three in the others.
    assert [p.orgs_due for p in d.trend] == [2, 3, 2, 3]
    assert [p.members_due for p in d.trend] == [1, 2, 1, 2]
    # In the second quarter everyone owes one.
    q2 = dashboard_selectors.dashboard(w.town, Quarter(year, 2))
    assert (q2.total.orgs.not_due, q2.total.orgs.due) == (0, 3)


def test_it_names_the_grades_of_a_three_step_subtree_on_its_own_scale(world):
    w = world
    year = _half_yearly_branch(w)
    d = dashboard_selectors.dashboard(w.town, Quarter(year, 2))
    rows = {row.org.pk: row for row in d.rows}
    with translation.override("zh-hans"):
        branch = [(str(g["label"]), g["n"]) for g in rows[w.branch.pk].grade_bars()]
        other = [str(g["label"]) for g in rows[w.other_branch.pk].grade_bars()]
        total = [str(g["label"]) for g in d.total.grade_bars()]
    assert branch == [("好", 0), ("中", 1), ("差", 0)]
    assert other == total == ["好", "较好", "一般", "差"]


def test_it_keeps_the_dashboard_flat_with_a_half_yearly_branch(client, world):
    w = world
    year = _half_yearly_branch(w)
    url = reverse("reviews:dashboard", args=[w.town.pk]) + f"?quarter={year}Q1"
    client.force_login(w.office)
    counts = []
    for n in (1, 5):
        for i in range(n):
            branch = make_org(f"支部C{n}-{i}", w.branch)
            MemberFactory(name=f"党员C{n}-{i}", organization=branch)
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(url).content.decode()
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert 'data-testid="not-due"' in html and "本季度无需自评、点评" in html
