"""Who sees which pledges (`visible_to`), and what a pledge derives from its fields."""

import datetime

from django.utils import timezone

from pledges.models import Pledge
from pledges.services import pledge as services
from tests.factories import MemberFactory, UserFactory

TODAY = timezone.localdate


def visible(user):
    return set(Pledge.objects.visible_to(user).values_list("pk", flat=True))


def test_it_shows_drafts_to_the_secretary_and_the_member_only(world, pledge_in):
    draft = pledge_in("draft", world)
    assert draft.pk in visible(world.secretary)
    assert draft.pk in visible(world.member_user)
    for name in (
        "office",
        "leader",
        "stranger",
        "other_secretary",
        "other_member_user",
        "far_office",
    ):
        assert draft.pk not in visible(getattr(world, name)), name


def test_it_files_approved_pledges_with_the_higher_office(world, pledge_in):
    approved = pledge_in("approved", world)
    assert approved.pk in visible(world.office)
    assert approved.pk in visible(world.leader)
    assert approved.pk not in visible(world.far_office)
    assert approved.pk not in visible(world.other_secretary)


def test_it_shows_a_branchs_own_submitted_pledge_to_its_approvers(world, pledge_in):
    submitted = pledge_in("submitted", world, member=False)
    assert submitted.pk in visible(world.office)
    assert submitted.pk in visible(world.leader)


def test_it_shows_published_branch_pledges_to_fellow_members(world, pledge_in):
    published = pledge_in("published", world)

    fellow = UserFactory()
    MemberFactory(organization=world.branch, user=fellow)
    assert published.pk in visible(fellow)
    assert pledge_in("draft", world).pk not in visible(fellow)
    assert published.pk not in visible(world.other_member_user)


def test_it_shows_nothing_to_anonymous(world, client, pledge_in):
    pledge = pledge_in("published", world)
    response = client.get(f"/pledge/{pledge.pk}/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_it_derives_overdue_from_the_deadline(world, pledge_in):
    pledge = pledge_in("in_progress", world)
    Pledge.objects.filter(pk=pledge.pk).update(deadline=TODAY() - datetime.timedelta(days=1))
    pledge.refresh_from_db()
    assert pledge.is_overdue
    assert list(Pledge.objects.overdue()) == [pledge]
    services.pledge_close(pledge=pledge, by=world.secretary, result="补办完成")
    assert not pledge.is_overdue


def test_it_indexes_exactly_the_running_statuses_for_the_overdue_list():
    (index,) = [i for i in Pledge._meta.indexes if i.name == "pledge_running_deadline"]
    assert set(dict(index.condition.children)["status__in"]) == set(Pledge.RUNNING_STATUSES)
