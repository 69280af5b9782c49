"""述职: write, submit, and record each audience's 测评."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.errors import TransitionError
from core.notifications.models import Notification
from reviews.models import DutyReport, DutyReportTally
from reviews.services import duty_report as services
from tests.factories import submitted_duty_report

YEAR = lambda: timezone.localdate().year  # noqa: E731  (read at use: a run may cross midnight)
VOTES = {"good": 20, "fairly_good": 8, "average": 2, "poor": 0}


def _tally(world, report, by=None, version=0, **kw):
    return services.duty_report_tally_record(
        by=by or world.office,
        report=report,
        audience=kw.pop("audience", DutyReportTally.Audience.MEMBERS),
        held_on=kw.pop("held_on", timezone.localdate()),
        counts=kw.pop("counts", VOTES),
        version=version,
    )


def test_it_writes_changes_and_submits_the_secretary_s_report(world):
    report = services.duty_report_save(
        by=world.secretary, organization=world.branch, year=YEAR(), text="初稿", version=0
    )
    report = services.duty_report_save(
        by=world.secretary, organization=world.branch, year=YEAR(), text="定稿", version=1
    )
    services.duty_report_submit(by=world.secretary, report=report)
    report.refresh_from_db()
    assert (report.text, report.status, report.submitted_by) == (
        "定稿",
        "submitted",
        world.secretary,
    )
    with pytest.raises(TransitionError, match="已提交"):
        services.duty_report_save(
            by=world.secretary, organization=world.branch, year=YEAR(), text="x", version=2
        )


def test_it_tells_the_office_a_report_awaits_its_evaluation(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted_duty_report(world)
    assert list(Notification.objects.values_list("recipient_id", "kind")) == [
        (world.office.pk, "duty_report_submitted")
    ]


def test_it_lets_a_member_report_and_refuses_strangers(world):
    services.duty_report_save(
        by=world.member_user,
        organization=world.branch,
        member=world.member,
        year=YEAR(),
        text="我的述职",
        version=0,
    )
    for user in (world.other_secretary, world.office, world.leader):
        with pytest.raises(PermissionDenied):
            services.duty_report_save(
                by=user, organization=world.branch, year=YEAR(), text="x", version=0
            )
    with pytest.raises(TransitionError, match="请填写"):
        services.duty_report_save(
            by=world.secretary, organization=world.branch, year=YEAR(), text=" ", version=0
        )
    assert DutyReport.objects.count() == 1


def test_it_records_a_tally_only_on_a_submitted_report_and_refuses_odd_counts(world):
    draft = services.duty_report_save(
        by=world.secretary, organization=world.branch, year=YEAR(), text="x", version=0
    )
    with pytest.raises(TransitionError, match="提交后"):
        _tally(world, draft)
    services.duty_report_submit(by=world.secretary, report=draft)
    with pytest.raises(TransitionError, match="票数"):
        _tally(world, draft, counts={**VOTES, "poor": 10**12})
    with pytest.raises(TransitionError, match="请填写测评票数"):
        _tally(world, draft, counts={})
    with pytest.raises(TransitionError, match="日期"):
        _tally(world, draft, held_on=timezone.localdate() + datetime.timedelta(days=2))
    with pytest.raises(PermissionDenied):
        _tally(world, draft, by=world.leader)
    tally = _tally(world, draft, by=world.secretary)
    assert (tally.total, round(tally.good_rate, 2)) == (30, 0.93)
    tally = _tally(world, draft, counts={**VOTES, "poor": 1}, version=1)
    assert tally.poor == 1 and tally.edit_version == 2
    with pytest.raises(TransitionError, match="已被修改"):
        _tally(world, draft, version=1)


def test_it_adds_each_code_s_grade_to_its_audience_s_tally_once(world):
    report = submitted_duty_report(world)
    codes = services.duty_report_codes_issue(
        by=world.secretary, report=report, audience="committee", count=3
    )
    assert len({c.code for c in codes}) == 3
    services.duty_report_vote(code=codes[0].code.lower(), grade="good", address="10.0.0.1")
    services.duty_report_vote(code=codes[1].code, grade="average", address="10.0.0.1")
    tally = DutyReportTally.objects.get(audience="committee")
    assert (tally.good, tally.average, tally.total) == (1, 1, 2)
    with pytest.raises(services.CodeRefused, match="已经使用过"):
        services.duty_report_vote(code=codes[0].code, grade="poor", address="10.0.0.1")
    with pytest.raises(TransitionError, match="请选择"):
        services.duty_report_vote(code=codes[2].code, grade="best", address="10.0.0.1")
    # A paper tally opened before the votes is stale now: it would overwrite them.
    with pytest.raises(TransitionError, match="已被修改"):
        _tally(world, report, audience="committee", version=1)


def test_it_refuses_codes_for_a_draft_or_too_many(world):
    draft = services.duty_report_save(
        by=world.secretary, organization=world.branch, year=YEAR(), text="x", version=0
    )
    with pytest.raises(TransitionError, match="提交后"):
        services.duty_report_codes_issue(
            by=world.secretary, report=draft, audience="members", count=3
        )
    services.duty_report_submit(by=world.secretary, report=draft)
    with pytest.raises(TransitionError, match="1 至 200"):
        services.duty_report_codes_issue(
            by=world.secretary, report=draft, audience="members", count=201
        )


def test_it_reminds_secretaries_of_their_report_in_late_november_until_handed_in(world):
    year = YEAR()
    assert services.duty_report_due(datetime.date(year, 11, 19)) == []
    assert services.duty_report_due(datetime.date(year, 12, 11)) == []
    due = services.duty_report_due(datetime.date(year, 11, 20))
    assert sorted(i.recipient_id for i in due) == sorted(
        [world.secretary.pk, world.other_secretary.pk]
    )
    submitted_duty_report(world)
    due = services.duty_report_due(datetime.date(year, 12, 10))
    assert [i.recipient_id for i in due] == [world.other_secretary.pk]
