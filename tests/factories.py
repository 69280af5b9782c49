"""Factories for every app's tests: build the smallest world a test needs."""

import datetime
import io

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from PIL import ExifTags, Image

from pledges import tallies
from pledges.models import Calendar, Member, Organization, Pledge, Position
from pledges.services.calendar import CalendarContent
from publicity.selectors.notice import candidates as notice_candidates
from publicity.services import notice as notice_services
from reviews.models import (
    EvaluationCode,
    EvaluationResponse,
    MassEvaluation,
    MemberRating,
    Quarter,
    RectificationItem,
    Review,
    Satisfaction,
    SelfEvaluation,
    Subject,
    SubjectKind,
    subject_key_for,
)
from reviews.selectors.dashboard import half_of
from reviews.services import assessment as assessment_services
from reviews.services import duty_report as duty_report_services
from reviews.services import inspection as inspection_services
from reviews.services import mass_evaluation as mass_services
from reviews.services import monthly_rating as monthly_rating_services
from reviews.services import review as review_services
from reviews.services import selection as selection_services
from reviews.services import self_evaluation as self_evaluation_services


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass12345")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        # Save the hashed password, or a session made by force_login is dropped at once.
        if create:
            instance.save(update_fields=["password"])


def make_org(name: str = "", parent: Organization | None = None, **kwargs) -> Organization:
    """Organizations are tree nodes: treebeard computes the path, so no plain factory."""
    level = kwargs.pop(
        "level", Organization.Level.BRANCH if parent else Organization.Level.COMMITTEE
    )
    fields = {
        "name": name or f"组织{Organization.objects.count() + 1}",
        "level": level,
        "field": kwargs.pop("field", Organization.Field.GOVERNMENT),
        **kwargs,
    }
    if parent is None:
        return Organization.objects.add_root(create_kwargs=fields)
    parent.refresh_from_db()
    return Organization.objects.add_child(parent, create_kwargs=fields)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"党员{n}")
    gender = Member.Gender.MALE
    kind = Member.Kind.ON_DUTY
    organization = factory.LazyFunction(lambda: make_org())


def make_position(user, org: Organization, kind: str = Position.Kind.SECRETARY) -> Position:
    return Position.objects.create(user=user, organization=org, kind=kind)


class PledgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pledge

    owner_member = None
    owner_org = factory.LazyAttribute(
        lambda o: o.owner_member.organization if o.owner_member else make_org()
    )
    kind = Pledge.Kind.PRACTICAL
    title = factory.Sequence(lambda n: f"为群众办实事第{n}项")
    measures = "走访群众，建立台账，逐项落实"
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=90))
    expected_result = "群众满意"
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    created_by = factory.SubFactory(UserFactory)


# --- reviews/: subjects, reports, reviews, items, evaluations, assessments ---


def today() -> datetime.date:
    return timezone.localdate()


def org_subject(org) -> Subject:
    return Subject(SubjectKind.ORGANIZATION, org)


def secretary_subject(org) -> Subject:
    return Subject(SubjectKind.SECRETARY, org)


def member_subject(member) -> Subject:
    return Subject(SubjectKind.MEMBER, member.organization, member)


def content(**kwargs) -> review_services.ReviewContent:
    fields = {
        "date": today(),
        "mode": Review.Mode.COLLECTIVE,
        "achievements": "承诺事项推进有力",
        "problems": "群众走访不够",
        "direction": "加强走访",
        "grade": Review.Grade.GOOD,
    }
    fields.update(kwargs)
    return review_services.ReviewContent(**fields)


def items(n: int = 2, days: int = 30) -> list[review_services.ItemContent]:
    return [
        review_services.ItemContent(
            problem=f"问题{i + 1}",
            target=f"目标{i + 1}",
            measures=f"措施{i + 1}",
            responsible="书记",
            deadline=today() + datetime.timedelta(days=days),
        )
        for i in range(n)
    ]


def submit_self_evaluation(subject: Subject, by, quarter: Quarter | None = None):
    quarter = quarter or Quarter.current()
    draft = SelfEvaluation.objects.filter(
        subject_key=subject.key, year=quarter.year, quarter=quarter.quarter
    ).first()
    return self_evaluation_services.self_evaluation_save(
        by=by,
        subject=subject,
        quarter=quarter,
        content=self_evaluation_services.SelfEvaluationContent(
            highlights="做得好", shortcomings="有不足"
        ),
        version=draft.edit_version if draft else 0,
        submit=True,
    )


def draft_review(by, subject: Subject, n_items: int = 2, **content_kwargs) -> Review:
    return review_services.review_create(
        by=by,
        subject=subject,
        quarter=Quarter.current(),
        content=content(**content_kwargs),
        items=items(n_items),
    )


def signed_review(by, subject: Subject, n_items: int = 2, reporter=None, **kw) -> Review:
    if reporter is not None:
        submit_self_evaluation(subject, reporter)
    review = draft_review(by, subject, n_items, **kw)
    return review_services.review_sign(review=review, by=by)


def subject(org=None, member=None) -> dict:
    if member is not None:
        return {
            "subject_kind": SubjectKind.MEMBER,
            "organization": member.organization,
            "member": member,
        }
    return {"subject_kind": SubjectKind.ORGANIZATION, "organization": org}


def make_self_evaluation(quarter, status=SelfEvaluation.Status.SUBMITTED, **subj):
    return SelfEvaluation.objects.create(
        year=quarter.year,
        quarter=quarter.quarter,
        status=status,
        author=UserFactory(),
        **subject(**subj),
    )


def make_review(quarter, grade, status=Review.Status.SIGNED, reviewer=None, **subj):
    return Review.objects.create(
        year=quarter.year,
        quarter=quarter.quarter,
        reviewer=reviewer or UserFactory(),
        date=quarter.start,
        mode=Review.Mode.COLLECTIVE,
        grade=grade,
        status=status,
        **subject(**subj),
    )


def make_item(review, deadline, status=RectificationItem.Status.OPEN):
    return RectificationItem.objects.create(
        review=review,
        subject_kind=review.subject_kind,
        organization=review.organization,
        member=review.member,
        problem="问题",
        measures="措施",
        responsible="书记",
        deadline=deadline,
        status=status,
        confirmed_at=timezone.now() if status == RectificationItem.Status.CONFIRMED else None,
    )


def make_evaluation(org, quarter, ratings, by):
    """An evaluation of the quarter's half with the given organization ratings."""
    evaluation = MassEvaluation.objects.create(
        organization=org,
        year=quarter.year,
        half=half_of(quarter.quarter),
        ends_on=timezone.localdate() + datetime.timedelta(days=10),
        created_by=by,
        closed_at=timezone.now(),  # results count once the evaluation has ended
    )
    EvaluationResponse.objects.bulk_create(
        [EvaluationResponse(evaluation=evaluation, rating=r) for r in ratings]
    )
    tallies.rebuild([org.pk], [MassEvaluation])  # bulk_create sends no signal
    return evaluation


def open_evaluation(w, *, by=None, members=None, codes=0):
    today = timezone.localdate()
    evaluation = mass_services.mass_evaluation_open(
        by=by or w.secretary,
        organization=w.branch,
        year=today.year,
        half=1 if today.month <= 6 else 2,
        ends_on=today + datetime.timedelta(days=10),
        members=[w.member] if members is None else members,
    )
    if codes:
        mass_services.mass_evaluation_codes_issue(
            by=by or w.secretary, evaluation=evaluation, count=codes
        )
    return evaluation


def answer(
    evaluation,
    code,
    rating=Satisfaction.SATISFIED,
    member_rating=Satisfaction.SATISFIED,
    opinion="",
):
    members = evaluation.members.values_list("id", flat=True)
    return mass_services.mass_evaluation_submit(
        code=code,
        rating=rating,
        member_ratings={m: member_rating for m in members},
        opinion=opinion,
        address="10.0.0.1",
    )


def codes_of(evaluation):
    return list(
        EvaluationCode.objects.filter(evaluation=evaluation, used_at__isnull=True)
        .order_by("id")
        .values_list("code", flat=True)
    )


def record(w, by=None, member=None, org=None, grade=Review.Grade.GOOD, **kw):
    return assessment_services.assessment_record(
        by=by or w.office,
        year=timezone.localdate().year,
        organization=org or (member.organization if member else w.branch),
        member=member,
        grade=grade,
        **kw,
    )


def review_post(**extra):
    """What the review form posts: a complete review with two 四定 items."""

    data = {
        "date": today().isoformat(),
        "mode": "on_site",
        "achievements": "成绩突出",
        "problems": "台账不全",
        "direction": "规范台账",
        "grade": "fairly_good",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-0-problem": "台账不全",
        "items-0-target": "台账齐全",
        "items-0-measures": "补齐台账",
        "items-0-responsible": "王书记",
        "items-0-deadline": (today() + datetime.timedelta(days=30)).isoformat(),
        "items-1-problem": "走访少",
        "items-1-target": "每户走访到",
        "items-1-measures": "每周走访",
        "items-1-responsible": "王书记",
        "items-1-deadline": (today() + datetime.timedelta(days=30)).isoformat(),
    }
    data.update(extra)
    return data


# --- publicity: rows in the states the public pages read ------------------------------------


def make_public_review(org, *, reviewer, scope="public", status="published", member=None, **kw):
    """A signed review published with `scope`, about the organization (or a member of it)."""
    q = Quarter.current()
    kind = SubjectKind.MEMBER if member else SubjectKind.ORGANIZATION
    fields = {
        "subject_kind": kind,
        "organization": org,
        "member": member,
        "subject_key": subject_key_for(kind, org.pk, member.pk if member else None),
        "year": q.year,
        "quarter": q.quarter,
        "reviewer": reviewer,
        "date": timezone.localdate(),
        "mode": Review.Mode.ON_SITE,
        "achievements": "承诺推进有力",
        "problems": "走访不够",
        "direction": "加强走访",
        "grade": Review.Grade.GOOD,
        "status": status,
        "scope": scope,
        "published_at": timezone.now() if status == "published" else None,
        **kw,
    }
    return Review.objects.create(**fields)


def make_review_item(review, problem="入户走访不够", status="open"):
    return RectificationItem.objects.create(
        review=review,
        subject_kind=review.subject_kind,
        organization=review.organization,
        member=review.member,
        subject_key=review.subject_key,
        problem=problem,
        measures="每周走访 5 户",
        responsible="书记",
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        status=status,
        confirmed_at=timezone.now() if status == "confirmed" else None,
    )


def make_ended_evaluation(org, *, by, answers=30, opinion="", members=()):
    """A mass evaluation of this half that has ended, with `answers` 满意 answers."""
    today = timezone.localdate()
    evaluation = MassEvaluation.objects.create(
        organization=org,
        year=today.year,
        half=1 if today.month <= 6 else 2,
        ends_on=today,
        closed_at=timezone.now(),
        created_by=by,
    )
    evaluation.members.set(members)
    responses = EvaluationResponse.objects.bulk_create(
        EvaluationResponse(evaluation=evaluation, rating="satisfied", opinion=opinion)
        for _ in range(answers)
    )
    MemberRating.objects.bulk_create(
        MemberRating(response=r, member=m, rating="basic") for r in responses for m in members
    )
    return evaluation


def returned_redo(w, review: Review, reasons) -> Review:
    """`review` sent back by the office with `reasons`, and the reviewer's redo of it."""
    review_services.review_return(review=review, by=w.office, reasons=reasons)
    return review_services.review_redo(review=review, by=w.branch_leader)


# --- publicity: notices composed and published through the services --------------------------


def branch_pledge(w, status, title, member=None, **kw) -> Pledge:
    """A pledge of `w.branch` in `status`, with the dates and results that status implies."""
    return PledgeFactory(
        owner_org=w.branch,
        owner_member=member,
        status=status,
        title=title,
        created_by=w.secretary,
        published_at=timezone.now() if status in Pledge.PUBLIC_STATUSES else None,
        closed_on=today() if status == Pledge.Status.CLOSED else None,
        close_result="已兑现，群众满意" if status in Pledge.ENDED_STATUSES else "",
        **kw,
    )


def notice_content(sources, **kw) -> notice_services.NoticeContent:
    fields = {
        "title": "东街社区党支部亮诺公示",
        "intro": "公示期内欢迎监督。",
        "starts_on": today(),
        "ends_on": today() + datetime.timedelta(days=6),
        "sources": sources,
    }
    fields.update(kw)
    return notice_services.NoticeContent(**fields)


def compose_notice(w, kind="pledges", by=None, org=None, month=None, sources=None, **kw):
    """A draft notice of every candidate of the kind (or the given sources)."""
    org = org or w.branch
    year = today().year
    if sources is None:
        sources = [c.source for c in notice_candidates(org, kind, year, month)]
    return notice_services.notice_create(
        by=by or w.secretary,
        organization=org,
        kind=kind,
        year=year,
        month=month,
        content=notice_content(sources, **kw),
    )


def publish_notice(w, notice, approver=None):
    notice_services.notice_submit(notice=notice, by=notice.created_by)
    return notice_services.notice_approve(notice=notice, by=approver or w.office)


def gps_jpeg(width: int = 2000, height: int = 1500) -> bytes:
    """A phone photo: a JPEG whose EXIF names the device and the place it was taken."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "PhoneModel X"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (39.0, 54.0, 26.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (116.0, 23.0, 29.0),
    }
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def open_inspection(office, org, kind="regular", **kw):
    """A half-yearly check (or, with kind="spot" and sample_size, a spot check) of this half."""
    today = timezone.localdate()
    return inspection_services.inspection_round_open(
        by=office,
        organization=org,
        kind=kind,
        year=kw.pop("year", today.year),
        half=kw.pop("half", 1 if today.month <= 6 else 2),
        **kw,
    )


def issue_inspection_notice(office, target, problems="承诺未全部公开", days=30):
    return inspection_services.inspection_notice_issue(
        target=target,
        by=office,
        problems=problems,
        requirements="一周内在公开栏补充公开全部承诺",
        deadline=timezone.localdate() + datetime.timedelta(days=days),
    )


def this_month() -> tuple[int, int]:
    day = timezone.localdate()
    return day.year, day.month


def rate_month(w, grades: dict, *, by=None, org=None, month=None, publish=False):
    """Rate members for a month (this one unless given): {member: [grade per criterion]}."""
    year, m = month or this_month()
    org = org or w.branch
    changes = [
        monthly_rating_services.RatingChange(member, None, {"grades": g, "version": 0})
        for member, g in grades.items()
    ]
    saved, errors = monthly_rating_services.monthly_ratings_save(
        by=by or w.secretary, organization=org, year=year, month=m, changes=changes
    )
    assert not errors, errors
    sheet = org.monthly_rating_sheets.get(year=year, month=m)
    if publish:
        monthly_rating_services.monthly_rating_sheet_publish(by=by or w.secretary, sheet=sheet)
    return sheet


def submitted_duty_report(w, *, org=None, member=None, by=None, text="一年来……"):
    report = duty_report_services.duty_report_save(
        by=by or w.secretary,
        organization=org or w.branch,
        member=member,
        year=timezone.localdate().year,
        text=text,
        version=0,
    )
    return duty_report_services.duty_report_submit(by=by or w.secretary, report=report)


# --- a committee's calendar ------------------------------------------------------------------


def make_calendar(org, year, cadence="half", scale="three"):
    """A committee's own calendar row for the year, as stored (the service refuses one once
    the year is under way)."""
    return Calendar.objects.create(
        organization=org,
        year=year,
        review_cadence=cadence,
        grade_scale=scale,
        filing_first_half=datetime.date(year, 7, 15),
        filing_second_half=datetime.date(year + 1, 1, 15),
    )


def calendar_content(**kwargs):
    """What the calendar form posts as a service call: the bureau's half-yearly 好/中/差."""
    year = kwargs.pop("year", today().year)
    fields = {
        "pledge_period": "half",
        "review_cadence": "half",
        "mass_evaluation_cadence": "half",
        "grade_scale": "three",
        "filing_first_half": datetime.date(year, 7, 15),
        "filing_second_half": datetime.date(year + 1, 1, 15),
    }
    fields.update(kwargs)
    return CalendarContent(**fields)


def open_selection(w, *, honour="excellent_member", quotas=None, by=None, org=None, year=None):
    """A round opened by the town office: one place for each branch unless told."""
    org = org or w.town
    return selection_services.selection_round_open(
        by=by or w.office,
        organization=org,
        content=selection_services.RoundContent(
            honour=honour,
            title="七一评选表彰",
            year=year or today().year,
            nominations_due=today() + datetime.timedelta(days=7),
            quotas=quotas or {w.branch.pk: 2, w.other_branch.pk: 1},
        ),
    )


def nominate(selection, unit, nominee, by, reason="践诺突出，群众满意", caution_reason=""):
    key = f"o:{nominee.pk}" if isinstance(nominee, Organization) else f"m:{nominee.pk}"
    return selection_services.nomination_create(
        by=by,
        selection=selection,
        unit=unit,
        content=selection_services.NominationContent(
            nominee=key, reason=reason, caution_reason=caution_reason
        ),
    )


def publicise_selection(w, selection, approver=None):
    """The office shortlists every nomination and puts the short list on an approved 公示
    (composed by the office, approved by a colleague)."""
    ids = list(selection.nominations.values_list("pk", flat=True))
    selection_services.selection_round_shortlist(
        by=w.office, selection=selection, nomination_ids=ids, version=selection.edit_version
    )
    if approver is None:
        approver = UserFactory()
        make_position(approver, selection.organization, Position.Kind.OFFICE)
    notice = compose_notice(w, kind="selection", by=w.office, org=selection.organization)
    notice_services.notice_submit(notice=notice, by=w.office)
    notice_services.notice_approve(notice=notice, by=approver)
    selection.refresh_from_db()
    return notice


def end_publicity(selection):
    """The 公示 window lies in the past (only tests and the demo move dates)."""
    type(selection).objects.filter(pk=selection.pk).update(
        publicity_starts_on=today() - datetime.timedelta(days=10),
        publicity_ends_on=today() - datetime.timedelta(days=3),
    )
    selection.refresh_from_db()
