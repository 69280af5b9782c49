"""组织评选's events reach who must act next: the nominating organizations when a round opens,
the nominators and nominees when the short list is on 公示 and when the decision is made."""

import pytest

from core.notifications.models import Notification
from reviews.services import selection as services
from tests.factories import end_publicity, nominate, open_selection, publicise_selection


def _told(kind):
    return sorted(n.recipient.username for n in Notification.objects.filter(kind=kind))


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(move, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return move(*args, **kwargs)

    return call


def test_it_tells_the_secretaries_of_the_units_with_places(world, run):
    selection = run(open_selection, world)
    assert _told("selection_opened") == ["other_secretary", "secretary"]
    assert Notification.objects.filter(link=selection.get_absolute_url()).count() == 2


def test_it_tells_the_nominators_and_nominees_of_the_notice_and_the_decision(world, run):
    selection = open_selection(world)
    n = nominate(selection, world.branch, world.member, world.secretary)
    run(publicise_selection, world, selection)
    assert _told("selection_publicised") == ["member", "secretary"]
    end_publicity(selection)
    run(
        services.selection_round_decide,
        by=world.office,
        selection=selection,
        awarded_ids=[n.pk],
        version=selection.edit_version,
    )
    assert _told("selection_decided") == ["member", "secretary"]
