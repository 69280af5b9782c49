"""The events of publicity: a notice returned or approved, an opinion received.
Registered from PublicityConfig.ready()."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.notifications.events import EventKind, register
from pledges.notifications import secretary_ids

from .models import Notice, Opinion

NOTICE = "publicity.services.notice"


def _composer(notice: Notice) -> list[int]:
    return [notice.submitted_by_id, notice.created_by_id]


def _notice_returned(notice: Notice) -> tuple[str, str]:
    return (
        _("公示被退回，请修改后重新提交：%(title)s") % {"title": notice.title},
        _("退回原因：%(reason)s") % {"reason": notice.return_reason},
    )


def _notice_approved(notice: Notice) -> tuple[str, str]:
    return (
        _("公示已批准，%(starts)s 起公开：%(title)s")
        % {"title": notice.title, "starts": notice.starts_on.isoformat()},
        "",
    )


def _secretaries(opinion: Opinion) -> list[int]:
    return secretary_ids(opinion.organization_id)


def _opinion_received(opinion: Opinion) -> tuple[str, str]:
    return _("意见箱收到一条新意见，请处理"), opinion.text[:200]


KINDS = (
    EventKind("notice_returned", Notice, _composer, _notice_returned, (f"{NOTICE}.notice_return",)),
    EventKind(
        "notice_approved", Notice, _composer, _notice_approved, (f"{NOTICE}.notice_approve",)
    ),
    EventKind(
        "opinion_received",
        Opinion,
        _secretaries,
        _opinion_received,
        ("publicity.services.opinion.opinion_submit",),
    ),
)


def connect() -> None:
    for kind in KINDS:
        register(kind)
