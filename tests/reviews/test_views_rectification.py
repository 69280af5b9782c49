"""Pages of rectification items: the work lists, an item, its moves."""

import pytest
from django.urls import reverse

PAGES = [
    ("secretary", "/reviews/rectification/", 8),
    ("secretary", "/reviews/rectification/{item}/", 7),
]


@pytest.mark.parametrize("rows", [1, 4])
@pytest.mark.parametrize(("who", "url", "queries"), PAGES)
def test_it_reads_each_page_in_a_fixed_number_of_queries(
    assert_page_queries, who, url, queries, rows
):
    assert_page_queries(who, url, queries, rows)


@pytest.mark.parametrize("move", ["item_done", "item_reply", "item_confirm", "item_reopen"])
@pytest.mark.parametrize("who", ["stranger", "far_office", "other_secretary"])
def test_it_refuses_a_stranger_every_item_move(rworld, client, signed, move, who):
    item = signed.items.order_by("id").first()
    events = item.events.count()
    client.force_login(getattr(rworld, who))
    data = {"text": "已整改", "measures_taken": "已整改", "reply": "已整改"}
    assert client.post(reverse(f"reviews:{move}", args=[item.pk]), data).status_code == 404
    item.refresh_from_db()
    assert item.status == "open" and item.events.count() == events and item.reply == ""
