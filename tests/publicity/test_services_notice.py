"""Notices: compose, submit, approve, window, snapshot, correction, withdrawal."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.errors import TransitionError
from core.security.models import SecurityEvent
from core.versions import StaleEdit
from publicity.models import Notice
from publicity.services import notice as notice_services
from reviews.models import AnnualAssessment
from tests.factories import compose_notice, notice_content, publish_notice, today

Status = Notice.Status


def test_it_composes_a_draft_from_every_published_pledge(pub):
    notice = compose_notice(pub)
    headings = [i.heading for i in notice.items.all()]
    assert notice.status == Status.DRAFT
    assert any("修缮社区活动室" in h for h in headings)
    assert any("帮扶困难群众" in h for h in headings)
    assert not any("不得公开" in h for h in headings)


def test_it_refuses_a_draft_pledge_slipped_into_the_post(pub):
    with pytest.raises(TransitionError):
        compose_notice(pub, sources=[f"pledge:{pub.published.pk}", f"pledge:{pub.draft.pk}"])
    assert not Notice.objects.exists()


@pytest.mark.parametrize("who", ["other_secretary", "member_user", "stranger", "far_office"])
def test_it_refuses_a_stranger_composing(pub, who):
    with pytest.raises(PermissionDenied):
        compose_notice(pub, by=getattr(pub, who))


def test_it_lets_the_office_compose_for_its_subtree(pub):
    assert compose_notice(pub, by=pub.office).organization == pub.branch


def test_it_refuses_a_window_that_ends_before_it_starts(pub):
    with pytest.raises(TransitionError):
        compose_notice(pub, ends_on=today() - datetime.timedelta(days=1))


def test_it_refuses_a_title_over_the_limit(pub):
    with pytest.raises(TransitionError):
        compose_notice(pub, title="长" * 201)


def test_it_goes_live_only_once_approved_by_the_office(pub):
    notice = compose_notice(pub)
    notice_services.notice_submit(notice=notice, by=pub.secretary)
    assert not Notice.objects.live().exists()
    notice_services.notice_approve(notice=notice, by=pub.office)
    assert list(Notice.objects.live()) == [notice]


@pytest.mark.parametrize("who", ["secretary", "other_secretary", "member_user", "far_office"])
def test_it_refuses_approval_by_anyone_but_the_office_or_a_higher_organization(pub, who):
    notice = compose_notice(pub)
    notice_services.notice_submit(notice=notice, by=pub.secretary)
    with pytest.raises((PermissionDenied, TransitionError)):
        notice_services.notice_approve(notice=notice, by=getattr(pub, who))


def test_it_refuses_the_submitter_approving_his_own(pub):
    notice = compose_notice(pub, by=pub.office)
    notice_services.notice_submit(notice=notice, by=pub.office)
    with pytest.raises(TransitionError):
        notice_services.notice_approve(notice=notice, by=pub.office)


def test_it_returns_a_notice_with_a_reason(pub):
    notice = compose_notice(pub)
    notice_services.notice_submit(notice=notice, by=pub.secretary)
    notice_services.notice_return(notice=notice, by=pub.office, reason="请补充说明")
    notice.refresh_from_db()
    assert (notice.status, notice.return_reason) == (Status.RETURNED, "请补充说明")


def _at(monkeypatch, day: datetime.date) -> None:
    """A fixed clock: noon of `day` in the site's time zone."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_it_is_live_from_the_window_start_to_its_end_then_archived(pub, monkeypatch):
    start = today() + datetime.timedelta(days=3)
    notice = compose_notice(pub, starts_on=start, ends_on=start + datetime.timedelta(days=6))
    publish_notice(pub, notice)
    assert not Notice.objects.public().exists()  # approved, window not begun
    _at(monkeypatch, start)
    assert list(Notice.objects.live()) == [notice]
    _at(monkeypatch, start + datetime.timedelta(days=6))
    assert list(Notice.objects.live()) == [notice]
    _at(monkeypatch, start + datetime.timedelta(days=7))
    assert not Notice.objects.live().exists()
    assert list(Notice.objects.past()) == [notice]


def test_it_keeps_the_published_text_when_the_pledge_changes(pub):
    notice = publish_notice(pub, compose_notice(pub))
    pub.published.title = "改过的标题"
    pub.published.measures = "改过的措施"
    pub.published.save()
    texts = str([(i.heading, i.lines) for i in notice.items.all()])
    assert "修缮社区活动室" in texts and "改过的" not in texts


def test_it_corrects_with_a_new_version_and_keeps_the_old_one(pub):
    old = publish_notice(pub, compose_notice(pub))
    pub.published.title = "修缮社区活动室（更正）"
    pub.published.save()
    new = notice_services.notice_correct(
        notice=old,
        by=pub.secretary,
        note="承诺事项名称有误",
        content=notice_content([f"pledge:{pub.published.pk}"]),
    )
    assert (new.correction_number, new.previous, new.status) == (2, old, Status.DRAFT)
    publish_notice(pub, new)
    old.refresh_from_db()
    assert old.status == Status.SUPERSEDED
    assert list(Notice.objects.live()) == [new]
    assert old in Notice.objects.public()
    assert "（更正）" in new.items.get().heading
    assert "（更正）" not in old.items.get(source=f"pledge:{pub.published.pk}").heading


def test_it_refuses_a_correction_without_saying_what(pub):
    old = publish_notice(pub, compose_notice(pub))
    with pytest.raises(TransitionError):
        notice_services.notice_correct(
            notice=old, by=pub.secretary, note=" ", content=notice_content(["x"])
        )


def test_it_withdraws_with_a_reason(pub):
    notice = publish_notice(pub, compose_notice(pub))
    notice_services.notice_withdraw(notice=notice, by=pub.secretary, reason="内容有误")
    notice.refresh_from_db()
    assert (notice.status, notice.withdraw_reason) == (Status.WITHDRAWN, "内容有误")
    assert not Notice.objects.live().exists()
    assert notice in Notice.objects.past()


def test_it_refuses_a_withdrawal_without_a_reason(pub):
    notice = publish_notice(pub, compose_notice(pub))
    with pytest.raises(TransitionError):
        notice_services.notice_withdraw(notice=notice, by=pub.secretary, reason="")


def test_it_refuses_a_stranger_withdrawing(pub):
    notice = publish_notice(pub, compose_notice(pub))
    with pytest.raises(PermissionDenied):
        notice_services.notice_withdraw(notice=notice, by=pub.other_secretary, reason="x")


def test_it_puts_a_pledge_on_the_next_notice_in_one_click(pub):
    first = notice_services.notice_add_pledge(pledge=pub.published, by=pub.secretary)
    again = notice_services.notice_add_pledge(pledge=pub.running, by=pub.secretary)
    notice_services.notice_add_pledge(pledge=pub.running, by=pub.secretary)
    assert first == again and first.status == Status.DRAFT
    assert sorted(first.items.values_list("source", flat=True)) == sorted(
        [f"pledge:{pub.published.pk}", f"pledge:{pub.running.pk}"]
    )


def test_it_refuses_one_click_for_an_unpublished_pledge(pub):
    with pytest.raises(TransitionError):
        notice_services.notice_add_pledge(pledge=pub.submitted, by=pub.secretary)


def test_it_publishes_the_annual_grades_with_their_notice(pub):
    notice = compose_notice(pub, kind="assessments")
    publish_notice(pub, notice)
    assert AnnualAssessment.objects.get().published_at is not None


def test_it_composes_every_kind(pub):
    month = today().month
    # A 评选表彰公示 is composed from a round's short list (test_selection_notice.py).
    for kind in set(Notice.Kind.values) - {Notice.Kind.SELECTION}:
        notice = compose_notice(pub, kind=kind, month=month if kind == "progress" else None)
        assert notice.items.exists(), kind


def test_it_hides_phone_numbers_typed_into_a_record(pub):
    notice = compose_notice(pub, kind="progress", month=today().month)
    assert "13800138000" not in str(notice.items.get().lines)


def test_it_logs_publication_and_withdrawal_under_the_organization(pub):
    notice = publish_notice(pub, compose_notice(pub))
    notice_services.notice_withdraw(notice=notice, by=pub.office, reason="内容有误")
    lines = SecurityEvent.objects.filter(object_id=str(notice.pk)).order_by("id")
    assert [line.action for line in lines] == ["publish", "withdraw"]
    assert {line.org_path for line in lines} == {notice.organization.path}


# --- lost updates and input limits (issue 9 §1) ----------------------------------------------


def test_it_refuses_the_older_of_two_notice_edits(pub):
    notice = compose_notice(pub)
    seen = notice.edit_version
    sources = list(notice.items.values_list("source", flat=True))
    notice_services.notice_update(
        notice=notice, by=pub.secretary, content=notice_content(sources, title="书记改的标题"),
        version=seen,
    )  # fmt: skip
    with pytest.raises(StaleEdit) as refused:
        notice_services.notice_update(
            notice=notice, by=pub.office, content=notice_content(sources, intro="办公室改的说明"),
            version=seen,
        )  # fmt: skip
    assert "标题" in str(refused.value) and "公示说明" in str(refused.value)
    notice.refresh_from_db()
    assert notice.title == "书记改的标题"


def test_it_refuses_a_notice_edit_without_a_version(pub):
    notice = compose_notice(pub)
    with pytest.raises(StaleEdit, match="缺少版本信息"):
        notice_services.notice_update(
            notice=notice, by=pub.secretary, content=notice_content([]), version=None
        )


def test_it_refuses_an_overlong_return_reason(pub):
    notice = compose_notice(pub)
    notice_services.notice_submit(notice=notice, by=pub.secretary)
    with pytest.raises(TransitionError, match="不能超过"):
        notice_services.notice_return(notice=notice, by=pub.office, reason="因" * 100_000)
