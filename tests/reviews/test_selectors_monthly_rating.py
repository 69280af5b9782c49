"""每月评比 reads: the month page's facts, the public standings, a member's year."""

from django.utils import timezone

from pledges.models import Pledge, ProgressRecord
from reviews.selectors import monthly_rating as selectors
from reviews.services import monthly_rating as services
from tests.factories import MemberFactory, PledgeFactory, rate_month, this_month

G, FG, AV = "good", "fairly_good", "average"


def test_it_marks_the_member_without_a_record_this_month(world):
    wang = MemberFactory(name="王五", organization=world.branch)
    year, month = this_month()
    mine = PledgeFactory(owner_member=world.member, status=Pledge.Status.IN_PROGRESS, year=year)
    PledgeFactory(owner_member=wang, status=Pledge.Status.IN_PROGRESS, year=year)
    ProgressRecord.objects.create(
        pledge=mine, date=timezone.localdate(), text="走访", author=world.secretary
    )
    page = selectors.month_page(world.branch, year, month)
    rows = {r.member.name: r for r in page.rows}
    assert (rows["张三"].records, rows["张三"].no_record) == (1, False)
    assert (rows["王五"].records, rows["王五"].running, rows["王五"].no_record) == (0, 1, True)
    assert page.no_record_count == 1 and page.criteria == ["践诺进度", "记实", "群众反映"]


def test_it_shows_the_latest_published_month_best_first_names_and_grades_only(world):
    wang = MemberFactory(name="王五", organization=world.branch)
    assert selectors.published_standings(world.branch) == (None, [])
    rate_month(world, {world.member: [AV, AV, AV], wang: [G, G, G]})
    assert selectors.published_standings(world.branch) == (None, [])  # not yet published
    sheet = world.branch.monthly_rating_sheets.get()
    services.monthly_rating_sheet_publish(by=world.secretary, sheet=sheet)
    month, standings = selectors.published_standings(world.branch)
    assert month == {"year": sheet.year, "month": sheet.month}
    assert standings == [("王五", "好"), ("张三", "一般")]


def test_it_counts_a_member_s_published_months(world, django_assert_num_queries):
    year, month = this_month()
    rate_month(world, {world.member: [G, G, FG]}, publish=True)
    with django_assert_num_queries(1):
        counts = selectors.member_standings([world.member.pk, world.other_member.pk], year)
    assert counts[world.member.pk] == {G: 1} and not counts[world.other_member.pk]
    assert selectors.standing_summary(counts[world.member.pk]) == "好×1"
