"""Pages of the reviews: my reviews, the review form, spot checks, rectification, letters.

Each view: permission → form → service → redirect. Rows come from `visible_to`.
"""

from __future__ import annotations

import tempfile
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import TransitionError
from core.files import attachment_response
from core.xlsx import XLSX_CONTENT_TYPE
from pledges.models import Member, Organization
from pledges.roles import roles_of

from . import ledgers, permissions, selectors, services
from .forms import (
    AmendForm,
    ItemDoneForm,
    ItemFormSet,
    LetterForm,
    LetterReplyForm,
    PublishForm,
    ReopenForm,
    ReplyForm,
    ReportForm,
    ReturnForm,
    ReviewForm,
    formset_items,
)
from .models import (
    Quarter,
    RectificationEvidence,
    RectificationItem,
    Review,
    SelfEvaluation,
    Subject,
    SubjectKind,
    SuggestionLetter,
)

PAGE_SIZE = 30


def _quarter(request: HttpRequest) -> Quarter:
    return Quarter.parse(request.GET.get("q") or request.POST.get("q"))


def _subject(key: str | None) -> Subject:
    """'o:12' / 's:12' / 'm:345' → Subject, or 404."""
    kinds = {"o": SubjectKind.ORGANIZATION, "s": SubjectKind.SECRETARY, "m": SubjectKind.MEMBER}
    prefix, _sep, raw = (key or "").partition(":")
    # isascii: str.isdigit() also accepts '²' and other digits int() refuses.
    if prefix not in kinds or not (raw.isascii() and raw.isdigit() and len(raw) <= 12):
        raise Http404
    if prefix == "m":
        member = get_object_or_404(Member.objects.select_related("organization"), pk=int(raw))
        return Subject(SubjectKind.MEMBER, member.organization, member)
    return Subject(kinds[prefix], get_object_or_404(Organization, pk=int(raw)))


def _visible_review(request: HttpRequest, pk: int) -> Review:
    return get_object_or_404(
        Review.objects.visible_to(request.user).select_related(
            "organization", "member", "reviewer", "report", "redo_of", "returned_by"
        ),
        pk=pk,
    )


def _visible_item(request: HttpRequest, pk: int) -> RectificationItem:
    return get_object_or_404(RectificationItem.objects.visible_to(request.user).for_list(), pk=pk)


def _quarter_nav(quarter: Quarter) -> dict:
    return {"quarter": quarter, "prev_q": quarter.prev(), "next_q": quarter.next()}


# --- my reviews and the office's view ----------------------------------------------------


@login_required
def my_reviews(request: HttpRequest) -> HttpResponse:
    quarter = _quarter(request)
    rows = selectors.my_reviews(request.user, quarter)
    given = selectors.items_given_by(request.user)
    context = {
        **_quarter_nav(quarter),
        "rows": rows,
        "overdue_count": sum(1 for r in rows if r.is_overdue),
        "done_count": sum(1 for r in rows if r.is_done),
        "to_confirm": given.filter(status=RectificationItem.Status.DONE).count(),
        # What is overdue beyond this page: items he gave and last quarter's missing reviews.
        "items_overdue": given.overdue().count(),
        "prev_missing": selectors.missing_count(request.user, quarter.prev())
        if rows and quarter.prev().is_ended()
        else 0,
    }
    return render(request, "reviews/my_reviews.html", context)


@login_required
def office_home(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    paths = roles.paths(roles.OFFICE_KINDS)
    if paths:
        org = Organization.objects.filter(path=min(paths, key=len)).first()
    elif request.user.is_superuser:
        org = Organization.get_first_root_node()
    else:
        raise PermissionDenied
    if org is None:
        raise Http404
    return redirect("reviews:office", pk=org.pk)


@login_required
def office(request: HttpRequest, pk: int) -> HttpResponse:
    """The office's view of its subtree: every subject owed a review, spot checks, 整改率."""
    org = get_object_or_404(Organization, pk=pk)
    roles = roles_of(request.user)
    if not roles.covers(org, roles.OFFICE_KINDS):
        raise PermissionDenied
    quarter = _quarter(request)
    kind = request.GET.get("kind") or SubjectKind.ORGANIZATION
    if kind == SubjectKind.MEMBER:
        objects = Member.objects.filter(organization__path__startswith=org.path).select_related(
            "organization"
        )
        objects = objects.order_by("organization__path", "id")
    else:
        kind = SubjectKind.ORGANIZATION
        objects = Organization.objects.filter(path__startswith=org.path)
    page = Paginator(objects, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.office_subjects(
        org=org, quarter=quarter, kind=kind, page_objects=list(page.object_list)
    )
    checks = Paginator(selectors.spot_check_candidates(org=org, quarter=quarter), 20).get_page(
        request.GET.get("cpage")
    )
    overdue_items = Paginator(
        selectors.items_in_subtree(org).overdue().order_by("deadline", "id"), 20
    ).get_page(request.GET.get("opage"))
    confirmed, due, rate = selectors.rectification_rate(
        org=org, year=quarter.year, quarter=quarter.quarter
    )
    context = {
        **_quarter_nav(quarter),
        "org": org,
        "kind": kind,
        "page": page,
        "rows": rows,
        "checks": checks,
        "overdue_items": overdue_items,
        "rate": {"confirmed": confirmed, "due": due, "rate": rate},
        "child_rates": selectors.rectification_rates_by_child(
            org=org, year=quarter.year, quarter=quarter.quarter
        ),
        "counts": selectors.review_counts(org=org, year=quarter.year, quarter=quarter.quarter),
        "modes": Review.Mode.choices,
        "grades": Review.Grade.choices,
        "breadcrumbs": org.breadcrumbs(),
        "breadcrumb_tail": _("点评抽查"),
    }
    return render(request, "reviews/office.html", context)


def _period(request: HttpRequest) -> ledgers.Period:
    """`?year=2026` for a whole year, else the quarter of `?q=` (current by default)."""
    raw = request.GET.get("year", "")
    well_formed = raw.isascii() and raw.isdigit() and len(raw) == 4
    if well_formed and 2000 <= int(raw) <= 2100 and not request.GET.get("q"):
        return ledgers.Period(int(raw))
    quarter = _quarter(request)
    return ledgers.Period(quarter.year, quarter.quarter)


def _xlsx_response(write, *, request: HttpRequest, pk: int, filename, ascii_name: str):
    org = get_object_or_404(Organization, pk=pk)
    if not permissions.can_export_review_ledgers(request.user, org):
        raise PermissionDenied
    period = _period(request)
    # Spooled: small ledgers stay in memory, a county's thousands of rows go to a temp file.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    write(out, user=request.user, org=org, period=period)
    out.seek(0)
    response = FileResponse(out, content_type=XLSX_CONTENT_TYPE)
    name = f"{filename(org, period)}.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}-{period.code}.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def register_export(request: HttpRequest, pk: int) -> HttpResponse:
    """点评情况登记表 (Excel) of the office's subtree."""
    return _xlsx_response(
        ledgers.write_register,
        request=request,
        pk=pk,
        filename=ledgers.register_title,
        ascii_name="review-register",
    )


@login_required
def items_export(request: HttpRequest, pk: int) -> HttpResponse:
    """整改台账 (Excel) of the office's subtree."""
    return _xlsx_response(
        ledgers.write_items,
        request=request,
        pk=pk,
        filename=ledgers.items_title,
        ascii_name="rectification-ledger",
    )


# --- self-evaluation ---------------------------------------------------------------------


@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    quarter = _quarter(request)
    return render(
        request,
        "reviews/my_reports.html",
        {**_quarter_nav(quarter), "rows": selectors.reports_owed(request.user, quarter)},
    )


@login_required
def report_write(request: HttpRequest) -> HttpResponse:
    quarter = _quarter(request)
    subject = _subject(request.GET.get("subject") or request.POST.get("subject"))
    if not permissions.can_write_report(request.user, subject):
        raise PermissionDenied
    existing = SelfEvaluation.objects.filter(
        subject_key=subject.key, year=quarter.year, quarter=quarter.quarter
    ).first()
    if existing is not None and existing.status == SelfEvaluation.Status.SUBMITTED:
        return redirect(existing)
    facts = services.report_initial(subject, quarter)
    initial = (
        {n: getattr(existing, n) for n in ReportForm.base_fields}
        if existing
        else {"pledge_notes": facts["pledge_notes"]}
    )
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            report = services.report_save(
                by=request.user,
                subject=subject,
                quarter=quarter,
                content=form.content(),
                submit=submit,
            )
        except TransitionError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("自查自评已报送") if submit else _("草稿已保存"))
            return redirect(report if submit else "reviews:my_reports")
    return render(
        request,
        "reviews/report_form.html",
        {"form": form, "subject": subject, "quarter": quarter, "facts": facts},
    )


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        SelfEvaluation.objects.visible_to(request.user).select_related(
            "organization", "member", "author"
        ),
        pk=pk,
    )
    return render(request, "reviews/report_detail.html", {"report": report})


# --- reviews -----------------------------------------------------------------------------


def _review_form_page(request, *, subject, quarter, form, formset, review=None):
    if request.method == "POST" and (form.errors or any(formset.errors)):
        # The item errors sit far below the top of a long form: say so where the eye is.
        messages.error(request, _("未保存：请按标红处修改"))
    report = SelfEvaluation.objects.filter(
        subject_key=subject.key,
        year=quarter.year,
        quarter=quarter.quarter,
        status=SelfEvaluation.Status.SUBMITTED,
    ).first()
    return render(
        request,
        "reviews/review_form.html",
        {
            "form": form,
            "formset": formset,
            "subject": subject,
            "quarter": quarter,
            "review": review,
            "report": report,
            "prompts": services.review_prompts(subject),
            "modes_without_report": [
                str(Review.Mode(m).label) for m in Review.MODES_WITHOUT_REPORT
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
    quarter = _quarter(request)
    subject = _subject(request.GET.get("subject") or request.POST.get("subject"))
    if not permissions.can_review(request.user, subject):
        raise PermissionDenied
    existing = selectors.existing_review(by=request.user, subject=subject, quarter=quarter)
    if existing is not None:
        # A second tab, the back button or a double post: go to the review that exists.
        if existing.status == Review.Status.DRAFT:
            messages.info(request, _("您已有该对象本季度的点评草稿，请继续编辑"))
            return redirect("reviews:review_edit", pk=existing.pk)
        messages.info(request, _("您本季度已点评过该对象"))
        return redirect(existing)
    form = ReviewForm(request.POST or None)
    formset = ItemFormSet(request.POST or None, prefix="items")
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
    review = _visible_review(request, pk)
    if not permissions.can_edit_review(request.user, review):
        raise PermissionDenied
    if review.status != Review.Status.DRAFT:
        messages.error(request, _("已签认的点评已锁定，更正请办理修正记录"))
        return redirect(review)
    items = list(review.items.order_by("id"))
    form = ReviewForm(
        request.POST or None, initial={n: getattr(review, n) for n in Review.CONTENT_FIELDS}
    )
    formset = ItemFormSet(
        request.POST or None,
        prefix="items",
        initial=[
            {n: getattr(i, n) for n in ("problem", "measures", "responsible", "deadline")}
            for i in items
        ],
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.review_update(
                review=review, by=request.user, content=form.content(), items=formset_items(formset)
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
    review = _visible_review(request, pk)
    user = request.user
    is_reviewer = permissions.can_edit_review(user, review)
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
        and permissions.can_publish_review(user, review),
        "can_spot_check": review.is_locked and permissions.can_spot_check(user, review),
        "publish_form": PublishForm(initial={"scope": review.scope}),
        "return_form": ReturnForm(),
        "breadcrumbs": review.organization.breadcrumbs()
        if permissions.roles_of(user).covers(review.organization)
        else [],
        "breadcrumb_tail": _("领导点评"),
    }
    return render(request, "reviews/review_detail.html", context)


@login_required
@require_POST
def review_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    review = _visible_review(request, pk)
    try:
        if action == "sign":
            services.review_sign(review=review, by=request.user)
            messages.success(request, _("点评已签认"))
        elif action == "delete":
            services.review_delete_draft(review=review, by=request.user)
            messages.success(request, _("草稿已删除"))
            return redirect("reviews:my_reviews")
        elif action == "redo":
            redo = services.review_redo(review=review, by=request.user)
            messages.info(request, _("请修改后重新签认"))
            return redirect("reviews:review_edit", pk=redo.pk)
        elif action == "publish":
            form = PublishForm(request.POST)
            scope = form.cleaned_data["scope"] if form.is_valid() else ""
            services.review_publish(review=review, by=request.user, scope=scope)
            messages.success(request, _("点评已公开"))
        elif action == "return":
            form = ReturnForm(request.POST)
            reasons = form.cleaned_data["reasons"] if form.is_valid() else []
            services.review_return(
                review=review,
                by=request.user,
                reasons=reasons,
                remark=request.POST.get("remark", ""),
            )
            messages.success(request, _("已退回点评人重新点评"))
        else:
            raise Http404
    except TransitionError as e:
        messages.error(request, str(e))
    return redirect(review)


@login_required
def review_amend(request: HttpRequest, pk: int) -> HttpResponse:
    review = _visible_review(request, pk)
    if not permissions.can_edit_review(request.user, review):
        raise PermissionDenied
    initial = {n: getattr(review, n) for n in Review.CONTENT_FIELDS}
    initial["seen"] = review.amendments.count()
    form = AmendForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_amend(
                review=review,
                by=request.user,
                content=form.content(),
                reason=form.cleaned_data["reason"],
                seen=form.cleaned_data["seen"],
            )
        except TransitionError as e:
            messages.error(request, str(e))
            if review.amendments.count() != form.cleaned_data["seen"]:
                return redirect("reviews:review_amend", pk=review.pk)
        else:
            messages.success(request, _("更正已记录"))
            return redirect(review)
    return render(request, "reviews/review_amend.html", {"form": form, "review": review})


# --- rectification -----------------------------------------------------------------------


@login_required
def rectification(request: HttpRequest) -> HttpResponse:
    user = request.user
    mine = Paginator(
        selectors.work_order(selectors.items_for_subject_side(user)), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    given = Paginator(selectors.work_order(selectors.items_given_by(user)), PAGE_SIZE).get_page(
        request.GET.get("gpage")
    )
    return render(
        request,
        "reviews/rectification.html",
        {"mine": mine, "given": given, "today": timezone.localdate()},
    )


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible_item(request, pk)
    user = request.user
    can_work = permissions.can_work_on_item(user, item) and item.is_issued
    can_confirm = permissions.can_confirm_item(user, item)
    return render(
        request,
        "reviews/item_detail.html",
        {
            "item": item,
            "events": item.events.select_related("actor"),
            "evidence": item.evidence.all(),
            "can_work": can_work,
            "can_confirm": can_confirm,
            "done_form": ItemDoneForm(),
            "reply_form": ReplyForm(),
            "reason_form": ReopenForm(),
        },
    )


@login_required
@require_POST
def item_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = _visible_item(request, pk)
    user = request.user
    try:
        if action == "done":
            form = ItemDoneForm(request.POST, request.FILES)
            if not form.is_valid():
                # Say which field is wrong (an empty upload is not a missing text).
                field, errors = next(iter(form.errors.items()))
                label = form.fields[field].label if field in form.fields else ""
                raise TransitionError(f"{label}：{errors[0]}" if label else errors[0])
            d = form.cleaned_data
            services.item_done(
                item=item, by=user, measures_taken=d["measures_taken"], reply=d["reply"],
                files=d["files"],
            )  # fmt: skip
            messages.success(request, _("已报整改完成，等待点评人确认"))
        elif action in ("reply", "confirm", "reopen"):
            text = request.POST.get("text", "")
            if action == "reply":
                services.item_reply(item=item, by=user, text=text)
                messages.success(request, _("已回复点评人"))
            elif action == "confirm":
                services.item_confirm(item=item, by=user, remark=text)
                messages.success(request, _("已确认销号"))
            else:
                services.item_reopen(item=item, by=user, reason=text)
                messages.success(request, _("已要求重新整改"))
        else:
            raise Http404
    except TransitionError as e:
        messages.error(request, str(e))
    return redirect(item)


@login_required
def item_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(
        RectificationEvidence.objects.filter(
            item__in=RectificationItem.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    return attachment_response(
        evidence.file, filename=evidence.original_name, content_type=evidence.content_type
    )


# --- suggestion letters ------------------------------------------------------------------


@login_required
def letters(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    year = timezone.localdate().year
    candidates = []
    for org in Organization.objects.filter(pk__in=roles.org_ids(roles.SECRETARY_KINDS)):
        candidates.extend((org, m) for m in selectors.letter_candidates(org, year))
    page = Paginator(selectors.letters_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "reviews/letters.html", {"page": page, "candidates": candidates})


@login_required
def letter_new(request: HttpRequest, member_pk: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.select_related("organization"), pk=member_pk)
    if not permissions.can_issue_letter(request.user, member):
        raise PermissionDenied
    form = LetterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            letter = services.letter_issue(
                by=request.user,
                member=member,
                reason=d["reason"],
                problems=d["problems"],
                measures=d["measures"],
                deadline=d["deadline"],
            )
        except TransitionError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("建议书已发出"))
            return redirect(letter)
    return render(request, "reviews/letter_form.html", {"form": form, "member": member})


@login_required
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_object_or_404(
        selectors.letters_for(request.user).select_related("issued_by", "replied_by", "review"),
        pk=pk,
    )
    return render(
        request,
        "reviews/letter_detail.html",
        {
            "letter": letter,
            "pledges": letter.pledges.all(),
            "can_reply": letter.status != SuggestionLetter.Status.CLOSED
            and permissions.can_reply_letter(request.user, letter),
            "can_close": letter.status == SuggestionLetter.Status.REPLIED
            and permissions.can_close_letter(request.user, letter),
            "reply_form": LetterReplyForm(),
        },
    )


@login_required
@require_POST
def letter_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    letter = get_object_or_404(selectors.letters_for(request.user), pk=pk)
    try:
        if action == "reply":
            reply = request.POST.get("text", "")
            services.letter_reply(letter=letter, by=request.user, reply=reply)
            messages.success(request, _("回复已提交"))
        elif action == "close":
            services.letter_close(letter=letter, by=request.user)
            messages.success(request, _("建议书已办结"))
        else:
            raise Http404
    except TransitionError as e:
        messages.error(request, str(e))
    return redirect(letter)
