"""Builders for the publicity tests: notices composed and published through the services."""

import datetime

from django.utils import timezone

from pledges.models import Pledge
from publicity import services
from publicity.compose import candidates
from tests.factories import PledgeFactory

S = Pledge.Status


def today() -> datetime.date:
    return timezone.localdate()


def pledge(w, status, title, member=None, **kw):
    return PledgeFactory(
        owner_org=w.branch,
        owner_member=member,
        status=status,
        title=title,
        created_by=w.secretary,
        published_at=timezone.now() if status in Pledge.PUBLIC_STATUSES else None,
        closed_on=today() if status == S.CLOSED else None,
        close_result="已兑现，群众满意" if status in Pledge.ENDED_STATUSES else "",
        **kw,
    )


def content(sources, **kw) -> services.NoticeContent:
    fields = {
        "title": "东街社区党支部亮诺公示",
        "intro": "公示期内欢迎监督。",
        "starts_on": today(),
        "ends_on": today() + datetime.timedelta(days=6),
        "sources": sources,
    }
    fields.update(kw)
    return services.NoticeContent(**fields)


def compose(w, kind="pledges", by=None, org=None, month=None, sources=None, **kw):
    """A draft notice of every candidate of the kind (or the given sources)."""
    org = org or w.branch
    year = today().year
    if sources is None:
        sources = [c.source for c in candidates(org, kind, year, month)]
    return services.notice_create(
        by=by or w.secretary,
        organization=org,
        kind=kind,
        year=year,
        month=month,
        content=content(sources, **kw),
    )


def publish(w, notice, approver=None):
    services.notice_submit(notice=notice, by=notice.created_by)
    return services.notice_approve(notice=notice, by=approver or w.office)
