"""Progress records through the services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.errors import TransitionError
from pledges.models import Pledge
from pledges.services import progress

TODAY = timezone.localdate
S = Pledge.Status


S = Pledge.Status


def test_it_moves_a_published_pledge_into_progress_with_the_first_record(world, pledge_in):
    pledge = pledge_in("published", world)
    progress.progress_add(pledge=pledge, by=world.member_user, date=TODAY(), text="走访两户")
    pledge.refresh_from_db()
    assert pledge.status == S.IN_PROGRESS
    assert pledge.progress_records.count() == 1


def test_it_refuses_progress_on_a_draft_and_in_the_future(world, pledge_in):
    with pytest.raises(TransitionError):
        progress.progress_add(
            pledge=pledge_in("draft", world), by=world.secretary, date=TODAY(), text="x"
        )
    with pytest.raises(TransitionError):
        progress.progress_add(
            pledge=pledge_in("published", world),
            by=world.secretary,
            date=TODAY() + datetime.timedelta(days=1),
            text="x",
        )


def test_it_refuses_progress_by_outsiders(world, pledge_in):
    pledge = pledge_in("published", world)
    for user in (world.stranger, world.other_member_user, world.other_secretary):
        with pytest.raises(PermissionDenied):
            progress.progress_add(pledge=pledge, by=user, date=TODAY(), text="x")
