"""The office in Django admin: its group (services.office) and lists scoped to its subtree."""

from django.contrib.auth import get_user_model

from core.security.models import PasswordChangeRequired
from pledges.models import Position
from pledges.services.office import office_staff_grant
from tests.factories import MemberFactory, UserFactory, make_position


def test_it_shows_the_office_only_its_subtree_in_admin(world, client):
    office_staff_grant(user=world.office)
    MemberFactory(name="远郊党员", organization=world.far_town)
    client.force_login(world.office)
    body = client.get("/admin/pledges/member/").content.decode()
    assert "张三" in body and "李四" in body
    assert "远郊党员" not in body
    orgs = client.get("/admin/pledges/organization/").content.decode()
    assert "东街社区党支部" in orgs and "远郊镇党委" not in orgs


def test_it_never_lets_the_office_grant_superuser(world, client):
    office_staff_grant(user=world.office)
    client.force_login(world.office)
    url = f"/admin/auth/user/{world.member_user.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert "is_superuser" not in page.content.decode()
    client.post(url, {"username": "member", "is_active": "on", "is_superuser": "on"})
    world.member_user.refresh_from_db()
    assert not world.member_user.is_superuser


def test_it_hides_other_subtrees_logins_from_the_office(world, client):
    office_staff_grant(user=world.office)
    admin = UserFactory(username="root_admin", is_superuser=True, is_staff=True)
    client.force_login(world.office)
    body = client.get("/admin/auth/user/").content.decode()
    assert "secretary" in body
    assert "far_office" not in body
    assert admin.username not in body


def test_it_keeps_members_and_strangers_out_of_admin(world, client):
    client.force_login(world.member_user)
    assert client.get("/admin/pledges/member/").status_code == 302


def test_it_gives_the_superuser_the_whole_tree_and_the_add_form(world, client):
    admin = UserFactory(username="root_admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert "远郊镇党委" in client.get("/admin/pledges/organization/").content.decode()
    assert client.get("/admin/pledges/organization/add/").status_code == 200
    assert client.get("/admin/pledges/pledge/").status_code == 200


def test_it_lets_the_office_read_but_not_move_the_tree(world, client):
    office_staff_grant(user=world.office)
    client.force_login(world.office)
    assert client.get("/admin/pledges/organization/add/").status_code == 403
    assert client.get("/admin/pledges/pledge/").status_code == 200


def test_it_refuses_the_office_a_login_above_it(world, client):
    """A town office must not link the county's own login to a branch and then reset it."""

    county_office = UserFactory(username="county_office", is_staff=True)
    Position.objects.create(user=county_office, organization=world.county, kind="office")
    office_staff_grant(user=world.office)
    client.force_login(world.office)
    response = client.post(
        "/admin/pledges/position/add/",
        {"user": county_office.pk, "organization": world.branch.pk, "kind": "secretary"},
    )
    assert response.status_code == 200  # the form refuses the choice
    assert not Position.objects.filter(user=county_office, organization=world.branch).exists()
    page = client.get(f"/admin/auth/user/{county_office.pk}/change/")
    assert page.status_code in (302, 404)
    assert client.get(f"/admin/auth/user/{world.leader.pk}/change/").status_code in (302, 404)


def test_it_scopes_admin_to_office_positions_only(world, client):
    """Being a secretary somewhere else gives no admin reach there."""

    office_staff_grant(user=world.office)
    make_position(world.office, world.far_town, "secretary")
    world.office._pledge_roles = None
    MemberFactory(name="远郊党员", organization=world.far_town)
    client.force_login(world.office)
    assert "远郊党员" not in client.get("/admin/pledges/member/").content.decode()


def test_it_makes_a_login_created_in_admin_change_its_password_first(world, client):
    office_staff_grant(user=world.office)
    client.force_login(world.office)
    password = "Xq7!long-enough-pass"
    response = client.post(
        "/admin/auth/user/add/",
        {"username": "newmember", "password1": password, "password2": password},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newmember")
    assert PasswordChangeRequired.objects.filter(user=user).exists()
