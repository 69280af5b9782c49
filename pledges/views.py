"""Pages of the pledge book. Each view: permission → form → service → redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import once
from core.errors import TransitionError
from core.files import attachment_response

from . import permissions, selectors, services
from .forms import (
    AmendForm,
    BulkForm,
    CloseForm,
    EntryFormSet,
    PeriodForm,
    PledgeForm,
    ProgressForm,
    ReasonForm,
)
from .models import Evidence, Member, Organization, Pledge
from .roles import Roles, roles_of

PAGE_SIZE = 20


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _visible_org(request: HttpRequest, pk: int) -> Organization:
    org = get_object_or_404(Organization, pk=pk)
    if not permissions.can_view_organization(request.user, org):
        raise Http404
    return org


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only paths on this site: never redirect to another host.
    safe = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else default


def _visible_pledge(request: HttpRequest, pk: int) -> Pledge:
    return get_object_or_404(
        Pledge.objects.visible_to(request.user).select_related("owner_org", "owner_member"), pk=pk
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the page they work on."""
    roles = roles_of(request.user)
    if roles.is_leader and not (roles.is_office or roles.is_secretary):
        # 谁联系、谁点评: a leader's work starts from the reviews he owes this quarter.
        return redirect("reviews:my_reviews")
    if roles.positions:
        oversight = [p for p in roles.positions if p[2] in roles.OVERSIGHT_KINDS]
        # The highest organization the user looks after is the natural start.
        path, org_id, _kind = min(oversight or roles.positions, key=lambda p: len(p[0]))
        return redirect("pledges:organization", pk=org_id)
    if roles.member is not None:
        return redirect("pledges:my_pledges")
    if request.user.is_superuser:
        root = Organization.get_first_root_node()
        if root is not None:
            return redirect("pledges:organization", pk=root.pk)
    return render(request, "pledges/no_role.html")


@login_required
def organization(request: HttpRequest, pk: int) -> HttpResponse:
    org = _visible_org(request, pk)
    user, year = request.user, _year(request)
    can_manage = permissions.can_manage_organization(user, org)
    children_page = Paginator(selectors.children_with_counts(user, org, year), PAGE_SIZE).get_page(
        request.GET.get("cpage")
    )
    members_page = Paginator(selectors.members_with_pledges(user, org, year), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    member_rows = [
        (m, services.guidance_for_member(m, m.year_pledges) if can_manage else [])
        for m in members_page
    ]
    org_pledges = list(selectors.organization_pledges(user, org, year))
    awaiting = list(selectors.awaiting_approval_below(user, org)[:50])
    missing = selectors.members_without_pledges(org, year)
    context = {
        "org": org,
        "year": year,
        "years": range(timezone.localdate().year + 1, timezone.localdate().year - 4, -1),
        "breadcrumbs": org.breadcrumbs(),
        "can_manage": can_manage,
        # The bulk bar is for those who keep or approve the book, not for members reading it.
        "can_bulk": can_manage or roles_of(user).covers(org, Roles.OVERSIGHT_KINDS),
        "awaiting": awaiting,
        "today": timezone.localdate(),
        "counts": selectors.status_counts(selectors.subtree_pledges(user, org, year)),
        "children_page": children_page,
        "members_page": members_page,
        "member_rows": member_rows,
        "org_pledges": org_pledges,
        "org_guidance": services.guidance_for_organization(org_pledges)
        if can_manage and org.is_branch_level
        else [],
        "missing_count": missing.count(),
        "missing": missing[:50],
        "overdue": selectors.overdue_pledges(user, org)[:20],
        "bulk_form": BulkForm(),
        "statuses": Pledge.Status.choices,
    }
    return render(request, "pledges/organization.html", context)


def _entry_initial(pledges: list[Pledge], member: Member | None) -> list[dict]:
    """Existing editable items first, then blank rows up to the sources' suggested count."""
    rows = [
        {
            "pledge_id": p.pk,
            "version": p.version,
            **{name: getattr(p, name) for name in Pledge.CONTENT_FIELDS},
        }
        for p in pledges
    ]
    if member is not None:
        wanted = [Pledge.Kind.PRACTICAL, Pledge.Kind.PRACTICAL, Pledge.Kind.SERVICE]
        wanted += [Pledge.Kind.FAULT, Pledge.Kind.FAULT]
    else:
        wanted = [Pledge.Kind.SERVICE] * 2 + [Pledge.Kind.PRACTICAL] * 3
    for kind in wanted[len(rows) :] or [Pledge.Kind.PRACTICAL]:
        rows.append({"kind": kind})
    return rows


@login_required
def entry(request: HttpRequest, pk: int, member_pk: int | None = None) -> HttpResponse:
    """Enter all of one member's (or the organization's) items for a period on one page."""
    org = _visible_org(request, pk)
    member = get_object_or_404(Member, pk=member_pk, organization=org) if member_pk else None
    probe = Pledge(owner_org=org, owner_member=member)
    if not permissions.can_edit_pledge(request.user, probe):
        raise PermissionDenied
    period = PeriodForm(request.POST or None, initial={"year": _year(request), "half": 0})
    existing = Pledge.objects.filter(
        owner_org=org, owner_member=member, status__in=Pledge.EDITABLE_STATUSES
    ).order_by("id")
    if request.method != "POST":
        existing = existing.filter(year=_year(request))
    existing = list(existing)
    existing_by_id = {p.pk: p for p in existing}
    formset = EntryFormSet(
        request.POST or None, initial=None if request.POST else _entry_initial(existing, member)
    )
    if request.method == "POST" and period.is_valid() and formset.is_valid():
        submit = "submit" in request.POST
        done_url = _entry_done_url(request, org, period.cleaned_data["year"])
        if not once.claim(request):
            messages.info(request, _("这张表已经提交过了，请勿重复提交"))
            return redirect(done_url)
        try:
            saved = _save_entry(
                request, org, member, period.cleaned_data, formset, existing_by_id, submit
            )
        except TransitionError as e:
            messages.error(request, str(e))
        else:
            if saved:
                msg = _("已保存并提交 %(n)d 项承诺") if submit else _("已保存 %(n)d 项承诺")
                messages.success(request, msg % {"n": saved})
            else:
                messages.warning(request, _("没有填写任何承诺事项"))
            return redirect(done_url)
    ended = []
    if member is not None:
        ended = Pledge.objects.filter(owner_member=member).exclude(
            status__in=Pledge.EDITABLE_STATUSES
        )
    return render(
        request,
        "pledges/entry.html",
        {
            "org": org,
            "member": member,
            "period": period,
            "formset": formset,
            "breadcrumbs": org.breadcrumbs(),
            "others": ended.order_by("-year", "id")[:20] if member else [],
        },
    )


def _entry_done_url(request: HttpRequest, org: Organization, year: int) -> str:
    """A member goes back to his own pledges; whoever keeps the book, to the branch page."""
    if not permissions.can_manage_organization(request.user, org):
        return reverse("pledges:my_pledges")
    return f"{reverse('pledges:organization', args=[org.pk])}?year={year}"


def _save_entry(request, org, member, period, formset, existing_by_id, submit) -> int:
    saved = 0
    with transaction.atomic():
        for form in formset:
            if form.is_blank():
                continue
            pledge_id = form.cleaned_data.get("pledge_id")
            if pledge_id:
                pledge = existing_by_id.get(pledge_id)
                if pledge is None:
                    raise TransitionError(_("有承诺已被他人提交或删除，请刷新页面后重试"))
                services.pledge_update(
                    pledge=pledge,
                    by=request.user,
                    content=form.content(),
                    version=form.cleaned_data.get("version"),
                )
            else:
                pledge = services.pledge_create(
                    by=request.user,
                    owner_org=org,
                    owner_member=member,
                    content=form.content(),
                    year=period["year"],
                    half=period["half"],
                )
            if submit:
                services.pledge_submit(pledge=pledge, by=request.user)
            saved += 1
    return saved


@login_required
@require_POST
def bulk(request: HttpRequest, pk: int) -> HttpResponse:
    org = _visible_org(request, pk)
    form = BulkForm(request.POST)
    back = _safe_next(request, reverse("pledges:organization", args=[org.pk]))
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect(back)
    pledges = list(
        Pledge.objects.visible_to(request.user)
        .filter(pk__in=form.cleaned_data["pledges"], owner_org__path__startswith=org.path)
        .select_related("owner_org", "owner_member")
    )
    if not pledges:
        messages.warning(request, _("所选承诺不在您可处理的范围内"))
        return redirect(back)
    try:
        result = services.pledges_bulk(
            pledges=pledges,
            by=request.user,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
        )
    except TransitionError as e:
        messages.error(request, str(e))
        return redirect(back)
    if result.done:
        messages.success(request, _("已处理 %(n)d 项") % {"n": len(result.done)})
    for pledge, reason in result.refused:
        messages.warning(request, f"{pledge.owner_name}：{pledge.title} — {reason}")
    return redirect(back)


@login_required
def pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _visible_pledge(request, pk)
    user = request.user
    context = {
        "pledge": pledge,
        "breadcrumbs": pledge.owner_org.breadcrumbs(),
        "can_edit": permissions.can_edit_pledge(user, pledge) and pledge.is_editable,
        "can_approve": permissions.can_approve_pledge(user, pledge)
        and pledge.status == Pledge.Status.SUBMITTED,
        "can_run": permissions.can_run_pledge(user, pledge),
        "can_progress": permissions.can_record_progress(user, pledge)
        and pledge.status in Pledge.RUNNING_STATUSES,
        "progress_form": ProgressForm(),
        "close_form": CloseForm(),
        "reason_form": ReasonForm(),
        "carried_into": pledge.carried_into.first(),
        **selectors.pledge_page(pledge),
    }
    return render(request, "pledges/pledge_detail.html", context)


def _content_page(request, pledge, *, form_class, title: str, done: str, save) -> HttpResponse:
    """The edit and amendment pages: the same form, a different service behind it."""
    form = form_class(request.POST or None, instance=pledge, initial={"version": pledge.version})
    if request.method == "POST" and form.is_valid():
        try:
            # Reload: the ModelForm wrote the posted values onto `pledge` while validating.
            save(Pledge.objects.get(pk=pledge.pk), form)
        except TransitionError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, done)
            return redirect(pledge)
    context = {
        "form": form,
        "pledge": pledge,
        "title": title,
        "breadcrumbs": pledge.owner_org.breadcrumbs(),
    }
    return render(request, "pledges/pledge_form.html", context)


@login_required
def pledge_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _visible_pledge(request, pk)
    if not permissions.can_edit_pledge(request.user, pledge):
        raise PermissionDenied
    if not pledge.is_editable:
        messages.warning(request, _("已提交或已审核的承诺不能直接修改；已亮诺的承诺请办理变更"))
        return redirect(pledge)

    def save(fresh: Pledge, form: PledgeForm) -> None:
        services.pledge_update(
            pledge=fresh,
            by=request.user,
            content=form.content(),
            version=form.cleaned_data.get("version"),
        )

    return _content_page(
        request, pledge, form_class=PledgeForm, title=_("修改承诺"), done=_("已保存"), save=save
    )


@login_required
def pledge_amend(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _visible_pledge(request, pk)
    if not permissions.can_run_pledge(request.user, pledge):
        raise PermissionDenied
    if pledge.status not in Pledge.RUNNING_STATUSES:
        messages.warning(request, _("只有已审核、已亮诺或践诺中的承诺可以办理变更"))
        return redirect(pledge)

    def save(fresh: Pledge, form: AmendForm) -> None:
        services.pledge_amend(
            pledge=fresh,
            by=request.user,
            content=form.content(),
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data.get("version"),
        )

    return _content_page(
        request, pledge, form_class=AmendForm, title=_("承诺变更"), done=_("变更已记录"), save=save
    )


@login_required
def progress_add(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _visible_pledge(request, pk)
    if not permissions.can_record_progress(request.user, pledge):
        raise PermissionDenied
    form = ProgressForm(request.POST or None, request.FILES or None)
    back = _safe_next(request, pledge.get_absolute_url())
    if request.method == "POST" and form.is_valid():
        if not once.claim(request):
            messages.info(request, _("这条记实已经保存过了，请勿重复提交"))
            return redirect(back)
        try:
            services.progress_add(
                pledge=pledge,
                by=request.user,
                date=form.cleaned_data["date"],
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
            )
        except TransitionError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("记实已保存"))
            return redirect(back)
    if request.method == "POST" and "next" in request.POST:
        # Posted from a list page: say what was wrong there, where the person was working.
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect(back)
    return render(
        request,
        "pledges/pledge_form.html",
        {
            "form": form,
            "pledge": pledge,
            "title": _("践诺记实"),
            "multipart": True,
            "breadcrumbs": pledge.owner_org.breadcrumbs(),
        },
    )


@login_required
def pledge_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    pledge = _visible_pledge(request, pk)
    if request.method != "POST":
        # A bookmarked or reloaded action address: show the pledge instead of an error.
        return redirect(pledge)
    by, post = request.user, request.POST
    target = pledge
    try:
        if action == "submit":
            services.pledge_submit(pledge=pledge, by=by)
            messages.success(request, _("已提交审核"))
        elif action == "approve":
            services.pledge_approve(pledge=pledge, by=by, remark=post.get("remark", ""))
            messages.success(request, _("已审核通过并备案"))
        elif action == "return":
            services.pledge_return(pledge=pledge, by=by, reason=post.get("reason", ""))
            messages.success(request, _("已退回"))
        elif action == "publish":
            services.pledge_publish(pledge=pledge, by=by)
            messages.success(request, _("已亮诺"))
        elif action == "close":
            form = CloseForm(post)
            if not form.is_valid():
                raise TransitionError(_("请填写兑现情况和正确的销号日期"))
            services.pledge_close(pledge=pledge, by=by, **form.cleaned_data)
            messages.success(request, _("已销号"))
        elif action == "unfulfilled":
            services.pledge_mark_unfulfilled(pledge=pledge, by=by, reason=post.get("reason", ""))
            messages.success(request, _("已认定为未兑现"))
        elif action == "carry_over":
            target = services.pledge_carry_over(pledge=pledge, by=by)
            messages.success(request, _("已生成再承诺草稿，请修改后提交"))
        elif action == "delete":
            services.pledge_delete_draft(pledge=pledge, by=by)
            messages.success(request, _("草稿已删除"))
            return redirect(pledge.owner_org)
        else:
            raise Http404
    except TransitionError as e:
        messages.error(request, str(e))
    return redirect(target)


@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(
        Evidence.objects.filter(record__pledge__in=Pledge.objects.visible_to(request.user)), pk=pk
    )
    return attachment_response(
        evidence.file, filename=evidence.original_name, content_type=evidence.content_type
    )


@login_required
def my_pledges(request: HttpRequest) -> HttpResponse:
    member = roles_of(request.user).member
    if member is None:
        return render(request, "pledges/no_role.html")
    pledges = list(selectors.member_pledges(member))
    this_year = [p for p in pledges if p.year == timezone.localdate().year]
    return render(
        request,
        "pledges/my_pledges.html",
        {
            "member": member,
            "pledges": pledges,
            "guidance": services.guidance_for_member(member, this_year),
            "progress_form": ProgressForm(),
            "breadcrumbs": member.organization.breadcrumbs(),
            "can_enter": True,
        },
    )
