"""Demo data for 备案: filed, received, returned and missing, in the county and in bulk."""

from io import StringIO

from django.db import models
from django.test import override_settings

from pledges import demo
from pledges.models import Organization
from reviews.demo.filing import reset_filings, seed_filings
from reviews.models import Filing

FAST_HASH = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


def test_it_files_the_county_through_the_services(db, django_capture_on_commit_callbacks):
    with FAST_HASH:
        root, _ = demo.build_county()
    with django_capture_on_commit_callbacks(execute=True):
        seed_filings(scale="county", stdout=StringIO())
    statuses = set(Filing.objects.values_list("status", flat=True))
    assert statuses == {"filed", "received", "returned"}
    assert (
        Filing.objects.filter(rounds=2, status="received").exists()
        or Filing.objects.filter(rounds=2).exists()
    )
    branches = Organization.objects.filter(level=Organization.Level.BRANCH).count()
    filed_per_half = Filing.objects.values("year", "half").annotate(n=models.Count("id"))
    assert all(0 < row["n"] < branches for row in filed_per_half)  # and some missing
    out = StringIO()
    seed_filings(scale="county", stdout=out)
    assert "已存在" in out.getvalue()
    reset_filings(org_paths=[root.path])
    assert not Filing.objects.exists()


def test_it_files_in_bulk_for_the_city(db):
    with FAST_HASH:
        demo.build_city(plan=demo.CityPlan.scaled(12))
    seed_filings(scale="small", stdout=StringIO())
    branches = Organization.objects.filter(level=Organization.Level.BRANCH).count()
    assert 0 < Filing.objects.filter(status="filed").count() < branches
    assert Filing.objects.filter(status="received").exists()
