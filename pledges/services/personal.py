"""Reading a member's ID-card number in full: the office editing the roster. Every reading is
a line in the security log, filed under the member's organization (个人信息保护法: who read
whose sensitive information, and when)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from core.security.models import SecurityEvent
from core.security.services import security_log

from ..models import Member
from ..rules import organization as organization_rules


@transaction.atomic
def member_id_card_read(*, member: Member, by, request: HttpRequest | None = None) -> str:
    """The full number, for a page that shows it; logged when there is one to show."""
    if not organization_rules.can_read_id_card(by, member):
        raise PermissionDenied
    if member.id_card:
        security_log(
            action=SecurityEvent.Action.PERSONAL_DATA_READ,
            request=request,
            user=by,
            obj=member,
            object_label=_("%(name)s 的身份证号") % {"name": member.name},
            org_path=member.organization.path,
        )
    return member.id_card
