"""The events of reviews: a review sent back by the office, a letter issued or answered, a
rectification item assigned, answered or re-opened; a selection round opened, its short list
publicised, its decision; a filing filed, received or returned. Registered from
ReviewsConfig.ready()."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.notifications.events import EventKind, register
from pledges.models import Member, Organization, Position
from pledges.notifications import member_user_ids, secretary_ids

from .models import (
    DutyReport,
    Filing,
    InspectionNotice,
    MonthlyRatingSheet,
    Nomination,
    RectificationItem,
    Review,
    SelectionQuota,
    SelectionRound,
    SubjectKind,
    SuggestionLetter,
)


def _reviewer(review: Review) -> list[int]:
    return [review.reviewer_id]


def _review_returned(review: Review) -> tuple[str, str]:
    reasons = "、".join(str(Review.ReturnReason(r).label) for r in review.return_reasons)
    return (
        _("点评被抽查退回（三不过关），请重新点评：%(review)s") % {"review": review},
        _("退回原因：%(reasons)s %(remark)s")
        % {"reasons": reasons, "remark": review.return_remark},
    )


def _review_subject(review: Review) -> list[int]:
    """Whom the review is about: the member's login, else the organization's secretaries."""
    if review.subject_kind == SubjectKind.MEMBER:
        return member_user_ids(review.member_id)
    return secretary_ids(review.organization_id)


def _review_signed(review: Review) -> tuple[str, str]:
    return (
        _("收到点评（%(grade)s），整改事项 %(n)d 项，请按时整改")
        % {"grade": review.get_grade_display(), "n": review.items.count()},
        review.problems[:500],
    )


def _letter_member(letter: SuggestionLetter) -> list[int]:
    return member_user_ids(letter.member_id)


def _letter_issuer(letter: SuggestionLetter) -> list[int]:
    return [letter.issued_by_id]


def _letter_issued(letter: SuggestionLetter) -> tuple[str, str]:
    return (
        _("您收到建议书 %(number)s，请在 %(deadline)s 前回复")
        % {"number": letter.number, "deadline": letter.deadline.isoformat()},
        letter.problems[:500],
    )


def _letter_replied(letter: SuggestionLetter) -> tuple[str, str]:
    return (
        _("建议书 %(number)s 已回复，请审阅办结") % {"number": letter.number},
        letter.reply[:500],
    )


def _item_subject(item: RectificationItem) -> list[int]:
    """Whom the item is about (the member's login, else the secretaries), and its 责任人 when
    he is a member of the organization with a login."""
    if item.subject_kind == SubjectKind.MEMBER:
        ids = member_user_ids(item.member_id)
    else:
        ids = secretary_ids(item.organization_id)
    # 定责任人: a member picked from the roll is linked; someone from outside has no login here.
    linked = Member.objects.filter(pk=item.responsible_member_id)
    responsible = (
        linked.values_list("user_id", flat=True).first() if item.responsible_member_id else None
    )
    return [*ids, responsible]


def _item_checker(item: RectificationItem) -> list[int]:
    """Who confirms the item: the reviewer whose review raised it, else whoever raised it."""
    if item.review_id is not None:
        return [Review.objects.filter(pk=item.review_id).values_list("reviewer_id", flat=True)[0]]
    return [item.raised_by_id]


def _item_raised(item: RectificationItem) -> tuple[str, str]:
    return (
        _("整改事项交给您办理，时限 %(deadline)s") % {"deadline": item.deadline.isoformat()},
        item.problem[:500],
    )


def _item_answered(item: RectificationItem) -> tuple[str, str]:
    return (
        _("%(subject)s 报告了整改情况，请审核") % {"subject": item.subject_name},
        (item.reply or item.measures_taken)[:500],
    )


def _item_reopened(item: RectificationItem) -> tuple[str, str]:
    return (
        _("整改事项须重新整改，时限 %(deadline)s") % {"deadline": item.deadline.isoformat()},
        _("原因：%(reason)s") % {"reason": item.reopen_reason},
    )


def _notice_branch(notice: InspectionNotice) -> list[int]:
    return secretary_ids(notice.organization_id)


def _notice_issuer(notice: InspectionNotice) -> list[int]:
    return [notice.issued_by_id]


def _notice_issued(notice: InspectionNotice) -> tuple[str, str]:
    return (
        _("收到整改通知书 %(number)s，请在 %(deadline)s 前整改并报告")
        % {"number": notice.number, "deadline": notice.deadline.isoformat()},
        notice.problems[:500],
    )


def _notice_answered(notice: InspectionNotice) -> tuple[str, str]:
    return (
        _("%(org)s 报告了整改通知书 %(number)s 的整改情况，请复验")
        % {"org": notice.organization.name, "number": notice.number},
        notice.answer[:500],
    )


def _notice_rechecked(notice: InspectionNotice) -> tuple[str, str]:
    if notice.status == InspectionNotice.Status.PASSED:
        title = _("整改通知书 %(number)s 复验通过")
    else:
        title = _("整改通知书 %(number)s 复验未通过，请在 %(deadline)s 前重新整改")
    return (
        title % {"number": notice.number, "deadline": notice.deadline.isoformat()},
        notice.recheck_remark[:500],
    )


def _sheet_members(sheet: MonthlyRatingSheet) -> list[int]:
    """The rated members with a login: their standing is now public."""
    return list(
        sheet.ratings.filter(member__user__is_active=True).values_list("member__user_id", flat=True)
    )


def _sheet_published(sheet: MonthlyRatingSheet) -> tuple[str, str]:
    return (
        _("%(org)s %(y)d年%(m)d月党员评比结果已公布")
        % {"org": sheet.organization.name, "y": sheet.year, "m": sheet.month},
        _("评比结果已在本支部公开页面向群众公开。"),
    )


def _report_offices(report: DutyReport) -> list[int]:
    """Who records the 测评 and grades the year: the offices at or above the organization."""
    paths = [*report.organization.ancestor_paths(), report.organization.path]
    return list(
        Position.objects.filter(
            kind=Position.Kind.OFFICE, organization__path__in=paths, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def _report_submitted(report: DutyReport) -> tuple[str, str]:
    return (
        _("%(name)s 提交了%(year)d年度述职报告，请组织测评")
        % {"name": report.reporter_name, "year": report.year},
        report.text[:500],
    )


def _quota_secretaries(selection: SelectionRound) -> list[int]:
    """The secretaries of the organizations given places: they nominate (one query)."""
    units = SelectionQuota.objects.filter(round=selection).values("organization_id")
    return list(
        Position.objects.filter(
            organization_id__in=units, kind=Position.Kind.SECRETARY
        ).values_list("user_id", flat=True)
    )


def _nominating_people(selection: SelectionRound) -> list[int]:
    """The secretaries of the organizations that nominated, and the nominees' own logins."""
    nominations = Nomination.objects.filter(round=selection)
    units = Position.objects.filter(
        organization_id__in=nominations.values("unit_id"), kind=Position.Kind.SECRETARY
    ).values_list("user_id", flat=True)
    nominees = Member.objects.filter(
        pk__in=nominations.exclude(status=Nomination.Status.NOMINATED).values("member_id")
    ).values_list("user_id", flat=True)
    return [*units, *nominees]


def _selection_opened(selection: SelectionRound) -> tuple[str, str]:
    return (
        _("%(title)s已开始推荐，请于 %(due)s 前推荐")
        % {"title": selection.title, "due": selection.nominations_due.isoformat()},
        str(selection.get_honour_display()),
    )


def _selection_publicised(selection: SelectionRound) -> tuple[str, str]:
    return (
        _("%(title)s拟表彰名单公示至 %(ends)s")
        % {"title": selection.title, "ends": selection.publicity_ends_on.isoformat()},
        "",
    )


def _selection_decided(selection: SelectionRound) -> tuple[str, str]:
    return _("%(title)s表彰名单已公布") % {"title": selection.title}, ""


SELECTION = "reviews.services.selection"


def _filing_office(filing: Filing) -> list[int]:
    """The office of the nearest committee above the branch that has one (one query)."""
    org = Organization(path=filing.organization.path, depth=filing.organization.depth)
    rows = Position.objects.filter(
        kind=Position.Kind.OFFICE, organization__path__in=org.ancestor_paths()
    ).values_list("user_id", "organization__depth")
    nearest = max((depth for _user, depth in rows), default=None)
    return [user for user, depth in rows if depth == nearest]


def _filing_branch(filing: Filing) -> list[int]:
    return [*secretary_ids(filing.organization_id), filing.filed_by_id]


def _filing_filed(filing: Filing) -> tuple[str, str]:
    return (
        _("%(org)s报送了%(period)s备案材料，请查收")
        % {"org": filing.organization.name, "period": filing.period_label},
        "",
    )


def _filing_received(filing: Filing) -> tuple[str, str]:
    return _("%(period)s备案材料已被接收") % {"period": filing.period_label}, ""


def _filing_returned(filing: Filing) -> tuple[str, str]:
    return (
        _("%(period)s备案材料被退回，请修改后重新报送") % {"period": filing.period_label},
        _("退回原因：%(reason)s") % {"reason": filing.return_reason},
    )


LETTER = "reviews.services.letter"
FILING = "reviews.services.filing"
INSPECTION = "reviews.services.inspection"
ITEM = "reviews.services.rectification"

KINDS = (
    EventKind(
        "review_signed",
        Review,
        _review_subject,
        _review_signed,
        ("reviews.services.review.review_sign",),
    ),
    EventKind(
        "review_returned",
        Review,
        _reviewer,
        _review_returned,
        ("reviews.services.review.review_return",),
    ),
    EventKind(
        "letter_issued",
        SuggestionLetter,
        _letter_member,
        _letter_issued,
        (f"{LETTER}.letter_issue",),
    ),
    EventKind(
        "letter_replied",
        SuggestionLetter,
        _letter_issuer,
        _letter_replied,
        (f"{LETTER}.letter_reply",),
    ),
    EventKind(
        "rectification_assigned",
        RectificationItem,
        _item_subject,
        _item_raised,
        (f"{ITEM}.rectification_item_raise",),
    ),
    EventKind(
        "rectification_answered",
        RectificationItem,
        _item_checker,
        _item_answered,
        (f"{ITEM}.rectification_item_done", f"{ITEM}.rectification_item_reply"),
    ),
    EventKind(
        "rectification_reopened",
        RectificationItem,
        _item_subject,
        _item_reopened,
        (f"{ITEM}.rectification_item_reopen",),
    ),
    EventKind(
        "inspection_notice_issued",
        InspectionNotice,
        _notice_branch,
        _notice_issued,
        (f"{INSPECTION}.inspection_notice_issue",),
    ),
    EventKind(
        "inspection_notice_answered",
        InspectionNotice,
        _notice_issuer,
        _notice_answered,
        (f"{INSPECTION}.inspection_notice_answer",),
    ),
    EventKind(
        "inspection_notice_rechecked",
        InspectionNotice,
        _notice_branch,
        _notice_rechecked,
        (f"{INSPECTION}.inspection_notice_recheck",),
    ),
    EventKind(
        "monthly_rating_published",
        MonthlyRatingSheet,
        _sheet_members,
        _sheet_published,
        ("reviews.services.monthly_rating.monthly_rating_sheet_publish",),
    ),
    EventKind(
        "duty_report_submitted",
        DutyReport,
        _report_offices,
        _report_submitted,
        ("reviews.services.duty_report.duty_report_submit",),
    ),
    EventKind(
        "selection_opened",
        SelectionRound,
        _quota_secretaries,
        _selection_opened,
        (f"{SELECTION}.selection_round_open",),
    ),
    EventKind(
        "selection_publicised",
        SelectionRound,
        _nominating_people,
        _selection_publicised,
        (f"{SELECTION}.selection_publicise",),
    ),
    EventKind(
        "selection_decided",
        SelectionRound,
        _nominating_people,
        _selection_decided,
        (f"{SELECTION}.selection_round_decide",),
    ),
    EventKind("filing_filed", Filing, _filing_office, _filing_filed, (f"{FILING}.filing_submit",)),
    EventKind(
        "filing_received",
        Filing,
        _filing_branch,
        _filing_received,
        (f"{FILING}.filing_receive",),
    ),
    EventKind(
        "filing_returned",
        Filing,
        _filing_branch,
        _filing_returned,
        (f"{FILING}.filing_return",),
    ),
)


def connect() -> None:
    for kind in KINDS:
        register(kind)
