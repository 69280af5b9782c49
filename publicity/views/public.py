"""The public pages (三公开): no login, phone first, served from the cache.

Every GET view is wrapped in `cached_page`: a hit answers from the cache without touching the
database. The opinion box is the only POST; its page is cached and shared, so it carries no
CSRF token (an anonymous form has no session for a forged request to ride on); the honeypot
and the per-address limit protect it instead. The Atom feed and the open-data JSON are here
too; the posters and QR codes for the notice board are in `views/print.py`.
"""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.errors import TransitionError
from core.security.addresses import client_address
from pledges.models import Organization, Pledge
from reviews.selectors import selection as selection_selectors

from ..cache import cached_page
from ..charts.progress import monthly_chart, satisfaction_chart
from ..forms.opinion import OpinionForm
from ..models import Notice
from ..selectors import public as selectors
from ..services import opinion as opinion_services

_org = selectors.public_org_or_404
_notice = selectors.public_notice_or_404


def _share(org: Organization | None, title: str, description: str, image: str = "") -> dict:
    """Share metadata (Open Graph) of a page: chat apps show a PNG, never an SVG, so the
    organization's poster card is the image unless the page names another."""
    if not image and org is not None:
        image = selectors.absolute(reverse("publicity:org_poster_png", args=[org.pk]))
    return {"share_title": title, "share_description": description, "share_image": image}


@cached_page
def index(request: HttpRequest) -> HttpResponse:
    """Find an organization by name, or walk the tree from the top."""
    query = request.GET.get("q", "")
    results = list(selectors.find_organizations(query)) if query.strip() else None
    roots = Organization.objects.get_root_nodes() if results is None else []
    return render(
        request,
        "publicity/public_index.html",
        {"query": query.replace("\x00", "")[:50], "results": results, "roots": list(roots)},
    )


@cached_page
def organization(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = _org(org_pk)
    context = selectors.org_page(org)
    context["form"] = OpinionForm()
    # This year's pledges in the open; last year's folded with the other archives.
    context["pledges_earlier"] = sum(1 for p in context["pledges"] if p.year != context["year"])
    context["month_chart"] = monthly_chart(context["months"])
    context["satisfaction_chart"] = satisfaction_chart(context["evaluations"])
    f = context["figures"]
    summary = _(
        "%(year)d年公开承诺 %(n)d 项：践诺中 %(running)d 项，已销号 %(done)d 项，"
        "逾期 %(late)d 项，到期兑现率 %(rate)s。"
    ) % {
        "year": context["year"],
        "n": f.published,
        "running": f.running,
        "done": f.fulfilled,
        "late": f.overdue,
        "rate": f.fulfilled_rate,
    }
    context.update(_share(org, org.name, summary))
    return render(request, "publicity/public_org.html", context)


@cached_page
def notice(request: HttpRequest, org_pk: int, pk: int) -> HttpResponse:
    org = _org(org_pk)
    n = _notice(org, pk)
    context = {
        "org": org,
        "notice": n,
        "items": selectors.notice_items(n),
        "opinions": selectors.notice_opinions(n),
        "is_live": n.is_live(),
        "form": OpinionForm(),
        **_share(
            org,
            n.title,
            f"{org.name} · {n.get_kind_display()}",
            selectors.absolute(reverse("publicity:notice_poster_png", args=[org.pk, n.pk])),
        ),
    }
    return render(request, "publicity/public_notice.html", context)


@cached_page
def honours(request: HttpRequest, org_pk: int) -> HttpResponse:
    """表彰名单: the organization's decided selection rounds, kept and listed by year."""
    org = _org(org_pk)
    lists = selection_selectors.honour_lists(org)
    context = {"org": org, "lists": lists}
    context.update(_share(org, _("%(name)s表彰名单") % {"name": org.name}, org.name))
    return render(request, "publicity/public_honours.html", context)


@cached_page
def pledge(request: HttpRequest, org_pk: int, pk: int) -> HttpResponse:
    org = _org(org_pk)
    p = selectors.public_pledge(org, pk)
    if p is None:
        raise Http404
    crumbs = org.breadcrumbs()
    context = {
        "org": org,
        "pledge": p,
        "breadcrumbs": crumbs,
        "timeline": selectors.pledge_timeline(p, crumbs),
        "public_statuses": Pledge.PUBLIC_STATUSES,
        "form": OpinionForm(),
        **_share(org, f"{p.owner_name}：{p.title}", f"{p.get_status_display()} · {p.measures}"),
    }
    return render(request, "publicity/public_pledge.html", context)


@cached_page
def photo(request: HttpRequest, org_pk: int, pk: int) -> HttpResponse:
    """A photo of a public 记实 the secretary made public: the resized copy without EXIF,
    never the original upload."""
    evidence = selectors.public_photo(_org(org_pk), pk)
    if evidence is None:
        raise Http404
    try:
        with evidence.public_image.open("rb") as f:
            data = f.read()
    except FileNotFoundError as e:
        raise Http404 from e
    return HttpResponse(data, content_type="image/jpeg")


@cached_page
def opinion(request: HttpRequest, org_pk: int, pk: int) -> HttpResponse:
    org = _org(org_pk)
    o = selectors.public_opinion(org, pk)
    if o is None:
        raise Http404
    context = {"org": org, "opinion": o, **_share(org, _("群众意见及答复"), org.name)}
    return render(request, "publicity/public_opinion.html", context)


@cached_page
def opinion_sent(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = _org(org_pk)
    context = {"org": org, **_share(org, org.name, _("意见已收到"))}
    return render(request, "publicity/public_opinion_sent.html", context)


@csrf_exempt
@require_POST
def opinion_submit(request: HttpRequest, org_pk: int) -> HttpResponse:
    """意见箱. A refusal shows the form again with everything typed still in it."""
    org = _org(org_pk)
    form = OpinionForm(request.POST)
    target = _target(org, request.POST)
    if form.is_valid():
        content = opinion_services.OpinionContent(
            text=form.cleaned_data["text"],
            name=form.cleaned_data["name"],
            contact=form.cleaned_data["contact"],
        )
        try:
            opinion_services.opinion_submit(
                organization=org,
                content=content,
                address=client_address(request),
                **target,
            )
            return redirect("publicity:opinion_sent", org_pk=org.pk)
        except TransitionError as e:
            form.add_error(None, str(e))
    context = {"org": org, "form": form, **target, **_share(org, org.name, _("意见箱"))}
    return render(request, "publicity/public_opinion_form.html", context, status=200)


def _target(org: Organization, post) -> dict:
    """The notice or pledge the opinion is about, when it is a public one of this organization."""
    target: dict = {"notice": None, "pledge": None}
    for name, lookup in (("notice", selectors.public_notice), ("pledge", selectors.public_pledge)):
        raw = post.get(name, "")
        if raw.isdigit() and len(raw) < 12:
            target[name] = lookup(org, int(raw))
    return target


def _notice_data(request: HttpRequest, n: Notice) -> dict:
    return {
        "id": n.pk,
        "title": n.title,
        "kind": n.kind,
        "kind_label": str(n.get_kind_display()),
        "version": n.correction_number,
        "correction_note": n.correction_note,
        "intro": n.intro,
        "starts_on": n.starts_on.isoformat(),
        "ends_on": n.ends_on.isoformat(),
        "url": request.build_absolute_uri(n.public_url()),
        "items": [
            {
                "heading": i.heading,
                "status": i.status_label,
                "lines": [{"label": label, "value": value} for label, value in i.lines],
                "rows": i.rows,
            }
            for i in n.items.all()
        ],
    }


@cached_page
def org_json(request: HttpRequest, org_pk: int) -> HttpResponse:
    """Open data for 政务公开 platforms: the organization's live notices."""
    org = _org(org_pk)
    data = {
        "organization": {"id": org.pk, "name": org.name},
        "generated": timezone.localdate().isoformat(),
        "notices": [_notice_data(request, n) for n in selectors.live_notices_with_items(org)],
    }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})


class OrganizationFeed(Feed):
    """Each organization's live notices as an Atom feed (Django's syndication framework)."""

    feed_type = Atom1Feed

    def get_object(self, request, org_pk: int) -> Organization:
        return selectors.public_org_or_404(org_pk)

    def title(self, obj: Organization) -> str:
        return _("%(org)s 公示") % {"org": obj.name}

    def link(self, obj: Organization) -> str:
        return reverse("publicity:organization", args=[obj.pk])

    def subtitle(self, obj: Organization) -> str:
        return _("一诺三评三公开：正在公示的内容")

    def items(self, obj: Organization) -> list[Notice]:
        return selectors.live_notices_with_items(obj)

    def item_title(self, item: Notice) -> str:
        return item.title

    def item_description(self, item: Notice) -> str:
        return render_to_string("publicity/_feed_item.html", {"notice": item})

    def item_link(self, item: Notice) -> str:
        return item.public_url()

    def item_pubdate(self, item: Notice) -> datetime.datetime:
        return timezone.make_aware(
            datetime.datetime.combine(item.starts_on, datetime.time.min),
            timezone.get_current_timezone(),
        )

    def item_updateddate(self, item: Notice) -> datetime.datetime:
        return item.approved_at or self.item_pubdate(item)


org_feed = cached_page(OrganizationFeed())
