"""The demo data of 每月评比 and 述职."""

from io import StringIO

from django.test import override_settings
from django.utils import timezone

from pledges import demo
from pledges.models import Organization
from reviews.demo.monthly_rating import reset_monthly_ratings, seed_monthly_ratings
from reviews.models import DutyReport, MonthlyRating, MonthlyRatingSheet, overall_grade
from reviews.selectors.monthly_rating import previous_month, published_standings

FAST_HASH = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def counts() -> tuple[int, int, int]:
    return (
        MonthlyRatingSheet.objects.count(),
        MonthlyRating.objects.count(),
        DutyReport.objects.count(),
    )


@override_settings(PASSWORD_HASHERS=FAST_HASH)
def test_it_seeds_two_published_months_and_a_report_once_and_resets(db):
    demo.build_county(seed=2024)
    seed_monthly_ratings(scale="county", stdout=StringIO())
    branch = Organization.objects.get(name="东街社区党支部")
    sheets = MonthlyRatingSheet.objects.filter(organization=branch, published_at__isnull=False)
    assert sheets.count() == 2
    month, standings = published_standings(branch)
    assert month and standings
    report = DutyReport.objects.get(organization=branch, member=None)
    assert report.status == "submitted" and report.tallies.count() == 1
    assert "公开承诺" in report.text
    before = counts()
    seed_monthly_ratings(scale="county", stdout=StringIO())
    assert counts() == before
    reset_monthly_ratings(org_paths=[branch.path[:4]])
    assert counts() == (0, 0, 0)


@override_settings(PASSWORD_HASHERS=FAST_HASH)
def test_it_rates_every_branch_s_members_for_the_last_two_months_in_bulk(db):
    demo.build_city(plan=demo.CityPlan.scaled(12))
    out = StringIO()
    seed_monthly_ratings(scale="small", stdout=out)
    branches = Organization.objects.filter(level=Organization.Level.BRANCH)
    assert branches.count() == 12
    today = timezone.localdate()
    latest = previous_month(today.year, today.month)
    months = {previous_month(*latest), latest}
    for branch in branches:
        sheets = MonthlyRatingSheet.objects.filter(organization=branch)
        assert {(s.year, s.month) for s in sheets} == months
        members = set(branch.members.values_list("id", flat=True))
        assert members
        for sheet in sheets:
            assert set(sheet.ratings.values_list("member_id", flat=True)) == members
            assert sheet.created_by_id is not None
        # The earlier month is published everywhere, and the public page shows it.
        assert published_standings(branch)[1]
    rating = MonthlyRating.objects.first()
    assert len(rating.grades) == len(rating.sheet.criteria) == 3
    assert rating.grade == overall_grade(rating.grades)
    assert "每月评比：24 张评比表" in out.getvalue()
    before = counts()
    seed_monthly_ratings(scale="small", stdout=StringIO())
    assert counts() == before
