"""Every change to reports, reviews, rectification items and suggestion letters.

Each function is keyword-only, atomic, checks the permission and the state, writes, and
records who did it. Views, demo data and tests all go through these.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pledges.errors import TransitionError
from pledges.files import check_evidence_file
from pledges.models import Member, Organization, Pledge

from . import permissions, selectors
from .models import (
    Quarter,
    RectificationEvent,
    RectificationEvidence,
    RectificationItem,
    Review,
    ReviewAmendment,
    SelfEvaluation,
    Subject,
    SubjectKind,
    SuggestionLetter,
)

Status = Review.Status
ItemStatus = RectificationItem.Status
ItemAction = RectificationEvent.Action


def _lock(obj) -> None:
    """Lock the row, then reload the caller's instance so it sees the committed state."""
    list(type(obj).objects.select_for_update().filter(pk=obj.pk).values_list("pk"))
    obj.refresh_from_db()


# --- self-evaluation ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReportContent:
    pledge_notes: str = ""
    highlights: str = ""
    shortcomings: str = ""
    next_steps: str = ""


def report_initial(subject: Subject, quarter: Quarter) -> dict:
    """Pre-filled pledge facts and a sentence summarising them, for a new report."""
    facts = selectors.pledge_facts(subject, quarter.year)
    notes = _(
        "本年度承诺 %(total)d 项：已兑现 %(closed)d 项，推进中 %(in_progress)d 项，"
        "滞后 %(behind)d 项。"
    ) % {
        "total": facts["pledges_total"],
        "closed": facts["pledges_closed"],
        "in_progress": facts["pledges_in_progress"],
        "behind": facts["pledges_behind"],
    }
    return {**facts, "pledge_notes": notes}


@transaction.atomic
def report_save(
    *, by, subject: Subject, quarter: Quarter, content: ReportContent, submit: bool = False
) -> SelfEvaluation:
    """Write (or rewrite) the subject's quarterly report; submitting freezes the pledge facts."""
    if not permissions.can_write_report(by, subject):
        raise PermissionDenied
    _lock_subject(subject)  # a double-posted first save makes one report, not an error
    report = (
        SelfEvaluation.objects.select_for_update()
        .filter(subject_key=subject.key, year=quarter.year, quarter=quarter.quarter)
        .first()
    )
    if report is not None and report.status == SelfEvaluation.Status.SUBMITTED:
        raise TransitionError(_("该季度的自查自评已报送，不能再修改"))
    if submit and not (content.highlights.strip() and content.shortcomings.strip()):
        raise TransitionError(_("报送前请填写主要成绩和存在不足"))
    if report is None:
        report = SelfEvaluation(
            **subject.fields(), year=quarter.year, quarter=quarter.quarter, author=by
        )
    for name, value in asdict(content).items():
        setattr(report, name, value.strip())
    if submit:
        for name, value in selectors.pledge_facts(subject, quarter.year).items():
            setattr(report, name, value)
        report.status = SelfEvaluation.Status.SUBMITTED
        report.submitted_at = timezone.now()
    report.save()
    return report


# --- leader reviews ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewContent:
    date: datetime.date
    mode: str
    achievements: str = ""
    problems: str = ""
    direction: str = ""
    grade: str = ""


@dataclass(frozen=True)
class ItemContent:
    problem: str
    measures: str
    responsible: str
    deadline: datetime.date


def _check_content(content: ReviewContent, quarter: Quarter) -> None:
    if content.mode not in Review.Mode.values:
        raise TransitionError(_("点评方式无效"))
    if content.grade and content.grade not in Review.Grade.values:
        raise TransitionError(_("点评等次无效"))
    if content.date > timezone.localdate():
        raise TransitionError(_("点评日期不能晚于今天"))
    if content.date < quarter.start:
        raise TransitionError(_("点评日期不能早于所评季度"))


def _check_items(
    items: Sequence[ItemContent],
    date: datetime.date,
    kept: Sequence[RectificationItem] = (),
) -> None:
    """`kept` are the items carried into a redo, in form order: their deadline may well be
    past by the time of the redo, and only a changed deadline is checked again."""
    for n, item in enumerate(items):
        if not (item.problem.strip() and item.measures.strip() and item.responsible.strip()):
            raise TransitionError(_("整改事项须写明问题、措施、责任人和时限（四定）"))
        if n < len(kept) and item.deadline == kept[n].deadline:
            continue
        if item.deadline < date:
            raise TransitionError(_("整改时限不能早于点评日期"))


def _submitted_report(subject: Subject, year: int, quarter: int) -> SelfEvaluation | None:
    return SelfEvaluation.objects.filter(
        subject_key=subject.key,
        year=year,
        quarter=quarter,
        status=SelfEvaluation.Status.SUBMITTED,
    ).first()


def _lock_subject(subject: Subject) -> None:
    """Serialise writes about one subject: a double-posted form or a second tab waits here
    and then sees the first one's review."""
    if subject.kind == SubjectKind.MEMBER:
        rows = Member.objects.filter(pk=subject.member.pk)
    else:
        rows = Organization.objects.filter(pk=subject.organization.pk)
    list(rows.select_for_update().values_list("pk"))


def _refuse_duplicate(by, subject: Subject, quarter: Quarter) -> None:
    existing = selectors.existing_review(by=by, subject=subject, quarter=quarter)
    if existing is None:
        return
    if existing.status == Status.DRAFT:
        raise TransitionError(_("您已有该对象本季度的点评草稿，请继续编辑该草稿"))
    if existing.status == Status.RETURNED:
        raise TransitionError(_("该对象本季度的点评已被抽查退回，请在原点评上“重新点评”"))
    raise TransitionError(_("您本季度已对该对象签认过点评，请对原点评办理更正"))


@transaction.atomic
def review_create(
    *,
    by,
    subject: Subject,
    quarter: Quarter,
    content: ReviewContent,
    items: Sequence[ItemContent] = (),
) -> Review:
    """A draft review; the reviewer can change it freely until he signs it. One review per
    reviewer, subject and quarter: a second one is refused, not left as a stray draft."""
    if not permissions.can_review(by, subject):
        raise PermissionDenied
    _lock_subject(subject)
    _refuse_duplicate(by, subject, quarter)
    _check_content(content, quarter)
    _check_items(items, content.date)
    review = Review.objects.create(
        **subject.fields(),
        year=quarter.year,
        quarter=quarter.quarter,
        reviewer=by,
        report=_submitted_report(subject, quarter.year, quarter.quarter),
        **asdict(content),
    )
    _add_items(review, items)
    return review


@transaction.atomic
def review_update(
    *, review: Review, by, content: ReviewContent, items: Sequence[ItemContent]
) -> Review:
    if not permissions.can_edit_review(by, review):
        raise PermissionDenied
    _lock(review)  # a stale form from a second tab sees the review already signed
    if review.status != Status.DRAFT:
        raise TransitionError(_("已签认的点评已锁定，更正请办理修正记录"))
    _check_content(content, review.quarter_obj)
    _check_items(items, content.date, _carried(review))
    for name, value in asdict(content).items():
        setattr(review, name, value)
    review.save()
    _replace_or_keep(review, items)
    return review


def _add_items(review: Review, items: Sequence[ItemContent]) -> None:
    subject = Subject.of(review)
    RectificationItem.objects.bulk_create(
        RectificationItem(
            review=review,
            **subject.fields(),
            problem=i.problem.strip(),
            measures=i.measures.strip(),
            responsible=i.responsible.strip(),
            deadline=i.deadline,
        )
        for i in items
    )


def _carried(review: Review) -> list[RectificationItem]:
    """Items carried over from a returned version (they have history), in form order."""
    return list(review.items.filter(events__isnull=False).distinct().order_by("id"))


def _replace_or_keep(review: Review, items: Sequence[ItemContent]) -> None:
    """Draft items without history are replaced by the form's; items carried over from a
    returned version are kept and updated in place while still open."""
    kept = _carried(review)
    review.items.filter(events__isnull=True).delete()
    for item, content in zip(kept, items, strict=False):
        if item.status in RectificationItem.PENDING_STATUSES:
            item.problem, item.measures = content.problem.strip(), content.measures.strip()
            item.responsible, item.deadline = content.responsible.strip(), content.deadline
            item.save()
    _add_items(review, items[len(kept) :])


@transaction.atomic
def review_delete_draft(*, review: Review, by) -> None:
    if not permissions.can_edit_review(by, review):
        raise PermissionDenied
    _lock(review)
    if review.status != Status.DRAFT or review.redo_of_id:
        raise TransitionError(_("只有尚未签认的点评草稿可以删除"))
    review.items.all().delete()
    review.delete()


@transaction.atomic
def review_sign(*, review: Review, by) -> Review:
    """The reviewer confirms the review; it is then locked and its items are owed."""
    if not permissions.can_edit_review(by, review):
        raise PermissionDenied
    _lock(review)
    if review.status != Status.DRAFT:
        raise TransitionError(_("只有草稿可以签认"))
    if not permissions.can_review(by, Subject.of(review)):
        raise PermissionDenied
    if not review.grade:
        raise TransitionError(_("签认前请评定等次"))
    if not (review.achievements.strip() and review.problems.strip() and review.direction.strip()):
        raise TransitionError(_("签认前请写明肯定的成绩、指出的问题和努力方向"))
    report = _submitted_report(Subject.of(review), review.year, review.quarter)
    if report is None and review.mode not in Review.MODES_WITHOUT_REPORT:
        raise TransitionError(
            _("点评对象尚未报送本季度自查自评：先报后评，只有现场点评和随机点评可以不经自评")
        )
    already = Review.objects.filter(
        reviewer=review.reviewer,
        subject_key=review.subject_key,
        year=review.year,
        quarter=review.quarter,
        status__in=Review.LOCKED_STATUSES,
    ).exists()
    if already:
        raise TransitionError(_("您本季度已对该对象签认过点评，请对原点评办理更正"))
    if review.redo_of_id:
        _check_redo(review, report)
    review.report = report
    review.without_report = report is None
    review.status = Status.SIGNED
    review.signed_at = timezone.now()
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError as e:
        # A second tab signing at the same moment: the constraint has the last word.
        raise TransitionError(_("您本季度已对该对象签认过点评，请对原点评办理更正")) from e
    new_items = review.items.filter(events__isnull=True)
    RectificationEvent.objects.bulk_create(
        RectificationEvent(item=item, actor=by, action=ItemAction.CREATE) for item in new_items
    )
    return review


def _check_redo(review: Review, report: SelfEvaluation | None) -> None:
    """A redo answers the spot check: it must change something, and what was named."""
    old = review.redo_of
    reasons = set(old.return_reasons)
    fields = ("mode", "achievements", "problems", "direction", "grade")
    changed = any(getattr(review, f).strip() != getattr(old, f).strip() for f in fields)
    new_items = review.items.filter(created_at__gt=old.returned_at).exists()
    if not (changed or new_items):
        raise TransitionError(_("重新点评与被退回的点评内容相同，请针对退回原因修改后再签认"))
    if Review.ReturnReason.NO_PROBLEM in reasons and (
        review.problems.strip() == old.problems.strip()
    ):
        raise TransitionError(_("退回原因是没有指出存在的不足：请重新写明指出的问题"))
    if Review.ReturnReason.NO_MEASURE in reasons and not review.items.exists():
        raise TransitionError(
            _("退回原因是没有提出具体可行的整改措施：请至少列出一项整改事项（四定）")
        )
    if Review.ReturnReason.NO_REPORT in reasons and report is None:
        raise TransitionError(_("退回原因是未审阅自查自评：请待点评对象报送本季度自查自评后再签认"))


@transaction.atomic
def review_publish(*, review: Review, by, scope: str = Review.Scope.ORGANIZATION) -> Review:
    if not permissions.can_publish_review(by, review):
        raise PermissionDenied
    _lock(review)
    if review.status != Status.SIGNED:
        raise TransitionError(_("只有已签认的点评可以公开"))
    if scope not in Review.Scope.values:
        raise TransitionError(_("公开范围无效"))
    review.status = Status.PUBLISHED
    review.scope = scope
    review.published_at = timezone.now()
    review.save(update_fields=["status", "scope", "published_at"])
    return review


@transaction.atomic
def review_amend(
    *, review: Review, by, content: ReviewContent, reason: str, seen: int | None = None
) -> Review:
    """A correction to a signed review: recorded with the old and new values. `seen` is the
    number of amendments the form was made from: a stale form would silently undo a later
    correction, so it is refused."""
    if not permissions.can_edit_review(by, review):
        raise PermissionDenied
    _lock(review)
    if review.status not in Review.LOCKED_STATUSES:
        raise TransitionError(_("只有已签认或已公开的点评可以更正"))
    if seen is not None and review.amendments.count() != seen:
        raise TransitionError(_("点评在您打开此页后已被更正过，请按当前内容重新填写"))
    if not reason.strip():
        raise TransitionError(_("更正时请写明原因"))
    _check_content(content, review.quarter_obj)
    if not content.grade:
        raise TransitionError(_("请评定等次"))
    changes = {}
    for name, new in asdict(content).items():
        old = getattr(review, name)
        if old != new:
            changes[name] = [str(old), str(new)]
            setattr(review, name, new)
    if not changes:
        raise TransitionError(_("内容没有变化"))
    review.save(update_fields=list(changes))
    ReviewAmendment.objects.create(review=review, by=by, reason=reason.strip(), changes=changes)
    return review


@transaction.atomic
def review_return(*, review: Review, by, reasons: Sequence[str], remark: str = "") -> Review:
    """抽查退回: the office sends a signed review back under "三不过关"; it must be redone."""
    if not permissions.can_spot_check(by, review):
        raise PermissionDenied
    _lock(review)
    if review.status not in Review.LOCKED_STATUSES:
        raise TransitionError(_("只有已签认或已公开的点评可以抽查退回"))
    reasons = [r for r in dict.fromkeys(reasons) if r in Review.ReturnReason.values]
    if not reasons:
        raise TransitionError(_("请勾选退回原因（三不过关）"))
    review.status = Status.RETURNED
    review.return_reasons = reasons
    review.return_remark = remark.strip()
    review.returned_by, review.returned_at = by, timezone.now()
    review.save(
        update_fields=["status", "return_reasons", "return_remark", "returned_by", "returned_at"]
    )
    return review


@transaction.atomic
def review_redo(*, review: Review, by) -> Review:
    """Start the redo of a returned review: a new draft with the old content and items; the
    returned version stays on record unchanged."""
    if not permissions.can_edit_review(by, review):
        raise PermissionDenied
    _lock(review)  # a double-click starts one redo, not an IntegrityError
    if review.status != Status.RETURNED:
        raise TransitionError(_("只有被抽查退回的点评需要重新点评"))
    if Review.objects.filter(redo_of=review).exists():
        raise TransitionError(_("已开始重新点评"))
    fields = {name: getattr(review, name) for name in Review.CONTENT_FIELDS}
    fields["date"] = max(fields["date"], timezone.localdate())
    redo = Review.objects.create(
        **Subject.of(review).fields(),
        year=review.year,
        quarter=review.quarter,
        reviewer=by,
        scope=review.scope,
        report=_submitted_report(Subject.of(review), review.year, review.quarter),
        redo_of=review,
        **fields,
    )
    # The items (and the subject's work on them) move to the new version.
    review.items.update(review=redo)
    return redo


# --- content prompts ---------------------------------------------------------------------

# Lazy: these are read per request, in the language of that request.
FIVE_GOODS = (
    gettext_lazy("领导班子好：班子团结、战斗力强"),
    gettext_lazy("党员队伍好：党员发挥先锋模范作用"),
    gettext_lazy("工作机制好：民主管理、制度落实"),
    gettext_lazy("工作业绩好：中心工作和承诺事项完成情况"),
    gettext_lazy("群众反映好：党风廉政、解决群众关心的民生问题"),
)
FIVE_LEADS = (
    gettext_lazy("带头学习提高"),
    gettext_lazy("带头争创佳绩：立足岗位、践行承诺"),
    gettext_lazy("带头服务群众：为群众办实事、好事"),
    gettext_lazy("带头遵纪守法"),
    gettext_lazy("带头弘扬正气"),
)
FIELD_PROMPTS = {
    Organization.Field.RURAL: gettext_lazy("带领群众增收致富、村务公开和民主管理"),
    Organization.Field.COMMUNITY: gettext_lazy("服务居民、化解矛盾纠纷、社区治理"),
    Organization.Field.GOVERNMENT: gettext_lazy("机关作风效能、服务基层和群众"),
    Organization.Field.SCHOOL: gettext_lazy("教书育人、师德师风、家校联系"),
    Organization.Field.MEDICAL: gettext_lazy("医德医风、改善服务、方便患者"),
    Organization.Field.STATE_ENTERPRISE: gettext_lazy("生产经营、改革发展、职工群众利益"),
    Organization.Field.NEW_ECONOMY: gettext_lazy("企业健康发展、职工合法权益、党组织作用发挥"),
    Organization.Field.MASS: gettext_lazy("联系服务所代表的群众"),
}
MEMBER_KIND_PROMPTS = {
    Member.Kind.LEADING_CADRE: gettext_lazy("德能勤绩廉：分管工作、联系群众、廉洁自律"),
    Member.Kind.ON_DUTY: gettext_lazy("本职工作完成情况、岗位争优"),
    Member.Kind.RETIRED: gettext_lazy("发挥余热、参与社区服务和志愿活动"),
    Member.Kind.MOBILE: gettext_lazy("与组织保持联系、按时汇报（可书面点评）"),
    Member.Kind.RURAL: gettext_lazy("设岗定责、履行党员义务、带头致富"),
}


def review_prompts(subject: Subject) -> list[str]:
    """What to comment on: 五个好 for organizations, 五带头 / 德能勤绩廉 for members, adjusted
    by the organization's field and the member's kind."""
    field_prompt = FIELD_PROMPTS.get(subject.organization.field)
    if subject.kind == SubjectKind.MEMBER:
        prompts = [str(p) for p in FIVE_LEADS]
        prompts.append(str(_("承诺践诺：承诺事项的兑现情况")))
        kind_prompt = MEMBER_KIND_PROMPTS.get(subject.member.kind)
        if kind_prompt:
            prompts.append(str(kind_prompt))
        if subject.member.probationary:
            prompts.append(str(_("预备期表现、入党动机和培养考察情况")))
        return prompts
    if subject.kind == SubjectKind.SECRETARY:
        prompts = [
            str(_("抓党建工作责任制落实情况")),
            str(_("班子带头人作用、民主作风")),
            str(_("德能勤绩廉")),
        ]
    else:
        prompts = [str(p) for p in FIVE_GOODS]
        prompts.append(str(_("承诺践诺：3–5 项组织承诺的兑现情况")))
    if field_prompt:
        prompts.append(str(field_prompt))
    return prompts


# --- rectification -----------------------------------------------------------------------


def _item_event(item: RectificationItem, by, action: str, remark: str = "") -> None:
    RectificationEvent.objects.create(item=item, actor=by, action=action, remark=remark)


def _locked_item(item: RectificationItem) -> RectificationItem:
    _lock(item)
    if not item.is_issued:
        raise TransitionError(_("点评尚未签认，整改事项尚未下达"))
    return item


@transaction.atomic
def item_raise(
    *,
    by,
    organization: Organization,
    problem: str,
    measures: str,
    responsible: str,
    deadline: datetime.date,
    remark: str = "",
) -> RectificationItem:
    """A rectification item of an organization without a leader review behind it: a problem
    the people raised (群众提出的问题纳入整改). `remark` says where it came from."""
    if not permissions.can_raise_item(by, organization):
        raise PermissionDenied
    content = ItemContent(
        problem=problem, measures=measures, responsible=responsible, deadline=deadline
    )
    if deadline < timezone.localdate():
        raise TransitionError(_("整改时限不能早于今天"))
    if len(responsible.strip()) > 100:
        raise TransitionError(_("责任人不能超过 100 个字"))
    _check_items([content], deadline)
    item = RectificationItem.objects.create(
        **Subject(SubjectKind.ORGANIZATION, organization).fields(),
        review=None,
        raised_by=by,
        problem=problem.strip(),
        measures=measures.strip(),
        responsible=responsible.strip(),
        deadline=deadline,
    )
    _item_event(item, by, ItemAction.CREATE, remark.strip()[:500])
    return item


@transaction.atomic
def item_done(
    *,
    item: RectificationItem,
    by,
    measures_taken: str,
    reply: str = "",
    files: Sequence[UploadedFile] = (),
) -> RectificationItem:
    """The subject records what was done (with evidence) and reports the item finished."""
    if not permissions.can_work_on_item(by, item):
        raise PermissionDenied
    item = _locked_item(item)
    if item.status not in RectificationItem.PENDING_STATUSES:
        raise TransitionError(_("只有整改中或重新整改的事项可以报整改完成"))
    if not measures_taken.strip():
        raise TransitionError(_("请填写整改落实情况"))
    checked = [(f, check_evidence_file(f)) for f in files]
    for upload, content_type in checked:
        RectificationEvidence.objects.create(
            item=item,
            file=upload,
            original_name=upload.name[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=by,
        )
    item.status = ItemStatus.DONE
    item.measures_taken = measures_taken.strip()
    if reply.strip():
        item.reply = reply.strip()
    item.done_by, item.done_at = by, timezone.now()
    item.save()
    _item_event(item, by, ItemAction.DONE, item.measures_taken[:500])
    if reply.strip():
        _item_event(item, by, ItemAction.REPLY, item.reply[:500])
    return item


@transaction.atomic
def item_reply(*, item: RectificationItem, by, text: str) -> RectificationItem:
    """重点问题整改落实情况及时回复点评人: the subject's reply, at any stage before 销号."""
    if not permissions.can_work_on_item(by, item):
        raise PermissionDenied
    item = _locked_item(item)
    if item.status == ItemStatus.CONFIRMED:
        raise TransitionError(_("已销号的事项不能再回复"))
    if not text.strip():
        raise TransitionError(_("请填写回复内容"))
    item.reply = text.strip()
    item.save(update_fields=["reply"])
    _item_event(item, by, ItemAction.REPLY, item.reply[:500])
    return item


@transaction.atomic
def item_confirm(*, item: RectificationItem, by, remark: str = "") -> RectificationItem:
    """整改销号 by the reviewer."""
    if not permissions.can_confirm_item(by, item):
        raise PermissionDenied
    item = _locked_item(item)
    if item.status != ItemStatus.DONE:
        raise TransitionError(_("只有已报整改完成的事项可以确认销号"))
    item.status = ItemStatus.CONFIRMED
    item.confirmed_by, item.confirmed_at = by, timezone.now()
    item.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    _item_event(item, by, ItemAction.CONFIRM, remark.strip())
    return item


@transaction.atomic
def item_reopen(*, item: RectificationItem, by, reason: str) -> RectificationItem:
    if not permissions.can_confirm_item(by, item):
        raise PermissionDenied
    item = _locked_item(item)
    if item.status != ItemStatus.DONE:
        raise TransitionError(_("只有已报整改完成的事项可以要求重新整改"))
    if not reason.strip():
        raise TransitionError(_("请写明重新整改的原因"))
    item.status = ItemStatus.REOPENED
    item.reopen_reason = reason.strip()
    item.save(update_fields=["status", "reopen_reason"])
    _item_event(item, by, ItemAction.REOPEN, item.reopen_reason)
    return item


# --- suggestion letters ------------------------------------------------------------------


def _next_letter_number(org: Organization, year: int) -> str:
    # Numbers run per organization: lock it so two letters issued at once get two numbers.
    list(Organization.objects.select_for_update().filter(pk=org.pk).values_list("pk"))
    prefix = f"{year}-"
    last = (
        SuggestionLetter.objects.filter(organization=org, number__startswith=prefix)
        .aggregate(m=Max("number"))
        .get("m")
    )
    seq = int(last.split("-")[1]) + 1 if last else 1
    return f"{prefix}{seq:03d}"


@transaction.atomic
def letter_issue(
    *,
    by,
    member: Member,
    reason: str,
    problems: str,
    measures: str,
    deadline: datetime.date,
    review: Review | None = None,
    pledges: Sequence[Pledge] = (),
) -> SuggestionLetter:
    """《公开承诺践诺建议书》 to a member whose pledges fell short or whose review was 差."""
    if not permissions.can_issue_letter(by, member):
        raise PermissionDenied
    list(Member.objects.select_for_update().filter(pk=member.pk).values_list("pk"))
    open_letter = (
        SuggestionLetter.objects.filter(member=member, reason=reason)
        .exclude(status=SuggestionLetter.Status.CLOSED)
        .first()
    )
    if open_letter is not None:
        # Also what a double-posted form meets: one letter, not two.
        raise TransitionError(
            _("该党员已有同一原因的建议书（%(number)s）尚未办结") % {"number": open_letter.number}
        )
    today = timezone.localdate()
    if reason == SuggestionLetter.Reason.POOR_GRADE:
        if review is None:
            review = (
                Review.objects.filter(
                    member=member,
                    grade=Review.Grade.POOR,
                    status__in=Review.LOCKED_STATUSES,
                )
                .order_by("-year", "-quarter")
                .first()
            )
        if review is None or review.member_id != member.pk or review.grade != Review.Grade.POOR:
            raise TransitionError(_("该党员没有等次为“差”的点评"))
    elif reason == SuggestionLetter.Reason.UNFULFILLED:
        candidates = Pledge.objects.filter(owner_member=member)
        if pledges:
            candidates = candidates.filter(pk__in=[p.pk for p in pledges])
        behind = [p for p in candidates if p.status == Pledge.Status.UNFULFILLED or p.is_overdue]
        if not behind:
            raise TransitionError(_("该党员没有到期未兑现的承诺"))
        pledges = behind
    else:
        raise TransitionError(_("发出原因无效"))
    if not (problems.strip() and measures.strip()):
        raise TransitionError(_("请写明存在问题和整改建议"))
    if deadline <= today:
        raise TransitionError(_("整改时限应晚于今天"))
    letter = SuggestionLetter.objects.create(
        member=member,
        organization=member.organization,
        number=_next_letter_number(member.organization, today.year),
        reason=reason,
        review=review,
        problems=problems.strip(),
        measures=measures.strip(),
        deadline=deadline,
        issued_by=by,
        issued_on=today,
    )
    if reason == SuggestionLetter.Reason.UNFULFILLED:
        letter.pledges.set(pledges)
    return letter


@transaction.atomic
def letter_reply(*, letter: SuggestionLetter, by, reply: str) -> SuggestionLetter:
    if not permissions.can_reply_letter(by, letter):
        raise PermissionDenied
    if letter.status == SuggestionLetter.Status.CLOSED:
        raise TransitionError(_("建议书已办结"))
    if not reply.strip():
        raise TransitionError(_("请填写回复内容"))
    letter.reply = reply.strip()
    letter.status = SuggestionLetter.Status.REPLIED
    letter.replied_by, letter.replied_at = by, timezone.now()
    letter.save(update_fields=["reply", "status", "replied_by", "replied_at"])
    return letter


@transaction.atomic
def letter_close(*, letter: SuggestionLetter, by) -> SuggestionLetter:
    if not permissions.can_close_letter(by, letter):
        raise PermissionDenied
    if letter.status != SuggestionLetter.Status.REPLIED:
        raise TransitionError(_("党员回复后才能办结"))
    letter.status = SuggestionLetter.Status.CLOSED
    letter.closed_at = timezone.now()
    letter.save(update_fields=["status", "closed_at"])
    return letter
