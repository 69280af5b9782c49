"""The data step of 0009: existing items are linked to the member their typed 责任人 names."""

import importlib

from django.apps import apps

from reviews.models import RectificationItem
from tests.factories import member_subject, signed_review

link = importlib.import_module("reviews.migrations.0009_link_responsible_members").link


def test_it_links_a_typed_name_to_the_member_of_the_items_organization(rworld):
    review = signed_review(rworld.secretary, member_subject(rworld.member), mode="random")
    named, outsider = review.items.order_by("id")
    items = RectificationItem.objects
    items.filter(pk=named.pk).update(responsible="张三", responsible_member=None)
    RectificationItem.objects.filter(pk=outsider.pk).update(responsible="李四")  # other branch
    link(apps, None)
    named.refresh_from_db()
    outsider.refresh_from_db()
    assert named.responsible_member_id == rworld.member.pk
    assert outsider.responsible_member_id is None and outsider.responsible == "李四"
