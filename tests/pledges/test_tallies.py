"""Counter rows of the pledge book: kept by every write, summed over a subtree, rebuilt after a
bulk write."""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pledges import tallies
from pledges.models import Member, Organization, Pledge, Tally
from pledges.selectors import organization as selectors
from tests.factories import MemberFactory, PledgeFactory, make_org

S = Pledge.Status


def _figure(org, kind, key="", year=None):
    year = timezone.localdate().year if year is None else year
    row = Tally.objects.filter(
        organization=org, scope=Tally.SUBTREE, year=year, period=0, kind=kind, key=key
    ).first()
    return row.n if row else 0


def test_it_counts_a_pledge_under_its_state_and_moves_it_on_a_change(world):
    pledge = PledgeFactory(owner_member=world.member, status=S.SUBMITTED)
    assert _figure(world.branch, tallies.PLEDGES, "submitted:m") == 1
    pledge.status = S.APPROVED
    pledge.save()
    assert _figure(world.branch, tallies.PLEDGES, "submitted:m") == 0
    assert _figure(world.branch, tallies.PLEDGES, "approved:m") == 1
    pledge.delete()
    assert _figure(world.branch, tallies.PLEDGES, "approved:m") == 0
    assert tallies.differences() == {}


def test_it_counts_a_member_who_has_pledged_once_however_many_pledges(world):
    first = PledgeFactory(owner_member=world.member, status=S.SUBMITTED)
    second = PledgeFactory(owner_member=world.member, status=S.APPROVED)
    assert _figure(world.branch, tallies.MEMBERS_PLEDGED) == 1
    first.status = S.RETURNED
    first.save()
    assert _figure(world.branch, tallies.MEMBERS_PLEDGED) == 1
    second.status = S.DRAFT
    second.save()
    assert _figure(world.branch, tallies.MEMBERS_PLEDGED) == 0
    first.status = S.SUBMITTED
    first.save()
    assert _figure(world.branch, tallies.MEMBERS_PLEDGED) == 1
    assert tallies.differences() == {}


def test_it_reads_the_stored_state_not_a_stale_copy(world):
    """Another writer changed the row after this copy was loaded (the services lock and reload
    it): the counters move from what is stored."""
    pledge = PledgeFactory(owner_member=world.member, status=S.SUBMITTED)
    stale = Pledge.objects.get(pk=pledge.pk)
    fresh = Pledge.objects.get(pk=pledge.pk)
    fresh.status = S.APPROVED
    fresh.save()
    stale.refresh_from_db()
    stale.status = S.PUBLISHED
    stale.save()
    assert tallies.differences() == {}


def test_it_rolls_the_counters_back_with_the_write(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        PledgeFactory(owner_member=world.member, status=S.SUBMITTED)
        raise RuntimeError
    assert not Tally.objects.filter(kind=tallies.PLEDGES).exists()


def test_it_rebuilds_the_organizations_a_bulk_write_touched(world):
    Member.objects.bulk_create([Member(name="王五", organization=world.branch)])
    assert tallies.differences()
    assert tallies.rebuild([world.branch.pk]) == 1
    assert _figure(world.branch, tallies.MEMBERS, year=0) == 2
    assert tallies.differences() == {}
    assert tallies.rebuild([world.branch.pk]) == 0


def test_it_follows_an_organization_moved_with_its_subtree(world):
    group = make_org("第一党小组", world.branch, level=Organization.Level.GROUP)
    MemberFactory(organization=group)
    Organization.objects.move(group, world.other_branch, "last-child")
    tallies.sync_paths()
    group.refresh_from_db()
    assert set(Tally.objects.filter(organization=group).values_list("path", flat=True)) == {
        group.path
    }
    other = Organization.objects.get(pk=world.other_branch.pk)
    assert sum(n for *_k, n in tallies.sums(other, [tallies.MEMBERS], by_child=False)) == 2
    # The old parent's subtree rows lose the group's member, the common ancestors keep it.
    assert sum(n for *_k, n in tallies.sums(world.branch, [tallies.MEMBERS])) == 1
    assert sum(n for *_k, n in tallies.sums(world.town, [tallies.MEMBERS])) == 3
    assert tallies.differences() == {}


def test_it_adds_a_write_to_its_organization_and_every_ancestor_in_one_statement(world):
    pledge = PledgeFactory(owner_member=world.member, status=S.SUBMITTED)
    pledge.status = S.APPROVED
    # One upsert (no holder moves: the member had pledged already).
    with CaptureQueriesContext(connection) as queries:
        pledge.save()
    upserts = [q for q in queries.captured_queries if f'INTO "{Tally._meta.db_table}"' in q["sql"]]
    assert len(upserts) == 1
    for org in (world.branch, world.town, world.county):
        assert _figure(org, tallies.PLEDGES, "approved:m") == 1
    assert _figure(world.other_branch, tallies.PLEDGES, "approved:m") == 0
    assert (
        Tally.objects.get(
            organization=world.branch, scope=Tally.OWN, kind=tallies.PLEDGES, key="approved:m"
        ).n
        == 1
    )
    assert not Tally.objects.filter(organization=world.town, scope=Tally.OWN).exists()


def test_it_keeps_holder_rows_out_of_the_subtree_rows(world):
    PledgeFactory(owner_member=world.member, status=S.SUBMITTED)
    assert Tally.objects.filter(kind="member_pledges", scope=Tally.OWN).count() == 1
    assert not Tally.objects.filter(kind="member_pledges", scope=Tally.SUBTREE).exists()
    assert _figure(world.county, tallies.MEMBERS_PLEDGED) == 1


def test_it_reads_one_row_per_child_however_many_organizations_below(world):
    for i in range(3):
        group = make_org(f"党小组{i}", world.branch, level=Organization.Level.GROUP)
        PledgeFactory(owner_org=group, status=S.APPROVED)
    PledgeFactory(owner_member=world.member, status=S.APPROVED)
    rows = list(tallies.sums(world.county, [tallies.PLEDGES], by_child=True))
    # The county's own level has none; its town one row per key, not one per organization.
    assert sorted((bucket, key, n) for bucket, _y, _p, _k, key, n in rows) == [
        (world.town.path, "approved:m", 1),
        (world.town.path, "approved:o", 3),
    ]


def test_it_sums_a_subtree_per_child_in_one_query(world, django_assert_num_queries):
    PledgeFactory(owner_member=world.member, status=S.APPROVED)
    PledgeFactory(owner_member=world.other_member, status=S.APPROVED)
    PledgeFactory(owner_org=world.town, status=S.APPROVED)
    with django_assert_num_queries(1):
        rows = list(tallies.sums(world.town, [tallies.PLEDGES], by_child=True))
    per = {bucket: n for bucket, *_rest, n in rows}
    assert per == {world.town.path: 1, world.branch.path: 1, world.other_branch.path: 1}


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers on the database"
)
def test_it_keeps_concurrent_transactions_of_several_writes_apart(transactional_db):
    # Each writer has its own two pledges (no domain row in common), one in each branch, and
    # toggles them in one transaction: the first writer's first upsert takes the ancestors'
    # approved/submitted rows and its second the draft/returned ones, the other writer the
    # other way round. Without one queue for the counter writers, that is a deadlock.
    root = make_org("县委")
    branches = [make_org(f"支部{i}", root) for i in range(2)]
    toggle = {S.SUBMITTED: S.APPROVED, S.APPROVED: S.SUBMITTED}
    toggle.update({S.DRAFT: S.RETURNED, S.RETURNED: S.DRAFT})
    errors = []

    def writer(pledges):
        try:
            for _step in range(20):
                with transaction.atomic():
                    for pk in pledges:
                        pledge = Pledge.objects.select_for_update().get(pk=pk)
                        pledge.status = toggle[pledge.status]
                        pledge.save()
                        time.sleep(0.005)  # the other writer's turn between the two
        except Exception as error:  # noqa: BLE001 - reported to the test's thread
            errors.append(error)
        finally:
            connection.close()

    first = [
        PledgeFactory(owner_org=branches[0], status=S.SUBMITTED).pk,
        PledgeFactory(owner_org=branches[1], status=S.DRAFT).pk,
    ]
    second = [
        PledgeFactory(owner_org=branches[1], status=S.DRAFT).pk,
        PledgeFactory(owner_org=branches[0], status=S.SUBMITTED).pk,
    ]
    threads = [threading.Thread(target=writer, args=(p,)) for p in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert tallies.differences() == {}


def test_it_counts_overdue_pledges_against_their_deadline_buckets(world):
    today = timezone.localdate()
    late = PledgeFactory(
        owner_member=world.member, status=S.PUBLISHED, deadline=today - datetime.timedelta(1)
    )
    PledgeFactory(
        owner_member=world.member, status=S.PUBLISHED, deadline=today + datetime.timedelta(2)
    )
    PledgeFactory(owner_member=world.member, status=S.DRAFT, deadline=today)
    assert selectors.overdue_count(world.office, world.town, shown=1, limit=1) == 1
    late.status = S.CLOSED
    late.closed_on = today
    late.save()
    assert selectors.overdue_count(world.office, world.town, shown=0, limit=0) == 0
    assert selectors.overdue_count(world.office, world.town, shown=0, limit=20) == 0
    assert tallies.due_before(world.town, tallies.PLEDGES_DUE, today + datetime.timedelta(3)) == 1
