"""The one way a view fetches an object and refuses a move: not visible is 404, visible but
not allowed is 403 (`require`).

Every model a user reaches has `objects.visible_to(user)`; an object outside it is a 404 (never a
403), so an address does not even tell whether the object exists.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

T = TypeVar("T", bound=models.Model)

# The Q no row matches: what `visible_to` filters by for a user who may see nothing.
NOTHING = Q(pk__in=[])

# Larger than any id a bigint key can hold: the address is a 404, never a database error.
MAX_PK = 2**63 - 1


def get_visible_or_404(queryset: models.QuerySet[T] | type[T], user, pk: int) -> T:
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    if not 0 < pk <= MAX_PK:
        raise Http404
    try:
        return queryset.visible_to(user).get(pk=pk)
    except queryset.model.DoesNotExist as e:
        raise Http404 from e


def require(allowed: bool) -> None:
    """The one refusal of a move on what the user may see: 403 unless the rule allows it.

    Every view reads the same way: fetch through `get_visible_or_404` (not visible: 404, so an
    address does not tell whether the object exists), then `require(rule(user, obj))` (visible
    but not allowed: 403, so the user learns he lacks the right, not that the page is gone).
    """
    if not allowed:
        raise PermissionDenied
