from django.core.cache import cache

from core.notifications import selectors, services


def test_it_counts_the_unread_at_login(client, alice, make_item, django_assert_num_queries):
    services.notifications_create_many(items=[make_item(alice)])
    cache.clear()
    client.force_login(alice)
    with django_assert_num_queries(0):
        assert selectors.unread_count(alice) == 1
