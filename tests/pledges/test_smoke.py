from pledges import services
from pledges.models import Pledge
from tests.factories import PledgeFactory


def test_it_walks_a_member_pledge_from_draft_to_closed(world):
    pledge = PledgeFactory(owner_member=world.member, created_by=world.member_user)
    services.pledge_submit(pledge=pledge, by=world.member_user)
    services.pledge_approve(pledge=pledge, by=world.secretary)
    services.pledge_publish(pledge=pledge, by=world.secretary)
    services.progress_add(
        pledge=pledge, by=world.member_user, date=pledge.created_at.date(), text="走访"
    )
    services.pledge_close(pledge=pledge, by=world.secretary, result="已办结")
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.CLOSED


def test_it_serves_the_branch_page(client, world):
    PledgeFactory(owner_member=world.member, created_by=world.member_user)
    client.force_login(world.secretary)
    response = client.get(f"/org/{world.branch.pk}/")
    assert response.status_code == 200, response.get("Location")
    assert "张三" in response.content.decode()
