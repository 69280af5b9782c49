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
