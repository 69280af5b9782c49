from django import template

from pledges.models import Pledge
from pledges.personal import mask_id_card
from pledges.rules.organization import can_view_organization

register = template.Library()


@register.filter
def viewable_by(org, user) -> bool:
    """For breadcrumbs: link only the organizations this person may open (no queries)."""
    return can_view_organization(user, org)


_LABELS = {name: Pledge._meta.get_field(name).verbose_name for name in Pledge.CONTENT_FIELDS}


@register.filter
def field_label(name: str) -> str:
    """The Chinese label of a pledge field named in a history entry."""
    return _LABELS.get(name, name)


@register.filter
def masked_id_card(value) -> str:
    """An ID-card number as every page shows it but the member's own and the office's roster."""
    return mask_id_card(value)
