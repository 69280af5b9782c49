"""Who sees which pledges, pages and files: every role inside and outside its scope."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pledges import services
from pledges.models import Pledge
from tests.pledges.helpers import TODAY, pledge_in

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def visible(user):
    return set(Pledge.objects.visible_to(user).values_list("pk", flat=True))


def test_it_shows_drafts_to_the_secretary_and_the_member_only(world):
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


def test_it_files_approved_pledges_with_the_higher_office(world):
    approved = pledge_in("approved", world)
    assert approved.pk in visible(world.office)
    assert approved.pk in visible(world.leader)
    assert approved.pk not in visible(world.far_office)
    assert approved.pk not in visible(world.other_secretary)


def test_it_shows_a_branchs_own_submitted_pledge_to_its_approvers(world):
    submitted = pledge_in("submitted", world, member=False)
    assert submitted.pk in visible(world.office)
    assert submitted.pk in visible(world.leader)


def test_it_shows_published_branch_pledges_to_fellow_members(world):
    published = pledge_in("published", world)
    from tests.factories import MemberFactory, UserFactory

    fellow = UserFactory()
    MemberFactory(organization=world.branch, user=fellow)
    assert published.pk in visible(fellow)
    assert pledge_in("draft", world).pk not in visible(fellow)
    assert published.pk not in visible(world.other_member_user)


def test_it_shows_nothing_to_anonymous(world, client):
    pledge = pledge_in("published", world)
    response = client.get(f"/pledge/{pledge.pk}/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize(
    "username", ["stranger", "other_secretary", "other_member_user", "far_office"]
)
def test_it_refuses_outsiders_the_pledge_page(world, client, username):
    pledge = pledge_in("published", world)
    client.force_login(getattr(world, username))
    assert client.get(f"/pledge/{pledge.pk}/").status_code == 404


@pytest.mark.parametrize(
    "username", ["stranger", "other_secretary", "other_member_user", "far_office"]
)
def test_it_refuses_outsiders_the_branch_page(world, client, username):
    client.force_login(getattr(world, username))
    assert client.get(f"/org/{world.branch.pk}/").status_code == 404


@pytest.mark.parametrize("username", ["secretary", "office", "leader", "member_user"])
def test_it_serves_the_branch_page_to_its_people(world, client, username):
    client.force_login(getattr(world, username))
    assert client.get(f"/org/{world.branch.pk}/").status_code == 200


@pytest.mark.parametrize("username", ["stranger", "other_secretary", "other_member_user", "leader"])
def test_it_refuses_outsiders_the_entry_page(world, client, username):
    client.force_login(getattr(world, username))
    response = client.get(f"/org/{world.branch.pk}/entry/{world.member.pk}/")
    assert response.status_code in (403, 404)


@pytest.mark.parametrize(
    "username", ["stranger", "other_secretary", "other_member_user", "far_office"]
)
def test_it_refuses_outsiders_the_evidence_file(world, client, username):
    pledge = pledge_in("published", world)
    record = services.progress_add(
        pledge=pledge,
        by=world.secretary,
        date=TODAY(),
        text="照片",
        files=[SimpleUploadedFile("photo.png", PNG, content_type="image/png")],
    )
    evidence = record.evidence.get()
    client.force_login(getattr(world, username))
    assert client.get(f"/evidence/{evidence.pk}/").status_code == 404


def test_it_serves_evidence_as_an_attachment_to_allowed_users(world, client):
    pledge = pledge_in("published", world)
    record = services.progress_add(
        pledge=pledge,
        by=world.secretary,
        date=TODAY(),
        text="照片",
        files=[SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")],
    )
    evidence = record.evidence.get()
    assert "现场照片" not in evidence.file.name
    for user in (world.secretary, world.member_user, world.office):
        client.force_login(user)
        response = client.get(f"/evidence/{evidence.pk}/")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content) == PNG


@pytest.mark.parametrize("action", ["approve", "return", "publish", "close", "unfulfilled"])
def test_it_refuses_actions_posted_by_outsiders(world, client, action):
    pledge = pledge_in("submitted", world)
    client.force_login(world.other_secretary)
    response = client.post(f"/pledge/{pledge.pk}/{action}/", {"reason": "x", "result": "x"})
    assert response.status_code == 404
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.SUBMITTED


def test_it_refuses_an_unknown_action(world, client):
    pledge = pledge_in("submitted", world)
    client.force_login(world.secretary)
    assert client.post(f"/pledge/{pledge.pk}/explode/").status_code == 404
