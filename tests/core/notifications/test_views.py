import pytest
from django.contrib.messages import get_messages
from django.test import Client

from core.notifications import selectors, services
from core.notifications.models import Notification, OutboxMessage, Preference
from core.notifications.views import PAGE_SIZE
from tests.factories import UserFactory

LIST = "/notifications/"


def _read(pk: int) -> str:
    return f"/notifications/{pk}/read/"


@pytest.fixture
def inbox_of(make_item):
    def fill(user, count: int) -> list[Notification]:
        return services.notifications_create_many(
            items=[make_item(user, f"pledge:{i}") for i in range(1, count + 1)]
        )

    return fill


@pytest.mark.parametrize("count", [1, PAGE_SIZE * 3])
def test_it_lists_a_page_in_six_queries(client, alice, inbox_of, count, django_assert_num_queries):
    inbox_of(alice, count)
    client.force_login(alice)
    # Session, user, the page's count and rows, the roles of the top bar (2); the bell: none.
    with django_assert_num_queries(6):
        response = client.get(LIST)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(count, PAGE_SIZE)


def test_it_lists_the_newest_first_with_the_unread_marked_and_the_link(client, alice, inbox_of):
    first, second = inbox_of(alice, 2)
    services.notification_mark_read(notification=first, by=alice)
    client.force_login(alice)
    html = client.get(LIST).content.decode()
    assert html.index("/pledges/2/") < html.index("/pledges/1/")
    assert html.count('<span class="badge bg-danger me-1">未读</span>') == 1
    assert 'href="/pledges/2/"' in html
    assert f'action="{_read(second.pk)}"' in html
    assert f'action="{_read(first.pk)}"' not in html


def test_it_shows_only_the_users_own_notifications(client, alice, bob, inbox_of):
    inbox_of(alice, 2)
    client.force_login(bob)
    response = client.get(LIST)
    assert list(response.context["page"].object_list) == []
    assert "暂无通知" in response.content.decode()


def test_it_pages_the_list(client, alice, inbox_of):
    inbox_of(alice, PAGE_SIZE + 1)
    client.force_login(alice)
    page = client.get(LIST, {"page": "2"}).context["page"]
    assert len(page.object_list) == 1
    assert client.get(LIST, {"page": "x"}).status_code == 200
    assert client.get(LIST, {"page": "x\x00"}).status_code == 400


def test_it_sends_a_visitor_to_the_login_page(client, db):
    response = client.get(LIST)
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_it_marks_one_read(client, alice, inbox_of):
    [n] = inbox_of(alice, 1)
    client.force_login(alice)
    response = client.post(_read(n.pk), {"next": f"{LIST}?page=1"})
    assert response.status_code == 302 and response.url == f"{LIST}?page=1"
    n.refresh_from_db()
    assert n.read_at is not None
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["已标为已读"]


def test_it_returns_a_stranger_a_404_and_changes_nothing(client, alice, bob, inbox_of):
    [n] = inbox_of(alice, 1)
    client.force_login(bob)
    assert client.post(_read(n.pk)).status_code == 404
    assert Notification.objects.get().read_at is None


@pytest.mark.parametrize("pk", ["0", "99999999999999999999999"])
def test_it_returns_404_for_an_odd_id(client, alice, pk):
    client.force_login(alice)
    assert client.post(f"/notifications/{pk}/read/").status_code == 404


def test_it_marks_read_only_by_post(client, alice, inbox_of):
    [n] = inbox_of(alice, 1)
    client.force_login(alice)
    assert client.get(_read(n.pk)).status_code == 405
    assert client.get("/notifications/read-all/").status_code == 405


def test_it_never_sends_the_user_to_another_site(client, alice, inbox_of):
    [n] = inbox_of(alice, 1)
    client.force_login(alice)
    response = client.post(_read(n.pk), {"next": "https://evil.example/"})
    assert response.url == LIST


@pytest.mark.parametrize("target", ["x", "logout", "//evil.example/"])
def test_it_goes_back_to_the_list_for_a_next_that_is_no_path(client, alice, inbox_of, target):
    [n] = inbox_of(alice, 1)
    client.force_login(alice)
    for address in (_read(n.pk), "/notifications/read-all/"):
        response = client.post(address, {"next": target})
        assert response.status_code == 302 and response.url == LIST
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_it_marks_all_read_up_to_the_newest_shown(client, alice, inbox_of, make_item):
    shown = inbox_of(alice, 2)
    services.notifications_create_many(items=[make_item(alice, "pledge:9")])
    client.force_login(alice)
    response = client.post("/notifications/read-all/", {"up_to": shown[-1].pk})
    assert response.url == LIST
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["已将 2 条通知标为已读"]
    assert selectors.unread_count(alice) == 1


@pytest.mark.parametrize("up_to", ["abc", "0", "99999999999999999999999"])
def test_it_refuses_a_bad_mark_all_and_changes_nothing(client, alice, inbox_of, up_to):
    inbox_of(alice, 2)
    client.force_login(alice)
    response = client.post("/notifications/read-all/", {"up_to": up_to})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["请求无效，没有标记任何通知"]
    assert selectors.unread_count(alice) == 2


def test_it_marks_all_read_of_the_user_only(client, alice, bob, inbox_of):
    inbox_of(alice, 1)
    inbox_of(bob, 1)
    client.force_login(bob)
    client.post("/notifications/read-all/")
    assert Notification.objects.get(recipient=alice).read_at is None
    assert Notification.objects.get(recipient=bob).read_at is not None


PREFERENCES = "/notifications/preferences/"
SAVE = "/notifications/preferences/save/"
OUTBOX = "/notifications/outbox/"


def test_it_shows_the_preferences_with_the_defaults(client, alice, django_assert_num_queries):
    client.force_login(alice)
    # Session, user, his choices, the roles of the top bar (2).
    with django_assert_num_queries(5):
        response = client.get(PREFERENCES)
    assert response.status_code == 200
    assert response.context["form"].initial == {"email": "immediate"}  # the tests' default
    assert f'action="{SAVE}"' in response.content.decode()


def test_it_saves_the_preferences_through_the_service(client, alice):
    client.force_login(alice)
    response = client.post(SAVE, {"email": "digest"})
    assert response.status_code == 302 and response.url == PREFERENCES
    assert Preference.objects.get(user=alice).mode == "digest"
    assert client.get(PREFERENCES).context["form"].initial == {"email": "digest"}


def test_it_refuses_a_bad_choice_with_a_clear_message(client, alice):
    client.force_login(alice)
    response = client.post(SAVE, {"email": "hourly"})
    assert response.status_code == 400
    assert "请为每个渠道选择" in response.content.decode()
    assert not Preference.objects.exists()


def test_it_saves_preferences_only_by_post(client, alice):
    client.force_login(alice)
    assert client.get(SAVE).status_code == 405


def test_it_sends_a_stranger_to_the_login_for_preferences(client, db):
    assert client.get(PREFERENCES).status_code == 302
    assert client.post(SAVE, {"email": "digest"}).status_code == 302
    assert not Preference.objects.exists()


@pytest.mark.parametrize("count", [1, 60])
def test_it_lists_the_outbox_to_a_superuser(client, db, count, django_assert_num_queries):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    OutboxMessage.objects.bulk_create(
        OutboxMessage(to="a@example.cn", subject=f"通知 {i}", body="正文") for i in range(count)
    )
    client.force_login(admin)
    # Session, user, the page's count and rows, the roles of the top bar (2).
    with django_assert_num_queries(6):
        response = client.get(OUTBOX)
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="outbox-message"') == min(count, 20)


def test_it_refuses_the_outbox_to_anyone_else(client, alice):
    client.force_login(alice)
    assert client.get(OUTBOX).status_code == 403


@pytest.mark.parametrize("move", ["one", "all"])
def test_it_lets_two_sessions_of_the_reader_mark_read_twice(alice, inbox_of, move):
    """The same user in two tabs marks the same notifications read: the second is no error and
    changes nothing; the time of the first reading stays."""
    first, second = inbox_of(alice, 2)
    a, b = Client(), Client()
    a.force_login(alice)
    b.force_login(alice)
    if move == "one":
        url, data = _read(first.pk), {}
    else:
        url, data = "/notifications/read-all/", {"up_to": second.pk}
    assert a.post(url, data).status_code == 302
    read = dict(Notification.objects.values_list("pk", "read_at"))
    response = b.post(url, data, follow=True)
    assert response.status_code == 200
    assert "alert-danger" not in response.content.decode()
    assert dict(Notification.objects.values_list("pk", "read_at")) == read
    assert selectors.unread_count(alice) == (1 if move == "one" else 0)


def test_it_keeps_the_last_choice_of_two_sessions_saving_preferences(alice):
    """His own data: two sessions of the same user save their choices one after the other;
    the second is what he chose last, and neither gives an error."""
    a, b = Client(), Client()
    a.force_login(alice)
    b.force_login(alice)
    assert a.post(SAVE, {"email": "digest"}).status_code == 302
    assert b.post(SAVE, {"email": "immediate"}).status_code == 302
    assert not Preference.objects.filter(user=alice).exists()  # back at his default
    assert a.get(PREFERENCES).context["form"].initial == {"email": "immediate"}
