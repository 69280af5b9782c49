"""Demo data for reviews: every mode and grade, open and closed items, idempotent."""

from io import StringIO

from django.db import models
from django.db.models import Count
from django.test import override_settings

from pledges import demo
from pledges.models import Organization
from reviews.demo.review import reset_reviews, seed_reviews
from reviews.models import Quarter, RectificationItem, Review, SelfEvaluation, SuggestionLetter

FAST_HASH = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


def test_it_reviews_every_branch_each_past_quarter_in_bulk(db):
    with FAST_HASH:
        demo.build_city(plan=demo.CityPlan.scaled(12))
    out = StringIO()
    seed_reviews(scale="small", stdout=out)
    assert "领导点评" in out.getvalue()
    branches = Organization.objects.filter(level=Organization.Level.BRANCH).count()
    current = Quarter.current()
    for q in range(1, current.quarter):
        per_branch = (
            Review.objects.filter(year=current.year, quarter=q, status__in=["signed", "published"])
            .values("organization")
            .annotate(n=Count("id"))
        )
        assert len(per_branch) == branches
    assert len(set(Review.objects.values_list("grade", flat=True))) >= 3
    assert RectificationItem.objects.filter(status="confirmed").exists()
    assert SelfEvaluation.objects.exists()
    before = Review.objects.count()
    seed_reviews(scale="small", stdout=StringIO())
    assert Review.objects.count() == before


def test_it_seeds_the_county_through_the_services(db):
    with FAST_HASH:
        root, _ = demo.build_county()
    seed_reviews(scale="county", stdout=StringIO())
    assert set(Review.objects.values_list("mode", flat=True)) == set(Review.Mode.values)
    assert set(Review.objects.values_list("grade", flat=True)) == set(Review.Grade.values)
    statuses = set(RectificationItem.objects.values_list("status", flat=True))
    assert {"open", "done", "confirmed"} <= statuses
    assert Review.objects.filter(status="returned").exists()
    assert Review.objects.filter(redo_of__isnull=False, status="signed").exists()
    assert Review.objects.filter(without_self_evaluation=True).exists()
    assert SuggestionLetter.objects.exists()
    reset_reviews(org_paths=[root.path])
    assert not Review.objects.exists() and not SelfEvaluation.objects.exists()


def test_it_reviews_members_too_and_keeps_to_its_own_tree(db):
    with FAST_HASH:
        county, _ = demo.build_county()
        seed_reviews(scale="county", stdout=StringIO())
        in_county = Review.objects.count()
        demo.build_city(plan=demo.CityPlan.scaled(12))
    seed_reviews(scale="small", stdout=StringIO())
    city = demo.city_root()
    under_city = Review.objects.filter(organization__path__startswith=city.path)
    assert under_city.exists()  # the county's reviews do not stop the city's
    assert Review.objects.filter(organization__path__startswith=county.path).count() == in_county
    members = under_city.filter(subject_kind="member")
    assert members.count() > under_city.filter(subject_kind="organization").count()
    # Each member is reviewed by his branch's secretary, who is not reviewed by himself.
    assert not members.filter(member__user=models.F("reviewer")).exists()
    assert SelfEvaluation.objects.filter(
        organization__path__startswith=city.path, subject_kind="member"
    ).exists()
    assert RectificationItem.objects.filter(
        organization__path__startswith=city.path, subject_kind="member"
    ).exists()
