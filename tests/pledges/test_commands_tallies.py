"""`manage.py tallies`: the counters recounted from the rows, on the seeded demo too."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from pledges.models import Tally
from tests.factories import PledgeFactory


def run(*args) -> str:
    out = StringIO()
    call_command("tallies", *args, stdout=out)
    return out.getvalue()


def test_it_finds_the_seeded_demo_counters_equal_to_a_recount(db):
    # Every app's demo (reviews and evaluations bulk-created too), as `make run` seeds it.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        call_command("seed_demo", stdout=StringIO())
    assert Tally.objects.exists()
    assert "counters match a recount" in run("--check")


def test_it_reports_a_wrong_counter_and_rebuilds_it(world):
    PledgeFactory(owner_member=world.member, status="approved")
    # The branch's own row, and the subtree rows of the branch and its ancestors.
    rows = Tally.objects.filter(kind="pledges")
    assert rows.count() == 1 + world.branch.depth
    rows.update(n=5)
    with pytest.raises(CommandError, match=f"{1 + world.branch.depth} counter rows differ"):
        run("--check")
    assert "stored 5, counted 1" in run("--rebuild")
    assert "counters match a recount" in run("--check")


def test_it_finds_the_counters_of_a_small_province_equal_to_a_recount(db):
    # Bulk rows of three cities (no signal), every counter made by the set-based rebuild.
    out = StringIO()
    call_command("seed_demo", "--scale", "province", "--branches", "6", stdout=out)
    assert "tallies:" in out.getvalue()
    assert Tally.objects.filter(scope=Tally.SUBTREE).exists()
    assert "counters match a recount" in run("--check")
