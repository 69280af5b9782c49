from django.test import Client

from tests.factories import UserFactory


def test_it_lets_a_user_change_an_initial_password(client, db):
    user = UserFactory(username="newbie")
    client.force_login(user)
    assert "修改密码" in client.get("/password/").content.decode()
    response = client.post(
        "/password/",
        {
            "old_password": "pass12345",
            "new_password1": "Hongqi-2026-abc",
            "new_password2": "Hongqi-2026-abc",
        },
    )
    assert response["Location"] == "/password/done/"
    user.refresh_from_db()
    assert user.check_password("Hongqi-2026-abc")


def test_it_sends_anonymous_visitors_to_log_in(client, db):
    assert "/login/" in client.get("/password/")["Location"]


def test_it_refuses_the_second_of_two_sessions_changing_the_password(db):
    """Two sessions of the same user open the form; A changes the password, then B posts the
    old one: B is refused (A's change ended B's session) and A's password is kept."""
    user = UserFactory(username="twice")
    a, b = Client(), Client()
    for session in (a, b):
        session.force_login(user)
    old = "pass12345"
    first = {
        "old_password": old,
        "new_password1": "Hongqi-2026-a",
        "new_password2": "Hongqi-2026-a",
    }
    second = {**first, "new_password1": "Hongqi-2026-b", "new_password2": "Hongqi-2026-b"}
    assert a.post("/password/", first)["Location"] == "/password/done/"
    # A's change ended B's session (its password hash changed): B is sent to log in.
    assert "/login/" in b.post("/password/", second)["Location"]
    user.refresh_from_db()
    assert user.check_password("Hongqi-2026-a")
