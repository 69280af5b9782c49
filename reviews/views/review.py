"""Pages of leader reviews: my reviews, the office's subtree, the review form, the review and
one POST view per move (sign, delete, redo, publish, return), amendments, the register."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.access import get_visible_or_404, require
from core.errors import TransitionError
from core.moves import flash_outcome, post_only_on_visible
from pledges.models import Organization
from pledges.models.position import roles_of

from ..forms.review import (
    AmendForm,
    ItemFormSet,
    PublishForm,
    ReturnForm,
    ReviewForm,
    formset_items,
)
from ..models import (
    RectificationItem,
    Review,
    Subject,
)
from ..rules import review as rules
from ..rules.calendar import calendar_of, period_label, review_period
from ..selectors import rectification as rectification_selectors
from ..selectors import review as selectors
from ..selectors.self_evaluation import submitted_self_evaluation
from ..services import review as services
from .common import PAGE_SIZE, quarter_nav, quarter_of, subject_of, top_position


@login_required
def my_reviews(request: HttpRequest) -> HttpResponse:
    quarter = quarter_of(request)
    subjects = selectors.owed_subjects(request.user)
    rows = selectors.my_reviews(request.user, quarter, subjects)
    given = rectification_selectors.items_given_by(request.user)
    # A secretary of 22 committees owes hundreds of reviews: the counts above the table cover
    # them all, the table shows one page of them.
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        **quarter_nav(quarter),
        "rows": page,
        "total": len(rows),
        "overdue_count": sum(1 for r in rows if r.is_overdue),
        "done_count": sum(1 for r in rows if r.is_done),
        "to_confirm": given.filter(status=RectificationItem.Status.DONE).count(),
        # What is overdue beyond this page: items he gave and last quarter's missing reviews.
        "items_overdue": given.overdue().count(),
        "prev_missing": selectors.missing_count(request.user, quarter.prev(), subjects)
        if rows and quarter.prev().is_ended()
        else 0,
    }
    return render(request, "reviews/my_reviews.html", context)


@login_required
def office_home(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    require(roles.is_office)
    org_id = top_position(request, roles.OFFICE_KINDS)
    if org_id is None:  # a superuser before any organization exists
        raise Http404
    return redirect("reviews:office", pk=org_id)


@login_required
def office(request: HttpRequest, pk: int) -> HttpResponse:
    """The office's view of its subtree: every subject owed a review, spot checks, 整改率."""
    org = get_visible_or_404(Organization, request.user, pk)
    roles = roles_of(request.user)
    require(roles.covers(org, roles.OFFICE_KINDS))
    quarter = quarter_of(request)
    pages = {name: request.GET.get(name) for name in ("page", "cpage", "opage")}
    context = {
        **quarter_nav(quarter),
        **selectors.office_page(
            org=org, quarter=quarter, kind=request.GET.get("kind"), page_size=PAGE_SIZE, **pages
        ),
        "breadcrumbs": org.breadcrumbs(),
        "breadcrumb_tail": _("点评抽查"),
    }
    return render(request, "reviews/office.html", context)


ITEM_FIELDS = ("problem", "target", "measures", "deadline")


def _item_formset(request, subject, problems: str, items=()) -> ItemFormSet:
    """The 四定 rows: 责任人 picked from the subject's organization, the problem offered from
    指出问题 (as posted, or as saved)."""
    members, default = rectification_selectors.responsible_choices(subject)
    return ItemFormSet(
        request.POST or None,
        prefix="items",
        initial=[
            {
                **{n: getattr(i, n) for n in ITEM_FIELDS},
                # A picked member's name is on the roll, not typed: the outsider box stays empty.
                "responsible": "" if i.responsible_member_id else i.responsible,
                "responsible_member": i.responsible_member_id,
            }
            for i in items
        ],
        members=members,
        default_member=default,
        problems=request.POST.get("problems", "") if request.method == "POST" else problems,
    )


def _review_form_page(request, *, subject, quarter, form, formset, review=None):
    if request.method == "POST" and (form.errors or any(formset.errors)):
        # The item errors sit far below the top of a long form: say so where the eye is.
        messages.error(request, _("未保存：请按标红处修改"))
    self_evaluation = submitted_self_evaluation(subject, quarter.year, quarter.quarter)
    calendar = calendar_of(subject.organization, quarter.year)
    return render(
        request,
        "reviews/review_form.html",
        {
            "form": form,
            "formset": formset,
            "subject": subject,
            "quarter": quarter,
            "period_label": period_label(quarter, calendar),
            "review": review,
            "self_evaluation": self_evaluation,
            "prompts": selectors.review_prompts(subject),
            "modes_without_self_evaluation": [
                str(Review.Mode(m).label) for m in Review.MODES_WITHOUT_SELF_EVALUATION
            ],
        },
    )


def _save_and_maybe_sign(request, review: Review) -> HttpResponse:
    if "sign" in request.POST:
        try:
            services.review_sign(review=review, by=request.user)
        except TransitionError as e:
            messages.error(request, _("草稿已保存，但未能签认：") + str(e))
        else:
            messages.success(request, _("点评已签认"))
    else:
        messages.success(request, _("草稿已保存"))
    return redirect(review)


@login_required
def review_new(request: HttpRequest) -> HttpResponse:
    subject = subject_of(request)
    require(rules.can_review(request.user, subject))
    calendar = calendar_of(subject.organization, quarter_of(request).year)
    quarter = review_period(quarter_of(request), calendar)
    existing = selectors.existing_review(by=request.user, subject=subject, quarter=quarter)
    if existing is not None:
        # A second tab, the back button or a double post: go to the review that exists.
        if existing.status == Review.Status.DRAFT:
            messages.info(request, _("您已有该对象本季度的点评草稿，请继续编辑"))
            return redirect("reviews:review_edit", pk=existing.pk)
        messages.info(request, _("您本季度已点评过该对象"))
        return redirect(existing)
    form = ReviewForm(request.POST or None, scale=calendar.grade_scale)
    formset = _item_formset(request, subject, problems="")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            review = services.review_create(
                by=request.user,
                subject=subject,
                quarter=quarter,
                content=form.content(),
                items=formset_items(formset),
            )
        except TransitionError as e:
            messages.error(request, str(e))
        else:
            return _save_and_maybe_sign(request, review)
    return _review_form_page(request, subject=subject, quarter=quarter, form=form, formset=formset)


@login_required
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_visible_or_404(Review.objects.for_detail(), request.user, pk)
    require(rules.can_edit_review(request.user, review))
    if review.status != Review.Status.DRAFT:
        messages.error(request, _("已签认的点评已锁定，更正请办理修正记录"))
        return redirect(review)
    items = list(review.items.order_by("id"))
    initial = {n: getattr(review, n) for n in Review.CONTENT_FIELDS}
    scale = calendar_of(review.organization, review.year).grade_scale
    form = ReviewForm(
        request.POST or None, initial={**initial, "version": review.edit_version}, scale=scale
    )
    formset = _item_formset(request, Subject.of(review), review.problems, items)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.review_update(
                review=review,
                by=request.user,
                content=form.content(),
                items=formset_items(formset),
                version=form.cleaned_data["version"],
            )
        except TransitionError as e:
            messages.error(request, str(e))
        else:
            return _save_and_maybe_sign(request, review)
    return _review_form_page(
        request,
        subject=Subject.of(review),
        quarter=review.quarter_obj,
        form=form,
        formset=formset,
        review=review,
    )


def _amendment_rows(review: Review) -> list:
    """Each amendment with its changes as (field label, old, new) in words, not codes."""
    labels = {f.name: f.verbose_name for f in Review._meta.fields}
    choices = {"mode": dict(Review.Mode.choices), "grade": dict(Review.Grade.choices)}
    amendments = list(review.amendments.select_related("by"))
    for a in amendments:
        a.rows = [
            (
                labels.get(name, name),
                choices.get(name, {}).get(old, old),
                choices.get(name, {}).get(new, new),
            )
            for name, (old, new) in a.changes.items()
        ]
    return amendments


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_visible_or_404(Review.objects.for_detail(), request.user, pk)
    user = request.user
    is_reviewer = rules.can_edit_review(user, review)
    redone_by = Review.objects.filter(redo_of=review).first()
    # A redo takes the returned version's items with it (the subject's work carries on);
    # the returned version shows them where they now are.
    items_owner = redone_by if redone_by and review.status == Review.Status.RETURNED else review
    context = {
        "review": review,
        "items": items_owner.items.select_related("review", "confirmed_by", "done_by").order_by(
            "id"
        ),
        "items_moved_to": redone_by if items_owner is not review else None,
        "amendments": _amendment_rows(review),
        "redone_by": redone_by,
        "is_reviewer": is_reviewer,
        "can_publish": review.status == Review.Status.SIGNED
        and rules.can_publish_review(user, review),
        "can_spot_check": review.is_locked and rules.can_spot_check(user, review),
        "publish_form": PublishForm(initial={"scope": review.scope}),
        "return_form": ReturnForm(),
        "breadcrumbs": review.organization.breadcrumbs()
        if roles_of(user).covers(review.organization)
        else [],
        "breadcrumb_tail": _("领导点评"),
    }
    return render(request, "reviews/review_detail.html", context)


_reviews = Review.objects.for_detail()


@post_only_on_visible(_reviews)
def review_sign(request: HttpRequest, review: Review) -> HttpResponse:
    with flash_outcome(request, _("点评已签认")):
        services.review_sign(review=review, by=request.user)
    return redirect(review)


@post_only_on_visible(_reviews)
def review_delete(request: HttpRequest, review: Review) -> HttpResponse:
    with flash_outcome(request, _("草稿已删除")):
        services.review_delete_draft(review=review, by=request.user)
        return redirect("reviews:my_reviews")
    return redirect(review)


@post_only_on_visible(_reviews)
def review_redo(request: HttpRequest, review: Review) -> HttpResponse:
    try:
        redo = services.review_redo(review=review, by=request.user)
    except TransitionError as e:
        messages.error(request, str(e))
        return redirect(review)
    messages.info(request, _("请修改后重新签认"))
    return redirect("reviews:review_edit", pk=redo.pk)


@post_only_on_visible(_reviews)
def review_publish(request: HttpRequest, review: Review) -> HttpResponse:
    form = PublishForm(request.POST)
    scope = form.cleaned_data["scope"] if form.is_valid() else ""
    with flash_outcome(request, _("点评已公开")):
        services.review_publish(review=review, by=request.user, scope=scope)
    return redirect(review)


@post_only_on_visible(_reviews)
def review_return(request: HttpRequest, review: Review) -> HttpResponse:
    form = ReturnForm(request.POST)
    reasons = form.cleaned_data["reasons"] if form.is_valid() else []
    remark = request.POST.get("remark", "")
    with flash_outcome(request, _("已退回点评人重新点评")):
        services.review_return(review=review, by=request.user, reasons=reasons, remark=remark)
    return redirect(review)


@login_required
def review_amend(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_visible_or_404(Review.objects.for_detail(), request.user, pk)
    require(rules.can_edit_review(request.user, review))
    initial = {n: getattr(review, n) for n in Review.CONTENT_FIELDS}
    initial["version"] = review.edit_version
    scale = calendar_of(review.organization, review.year).grade_scale
    form = AmendForm(request.POST or None, initial=initial, scale=scale)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_amend(
                review=review,
                by=request.user,
                content=form.content(),
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except TransitionError as e:
            messages.error(request, str(e))
            if review.edit_version != form.cleaned_data["version"]:
                return redirect("reviews:review_amend", pk=review.pk)
        else:
            messages.success(request, _("更正已记录"))
            return redirect(review)
    return render(request, "reviews/review_amend.html", {"form": form, "review": review})
