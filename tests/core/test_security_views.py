"""The security log page and its export: the office reads its subtree, nobody else anything."""

import io

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from openpyxl import load_workbook

from core.security.models import SecurityEvent
from tests.factories import UserFactory


def _line(org_path: str, username: str = "someone", **fields) -> SecurityEvent:
    return SecurityEvent.objects.create(
        action=SecurityEvent.Action.LOGIN,
        result="ok",
        username=username,
        org_path=org_path,
        **fields,
    )


@pytest.fixture
def lines(world):
    return {
        "branch": _line(world.branch.path, "in_branch"),
        "other_branch": _line(world.other_branch.path, "in_other_branch"),
        "far": _line(world.far_town.path, "far_away"),
        "none": _line("", "no_org"),
    }


def _usernames(response) -> set[str]:
    return {e.username for e in response.context["page"]}


def test_it_shows_the_office_its_subtree_only(client, world, lines):
    client.force_login(world.office)
    response = client.get("/security-log/")
    assert response.status_code == 200
    assert {"in_branch", "in_other_branch"} <= _usernames(response)
    assert not {"far_away", "no_org"} & _usernames(response)


def test_it_shows_a_superuser_everything(client, world, lines, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin)
    assert {"in_branch", "far_away", "no_org"} <= _usernames(client.get("/security-log/"))


@pytest.mark.parametrize("who", ["stranger", "secretary", "leader", "member_user"])
def test_it_refuses_anyone_but_an_office(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get("/security-log/").status_code == 403
    assert client.get("/security-log/export/").status_code == 403


def test_it_sends_anonymous_visitors_to_log_in(client, db):
    assert client.get("/security-log/")["Location"].startswith("/login/")


def test_it_filters_by_action_and_username(client, world, lines):
    SecurityEvent.objects.create(
        action=SecurityEvent.Action.EXPORT,
        result="ok",
        username="in_branch",
        org_path=world.branch.path,
    )
    client.force_login(world.office)
    response = client.get("/security-log/", {"action": "export", "username": "in_branch"})
    assert [e.action for e in response.context["page"]] == ["export"]


def test_it_shows_a_bad_filter_gently(client, world, lines):
    client.force_login(world.office)
    response = client.get("/security-log/", {"since": "1900-01-01", "username": "ab"})
    assert response.status_code == 200
    assert response.context["form"].errors
    # A NUL never reaches the view: core.middleware answers with its Chinese 400 page.
    assert client.get("/security-log/", {"username": "a\x00b"}).status_code == 400


def test_it_keeps_the_query_count_flat(client, world, django_assert_num_queries):
    client.force_login(world.office)
    _line(world.branch.path)
    client.get("/security-log/")  # warm
    # session, user, roles (positions, member), count, page
    with django_assert_num_queries(6) as one:
        client.get("/security-log/")
    for i in range(60):
        _line(world.branch.path, f"user{i}")
    with django_assert_num_queries(len(one.captured_queries)):
        client.get("/security-log/")


def test_it_exports_the_subtree_as_text_and_logs_the_export(client, world, lines):
    _line(world.branch.path, '=HYPERLINK("http://x")')
    client.force_login(world.office)
    response = client.get("/security-log/export/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "in_branch" in cells and "far_away" not in cells
    formula = [c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=HYPER")]
    assert formula and all(c.data_type == "s" for c in formula)
    line = SecurityEvent.objects.get(action=SecurityEvent.Action.EXPORT)
    assert line.username == "office" and line.org_path == world.town.path


def test_it_lets_two_sessions_log_out_everywhere_one_after_the_other(db):
    """Both sessions of a user press "log out everywhere": the first ends both; the second is
    no longer signed in and is sent to log in, with no error and nothing else ended."""
    user, other = UserFactory(), UserFactory()
    a, b, someone_else = Client(), Client(), Client()
    a.force_login(user)
    b.force_login(user)
    someone_else.force_login(other)
    assert a.post("/logout/everywhere/")["Location"] == "/login/"
    second = b.post("/logout/everywhere/")
    assert second.status_code == 302 and second["Location"].startswith("/login/")
    assert Session.objects.count() == 1
    assert someone_else.get("/password/").status_code == 200
    assert SecurityEvent.objects.filter(action=SecurityEvent.Action.LOGOUT_EVERYWHERE).count() == 1


def test_it_keeps_two_sessions_of_one_user_apart_at_login_and_logout(db):
    """Logging in twice gives two sessions; logging one out leaves the other signed in."""
    user = UserFactory(username="two_tabs")
    a, b = Client(), Client()
    for session in (a, b):
        response = session.post("/login/", {"username": "two_tabs", "password": "pass12345"})
        assert response.status_code == 302
    assert a.post("/logout/").status_code == 302
    assert a.get("/me/").status_code == 302  # back to the login page
    assert b.get("/me/").status_code == 200
    assert user.is_active
