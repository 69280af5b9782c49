"""Absolute addresses for the share metadata of the public pages (Open Graph): a link pasted
into a chat app is fetched by its server, which needs the whole address (settings.SITE_URL)."""

from django import template
from django.templatetags.static import static
from django.urls import reverse

from ..selectors.public import absolute

register = template.Library()


@register.simple_tag
def absolute_path(path: str) -> str:
    return absolute(path)


@register.simple_tag
def absolute_url(name: str, *args) -> str:
    return absolute(reverse(name, args=args))


@register.simple_tag
def absolute_static(path: str) -> str:
    url = static(path)
    return url if url.startswith(("http://", "https://")) else absolute(url)
