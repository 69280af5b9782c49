"""Each organization's live notices as an Atom feed (Django's syndication framework)."""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from pledges.models import Organization

from . import selectors
from .models import Notice


class OrganizationFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, org_pk: int) -> Organization:
        org = selectors.public_org(org_pk)
        if org is None:
            raise Http404
        return org

    def title(self, obj: Organization) -> str:
        return _("%(org)s 公示") % {"org": obj.name}

    def link(self, obj: Organization) -> str:
        return reverse("publicity:organization", args=[obj.pk])

    def subtitle(self, obj: Organization) -> str:
        return _("一诺三评三公开：正在公示的内容")

    def items(self, obj: Organization) -> list[Notice]:
        return selectors.live_notices_with_items(obj)

    def item_title(self, item: Notice) -> str:
        return item.title

    def item_description(self, item: Notice) -> str:
        return render_to_string("publicity/_feed_item.html", {"notice": item})

    def item_link(self, item: Notice) -> str:
        return item.public_url()

    def item_pubdate(self, item: Notice) -> datetime.datetime:
        return timezone.make_aware(
            datetime.datetime.combine(item.starts_on, datetime.time.min),
            timezone.get_current_timezone(),
        )

    def item_updateddate(self, item: Notice) -> datetime.datetime:
        return item.approved_at or self.item_pubdate(item)
