from pledges.office_admin import make_office_staff
from tests.factories import MemberFactory, UserFactory


def test_it_shows_the_office_only_its_subtree_in_admin(world, client):
    make_office_staff(world.office)
    MemberFactory(name="远郊党员", organization=world.far_town)
    client.force_login(world.office)
    body = client.get("/admin/pledges/member/").content.decode()
    assert "张三" in body and "李四" in body
    assert "远郊党员" not in body
    orgs = client.get("/admin/pledges/organization/").content.decode()
    assert "东街社区党支部" in orgs and "远郊镇党委" not in orgs


def test_it_never_lets_the_office_grant_superuser(world, client):
    make_office_staff(world.office)
    client.force_login(world.office)
    url = f"/admin/auth/user/{world.office.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert "is_superuser" not in page.content.decode()
    client.post(url, {"username": "office", "is_active": "on", "is_superuser": "on"})
    world.office.refresh_from_db()
    assert not world.office.is_superuser


def test_it_hides_other_subtrees_logins_from_the_office(world, client):
    make_office_staff(world.office)
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
    make_office_staff(world.office)
    client.force_login(world.office)
    assert client.get("/admin/pledges/organization/add/").status_code == 403
    assert client.get("/admin/pledges/pledge/").status_code == 200
