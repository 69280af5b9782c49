"""Changes to leader reviews: draft, sign, publish, amend, spot-check return, redo.

Each function is keyword-only, atomic, checks the permission and the state, locks the row it
changes, writes, and records who did it. Views, demo data and tests all go through these."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import is_sane
from core.errors import TransitionError
from core.locks import lock_row
from core.notifications.events import notify
from core.text import LONG_TEXT_MAX, REASON_MAX, checked_text
from core.versions import check_edit, stamp

from ..models import (
    Quarter,
    RectificationEvent,
    RectificationItem,
    Review,
    ReviewAmendment,
    SelfEvaluation,
    Subject,
)
from ..rules.calendar import calendar_of, grade_choices, period_of, period_start
from ..rules.review import can_edit_review, can_publish_review, can_review, can_spot_check
from ..selectors.review import existing_review
from ..selectors.self_evaluation import submitted_self_evaluation
from ..services.rectification import resolve_responsible, responsible_members
from ..services.self_evaluation import lock_subject

Status = Review.Status
ItemAction = RectificationEvent.Action


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
    """One 四定 item: 定责任人 (a member of the subject's organization by id, or the name of
    someone from outside), 定具体目标, 定工作措施, 定工作进度 (the deadline), for a problem."""

    problem: str
    measures: str
    responsible: str
    deadline: datetime.date
    target: str = ""
    responsible_member_id: int | None = None


def _check_content(content: ReviewContent, quarter: Quarter, organization) -> None:
    """`quarter` is the period the review is filed under; the grade is one of the scale the
    subject's committee set for the year (好/中/差 or 好/较好/一般/差)."""
    calendar = calendar_of(organization, quarter.year)
    if content.mode not in Review.Mode.values:
        raise TransitionError(_("点评方式无效"))
    if content.grade and content.grade not in dict(grade_choices(calendar.grade_scale)):
        raise TransitionError(_("点评等次无效"))
    if content.date > timezone.localdate():
        raise TransitionError(_("点评日期不能晚于今天"))
    if content.date < period_start(quarter, calendar):
        raise TransitionError(_("点评日期不能早于所评季度"))
    checked_text(content.achievements, LONG_TEXT_MAX, _("肯定成绩"))
    checked_text(content.problems, LONG_TEXT_MAX, _("指出问题"))
    checked_text(content.direction, LONG_TEXT_MAX, _("努力方向"))


def _check_items(
    items: Sequence[ItemContent],
    date: datetime.date,
    organization,
    kept: Sequence[RectificationItem] = (),
) -> list[ItemContent]:
    """The items with each 责任人 resolved (see `resolve_responsible`). `kept` are the items
    carried into a redo, in form order: their deadline may well be past by the time of the
    redo, and only a changed deadline is checked again; an old item without a target keeps
    none."""
    members = responsible_members(
        organization, [i.responsible_member_id for i in items], [i.responsible for i in items]
    )
    resolved = []
    for n, item in enumerate(items):
        carried = n < len(kept)
        needs_target = not (carried and not kept[n].target)
        if not (item.problem.strip() and item.measures.strip()) or (
            needs_target and not item.target.strip()
        ):
            raise TransitionError(_("整改事项须写明问题、目标、措施、责任人和时限（四定）"))
        checked_text(item.problem, LONG_TEXT_MAX, _("问题"))
        checked_text(item.target, LONG_TEXT_MAX, _("整改目标"))
        checked_text(item.measures, LONG_TEXT_MAX, _("整改措施"))
        name, member_id = resolve_responsible(members, item.responsible_member_id, item.responsible)
        if not is_sane(item.deadline):
            raise TransitionError(_("整改时限应在 2000 年至 2100 年之间"))
        if not (carried and item.deadline == kept[n].deadline) and item.deadline < date:
            raise TransitionError(_("整改时限不能早于点评日期"))
        resolved.append(replace(item, responsible=name, responsible_member_id=member_id))
    return resolved


def _refuse_duplicate(by, subject: Subject, quarter: Quarter) -> None:
    existing = existing_review(by=by, subject=subject, quarter=quarter)
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
    reviewer, subject and period: a second one is refused, not left as a stray draft. Under a
    half-yearly cadence `quarter` is filed under its half (reviews.rules.calendar)."""
    lock_subject(subject)
    if not can_review(by, subject):
        raise PermissionDenied
    quarter = period_of(subject.organization, quarter)
    _refuse_duplicate(by, subject, quarter)
    _check_content(content, quarter, subject.organization)
    items = _check_items(items, content.date, subject.organization)
    review = Review.objects.create(
        **subject.fields(),
        year=quarter.year,
        quarter=quarter.quarter,
        reviewer=by,
        self_evaluation=submitted_self_evaluation(subject, quarter.year, quarter.quarter),
        **asdict(content),
    )
    _add_items(review, items)
    return review


@transaction.atomic
def review_update(
    *,
    review: Review,
    by,
    content: ReviewContent,
    items: Sequence[ItemContent],
    version: int | None,
) -> Review:
    lock_row(review)  # a stale form from a second tab sees the review already signed
    if not can_edit_review(by, review):
        raise PermissionDenied
    if review.status != Status.DRAFT:
        raise TransitionError(_("已签认的点评已锁定，更正请办理修正记录"))
    # Two tabs on one draft: the second save would silently drop the first one's change.
    check_edit(review, version, label=_("点评草稿"), values=asdict(content))
    _check_content(content, review.quarter_obj, review.organization)
    items = _check_items(items, content.date, review.organization, _carried(review))
    for name, value in asdict(content).items():
        setattr(review, name, value)
    stamp(review, by)
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
            target=i.target.strip(),
            measures=i.measures.strip(),
            responsible=i.responsible,
            responsible_member_id=i.responsible_member_id,
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
            item.target = content.target.strip()
            item.responsible, item.deadline = content.responsible, content.deadline
            item.responsible_member_id = content.responsible_member_id
            item.save()
    _add_items(review, items[len(kept) :])


@transaction.atomic
def review_delete_draft(*, review: Review, by) -> None:
    lock_row(review)
    if not can_edit_review(by, review):
        raise PermissionDenied
    if review.status != Status.DRAFT or review.redo_of_id:
        raise TransitionError(_("只有尚未签认的点评草稿可以删除"))
    review.items.all().delete()
    review.delete()


@transaction.atomic
def review_sign(*, review: Review, by) -> Review:
    """The reviewer confirms the review; it is then locked and its items are owed."""
    lock_row(review)
    if not can_edit_review(by, review):
        raise PermissionDenied
    if review.status != Status.DRAFT:
        raise TransitionError(_("只有草稿可以签认"))
    if not can_review(by, Subject.of(review)):
        raise PermissionDenied
    if not review.grade:
        raise TransitionError(_("签认前请评定等次"))
    if not (review.achievements.strip() and review.problems.strip() and review.direction.strip()):
        raise TransitionError(_("签认前请写明肯定的成绩、指出的问题和努力方向"))
    self_evaluation = submitted_self_evaluation(Subject.of(review), review.year, review.quarter)
    if self_evaluation is None and review.mode not in Review.MODES_WITHOUT_SELF_EVALUATION:
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
        _check_redo(review, self_evaluation)
    review.self_evaluation = self_evaluation
    review.without_self_evaluation = self_evaluation is None
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
    notify(kind="review_signed", subject=review, by=by)
    return review


def _check_redo(review: Review, self_evaluation: SelfEvaluation | None) -> None:
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
    if Review.ReturnReason.NO_SELF_EVALUATION in reasons and self_evaluation is None:
        raise TransitionError(_("退回原因是未审阅自查自评：请待点评对象报送本季度自查自评后再签认"))


@transaction.atomic
def review_publish(*, review: Review, by, scope: str = Review.Scope.ORGANIZATION) -> Review:
    lock_row(review)
    if not can_publish_review(by, review):
        raise PermissionDenied
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
    *, review: Review, by, content: ReviewContent, reason: str, version: int | None
) -> Review:
    """A correction to a signed review: recorded with the old and new values. `version` is
    the review's edit_version the form was made from: a stale form would silently undo a
    later correction, so it is refused (each amendment stamps the review)."""
    lock_row(review)
    if not can_edit_review(by, review):
        raise PermissionDenied
    if review.status not in Review.LOCKED_STATUSES:
        raise TransitionError(_("只有已签认或已公开的点评可以更正"))
    check_edit(review, version, label=_("点评"), values=asdict(content))
    if not reason.strip():
        raise TransitionError(_("更正时请写明原因"))
    reason = checked_text(reason, REASON_MAX, _("更正原因"))
    _check_content(content, review.quarter_obj, review.organization)
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
    review.save(update_fields=[*changes, *stamp(review, by)])
    ReviewAmendment.objects.create(review=review, by=by, reason=reason, changes=changes)
    return review


@transaction.atomic
def review_return(*, review: Review, by, reasons: Sequence[str], remark: str = "") -> Review:
    """抽查退回: the office sends a signed review back under "三不过关"; it must be redone."""
    lock_row(review)
    if not can_spot_check(by, review):
        raise PermissionDenied
    if review.status not in Review.LOCKED_STATUSES:
        raise TransitionError(_("只有已签认或已公开的点评可以抽查退回"))
    reasons = [r for r in dict.fromkeys(reasons) if r in Review.ReturnReason.values]
    if not reasons:
        raise TransitionError(_("请勾选退回原因（三不过关）"))
    review.status = Status.RETURNED
    review.return_reasons = reasons
    review.return_remark = checked_text(remark, REASON_MAX, _("退回说明"))
    review.returned_by, review.returned_at = by, timezone.now()
    review.save(
        update_fields=["status", "return_reasons", "return_remark", "returned_by", "returned_at"]
    )
    notify(kind="review_returned", subject=review, by=by)
    return review


@transaction.atomic
def review_redo(*, review: Review, by) -> Review:
    """Start the redo of a returned review: a new draft with the old content and items; the
    returned version stays on record unchanged."""
    lock_row(review)  # a double-click starts one redo, not an IntegrityError
    if not can_edit_review(by, review):
        raise PermissionDenied
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
        self_evaluation=submitted_self_evaluation(Subject.of(review), review.year, review.quarter),
        redo_of=review,
        **fields,
    )
    # The items (and the subject's work on them) move to the new version.
    review.items.update(review=redo)
    return redo
