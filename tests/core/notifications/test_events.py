"""Events: one registry of kinds, one `notify` call per move, queued on commit, once."""

import importlib
import inspect

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from core.exports.models import ExportJob
from core.notifications import events
from core.notifications.models import Notification

# Every service that hands someone work or news (issue 16 §4). A new one belongs here AND
# under a kind in its app's `notifications` module; this list is what makes a missing kind fail.
WORK_SERVICES = [
    "pledges.services.pledge.pledge_return",
    "pledges.services.pledge.pledge_approve",
    "pledges.services.pledge.pledge_publish",
    "reviews.services.review.review_sign",
    "reviews.services.review.review_return",
    "reviews.services.letter.letter_issue",
    "reviews.services.letter.letter_reply",
    "reviews.services.rectification.rectification_item_raise",
    "reviews.services.rectification.rectification_item_done",
    "reviews.services.rectification.rectification_item_reply",
    "reviews.services.rectification.rectification_item_reopen",
    "reviews.services.inspection.inspection_notice_issue",
    "reviews.services.inspection.inspection_notice_answer",
    "reviews.services.inspection.inspection_notice_recheck",
    "reviews.services.selection.selection_round_open",
    "reviews.services.selection.selection_publicise",
    "reviews.services.selection.selection_round_decide",
    "publicity.services.notice.notice_return",
    "publicity.services.notice.notice_approve",
    "publicity.services.opinion.opinion_submit",
    "core.exports.background._finish",
    "core.exports.background._fail",
]


def _function(path: str):
    module, name = path.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


def _kind_of() -> dict[str, str]:
    return {path: kind.name for kind in events.kinds().values() for path in kind.services}


@pytest.mark.parametrize("path", WORK_SERVICES)
def test_it_maps_every_service_that_hands_someone_work_to_a_kind(path):
    kind = _kind_of().get(path)
    assert kind, f"{path} changes someone's work but no event kind lists it"
    source = inspect.getsource(_function(path))
    assert f'notify(kind="{kind}"' in source, f"{path} does not emit {kind}"


def test_it_lists_only_services_that_exist():
    for path in _kind_of():
        assert callable(_function(path)), path


def test_it_refuses_two_kinds_of_one_name():
    kind = events.get("export_finished")
    events.register(kind)  # the same one again: harmless
    with pytest.raises(ImproperlyConfigured):
        events.register(events.EventKind(kind.name, ExportJob, lambda s: [], lambda s: ("x", "")))


def test_it_refuses_an_unknown_kind_at_the_call(alice):
    job = ExportJob.objects.create(requester=alice, kind="fake", params={}, title="t")
    with pytest.raises(LookupError):
        events.notify(kind="no_such_kind", subject=job)


def _job(user, status=ExportJob.Status.DONE):
    return ExportJob.objects.create(
        requester=user, kind="fake", params={}, title="台账", status=status
    )


def test_it_tells_the_person_once_the_move_commits(alice, django_capture_on_commit_callbacks):
    job = _job(alice)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        events.notify(kind="export_finished", subject=job)
        assert not Notification.objects.exists()  # nothing inside the move
    assert callbacks[0].__name__ == "queue_event"
    [n] = Notification.objects.all()
    assert (n.recipient, n.kind, n.subject_key) == (
        alice,
        "export_finished",
        f"core.exportjob:{job.pk}",
    )
    assert n.link == f"/exports/{job.pk}/"


def test_it_tells_nobody_when_the_move_rolls_back(alice, django_capture_on_commit_callbacks):
    job = _job(alice)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            events.notify(kind="export_finished", subject=job)
            raise RuntimeError
    assert callbacks == []
    assert not Notification.objects.exists()


def test_it_reads_nothing_inside_the_move(alice, django_assert_num_queries):
    job = _job(alice)
    with django_assert_num_queries(0):
        events.notify(kind="export_finished", subject=job)


def test_it_stores_an_event_once_however_often_its_task_runs(alice):
    job = _job(alice)
    key = events.moment_key()
    assert events.deliver_event("export_finished", job.pk, None, key) == 1
    assert events.deliver_event("export_finished", job.pk, None, key) == 0
    assert Notification.objects.count() == 1


def test_it_tells_two_moves_apart(alice):
    job = _job(alice)
    events.deliver_event("export_finished", job.pk, None, "20261207090000000001")
    events.deliver_event("export_finished", job.pk, None, "20261207090000000002")
    assert Notification.objects.count() == 2


def test_it_never_tells_the_mover_of_his_own_move(alice):
    job = _job(alice)
    assert events.deliver_event("export_finished", job.pk, alice.pk, events.moment_key()) == 0


def test_it_tells_nobody_of_a_subject_deleted_since(alice):
    job = _job(alice)
    pk = job.pk
    job.delete()
    assert events.deliver_event("export_finished", pk, None, events.moment_key()) == 0


def test_it_emails_the_event_with_an_absolute_link(alice, mailoutbox):
    job = _job(alice)
    events.deliver_event("export_finished", job.pk, None, events.moment_key())
    [message] = mailoutbox
    assert f"https://pledges.example.cn/exports/{job.pk}/" in message.body


def test_it_never_fails_the_move_when_the_broker_is_down(
    alice, monkeypatch, django_capture_on_commit_callbacks
):
    def down(*args, **kwargs):
        raise OSError("broker unreachable")

    monkeypatch.setattr(events.deliver_event, "delay", down)
    job = _job(alice)
    with django_capture_on_commit_callbacks(execute=True):
        events.notify(kind="export_finished", subject=job)
    assert not Notification.objects.exists()
