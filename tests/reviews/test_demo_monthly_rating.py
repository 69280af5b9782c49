"""The demo data of 每月评比 and 述职."""

from io import StringIO

from django.test import override_settings

from pledges import demo
from pledges.models import Organization
from reviews.demo.monthly_rating import reset_monthly_ratings, seed_monthly_ratings
from reviews.models import DutyReport, MonthlyRating, MonthlyRatingSheet
from reviews.selectors.monthly_rating import published_standings

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
