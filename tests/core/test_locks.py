"""core.locks: a service locks first, then checks on the locked row."""

from django.db import transaction

from core.locks import lock_first, lock_row
from pledges.models import Pledge
from tests.factories import PledgeFactory


def test_it_reloads_the_row_and_keeps_the_related_objects_already_loaded(
    world, django_assert_num_queries
):
    pk = PledgeFactory(owner_org=world.branch, owner_member=None).pk
    pledge = Pledge.objects.select_related("owner_org").get(pk=pk)
    Pledge.objects.filter(pk=pk).update(title="改过的标题")
    with transaction.atomic():
        lock_row(pledge)
        with django_assert_num_queries(0):  # a rule read after the lock costs no query
            assert pledge.owner_org.name == world.branch.name
    assert pledge.title == "改过的标题"


def test_it_locks_the_row_a_lookup_finds_or_gives_none(world):
    pledge = PledgeFactory(owner_org=world.branch, owner_member=None)
    with transaction.atomic():
        assert lock_first(Pledge.objects.filter(pk=pledge.pk)) == pledge
        assert lock_first(Pledge.objects.filter(pk=-1)) is None
