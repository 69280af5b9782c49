"""Who owes a report and a review in a quarter under the calendars: a half-yearly region owes
none in the first and third quarters, less the regions inside it that set their own."""

from pledges.models import Organization
from reviews.models import Quarter
from reviews.selectors import due as due_selectors
from tests.factories import MemberFactory, make_calendar, make_org, today


def test_it_owes_everyone_under_the_default_calendar(world):
    year = today().year
    assert due_selectors.not_due_q(due_selectors.off_regions(world.town, Quarter(year, 1))) is None
    assert due_selectors.off_quarter_counts(world.town, year, {world.town.path: (3, 2)}) == {}


def test_it_leaves_out_a_half_yearly_subtree_but_not_a_quarterly_one_inside_it(world):
    w, year = world, today().year
    group = make_org("东街第一党小组", w.branch, level=Organization.Level.GROUP)
    MemberFactory(name="王五", organization=group)
    make_calendar(w.branch, year)
    make_calendar(group, year, cadence="quarter", scale="four")
    off = due_selectors.not_due_q(due_selectors.off_regions(w.town, Quarter(year, 1)))
    names = set(
        Organization.objects.filter(path__startswith=w.town.path)
        .filter(off)
        .values_list("name", flat=True)
    )
    assert names == {"东街社区党支部"}
    assert due_selectors.off_regions(w.town, Quarter(year, 2)) == []
    # The branch's bucket: of the branch and its group, and of 张三 and 王五, one each.
    counts = due_selectors.off_quarter_counts(w.town, year, {})
    assert counts == {w.branch.path: (1, 1)}


def test_it_leaves_out_the_whole_tree_of_a_half_yearly_root_less_a_quarterly_branch(world):
    w, year = world, today().year
    make_calendar(w.town, year)
    make_calendar(w.other_branch, year, cadence="quarter")
    totals = {w.town.path: (1, 0), w.branch.path: (1, 1), w.other_branch.path: (1, 1)}
    counts = due_selectors.off_quarter_counts(w.town, year, totals)
    assert counts == {w.town.path: (1, 0), w.branch.path: (1, 1), w.other_branch.path: (0, 0)}
