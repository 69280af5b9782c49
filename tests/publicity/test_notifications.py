"""Publicity's events: the composer hears his notice was returned or approved; the secretary
hears an opinion arrived for his organization."""

from core.notifications.models import Notification
from publicity.services import notice as notice_services
from publicity.services import opinion as opinion_services
from tests.factories import compose_notice


def _told(kind):
    return sorted(n.recipient.username for n in Notification.objects.filter(kind=kind))


def test_it_tells_the_composer_his_notice_was_returned(pub, django_capture_on_commit_callbacks):
    notice = compose_notice(pub)
    notice_services.notice_submit(notice=notice, by=pub.secretary)
    with django_capture_on_commit_callbacks(execute=True):
        notice_services.notice_return(notice=notice, by=pub.office, reason="请补充说明")
    assert _told("notice_returned") == ["secretary"]
    assert "请补充说明" in Notification.objects.get(kind="notice_returned").body


def test_it_tells_the_composer_his_notice_was_approved(pub, django_capture_on_commit_callbacks):
    notice = compose_notice(pub)
    notice_services.notice_submit(notice=notice, by=pub.secretary)
    with django_capture_on_commit_callbacks(execute=True):
        notice_services.notice_approve(notice=notice, by=pub.office)
    assert _told("notice_approved") == ["secretary"]


def test_it_tells_the_secretary_of_an_opinion(pub, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        opinion = opinion_services.opinion_submit(
            organization=pub.branch,
            content=opinion_services.OpinionContent(text="路灯坏了"),
            address="10.9.9.9",
        )
    assert _told("opinion_received") == ["secretary"]
    n = Notification.objects.get(kind="opinion_received")
    assert n.link == opinion.get_absolute_url() and "路灯坏了" in n.body
