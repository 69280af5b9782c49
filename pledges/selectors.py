"""Reads for pages and ledgers. Each one starts from `visible_to` and does not query per row."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Substr

from . import lifecycle
from .counts import PLEDGES, cached_per_child
from .models import Member, Organization, Pledge, PledgeEvent, Position, ProgressRecord
from .roles import Roles, roles_of


def is_whole_tree(org: Organization) -> bool:
    """Whether `org` is the root of the only tree: its subtree is then every row, and a query
    over it needs no filter (nor the join to organizations a path filter takes). Asked once
    per organization object (an indexed EXISTS), never cached across requests: a tree added
    beside it must count at once."""
    if org.depth != 1:
        return False
    if not hasattr(org, "_is_whole_tree"):
        org._is_whole_tree = not Organization.objects.exclude(path__startswith=org.path).exists()
    return org._is_whole_tree


def in_subtree(qs: QuerySet, org: Organization, path_lookup: str) -> QuerySet:
    """`qs` limited to rows under `org` by `path_lookup` (e.g. "organization__path")."""
    if is_whole_tree(org):
        return qs
    return qs.filter(**{f"{path_lookup}__startswith": org.path})


def subtree_pledges(user, org: Organization, year: int | None = None) -> QuerySet[Pledge]:
    qs = Pledge.objects.visible_to(user).filter(owner_org__path__startswith=org.path)
    return qs.filter(year=year) if year else qs


def subtree_counts(user, org: Organization, year: int) -> tuple[dict[str, int], list]:
    """The subtree's pledge counts per status, and its direct children each with their own
    subtree's counts: the children, the organization's own pledges, and (above branch level,
    for the children whose subtree changed since it was cached: see counts.py) one grouped
    query of the children's subtrees."""
    children = list(Organization.objects.get_children(org))
    pledges = subtree_pledges(user, org, year)
    prefix_len = len(org.path) + Organization.steplen

    def count(paths: list[str] | None) -> dict[str, list]:
        rows = pledges.exclude(owner_org=org)
        if paths is not None:
            q = Q()
            for path in paths:
                q |= Q(owner_org__path__startswith=path)
            rows = rows.filter(q)
        per_child: dict[str, list] = defaultdict(list)
        for prefix, status, n in (
            rows.annotate(prefix=Substr("owner_org__path", 1, prefix_len))
            .values_list("prefix", "status")
            .annotate(n=Count("id"))
            .order_by()
        ):
            per_child[prefix].append((status, n))
        return per_child

    paths = [child.path for child in children]
    if org.is_branch_level or not children:
        # A branch's few hundred rows cost less to count than to look up.
        per_child = count(None) if children else {}
    else:
        sql, params = pledges.query.sql_with_params()
        name = repr((sql, params))
        per_child = cached_per_child(org, paths, name, count, tags=[PLEDGES])
    totals: Counter = Counter(
        dict(pledges.filter(owner_org=org).values_list("status").annotate(n=Count("id")).order_by())
    )
    result = []
    for child in children:
        counts = dict.fromkeys(Pledge.Status.values, 0)
        counts.update(dict(per_child.get(child.path, [])))
        totals.update(dict(per_child.get(child.path, [])))
        counts["total"] = sum(counts[s] for s in Pledge.Status.values)
        counts["editable"] = counts[Pledge.Status.DRAFT] + counts[Pledge.Status.RETURNED]
        result.append((child, counts))
    return {status: totals[status] for status in Pledge.Status.values}, result


def members_with_pledges(user, org: Organization, year: int) -> QuerySet[Member]:
    return (
        Member.objects.filter(organization=org)
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "pledges",
                queryset=Pledge.objects.visible_to(user).filter(year=year).order_by("id"),
                to_attr="year_pledges",
            )
        )
        .order_by("id")
    )


def members_without_pledges(org: Organization, year: int) -> QuerySet[Member]:
    """全覆盖: members of the organization with no pledge this year (whatever its state)."""
    return (
        Member.objects.filter(organization=org)
        .exclude(pledges__year=year)
        .only("id", "name")
        .order_by("id")
    )


def organization_pledges(user, org: Organization, year: int) -> QuerySet[Pledge]:
    return (
        Pledge.objects.visible_to(user)
        .filter(owner_org=org, owner_member__isnull=True, year=year)
        .order_by("id")
    )


def awaiting_approval_below(user, org: Organization) -> QuerySet[Pledge]:
    """Lower organizations' own pledges submitted to this level (the office or leader approves)."""
    return (
        subtree_pledges(user, org)
        .filter(status=Pledge.Status.SUBMITTED, owner_member__isnull=True)
        .exclude(owner_org=org)
        .select_related("owner_org")
        .order_by("submitted_at", "id")
    )


def overdue_pledges(user, org: Organization) -> QuerySet[Pledge]:
    return (
        subtree_pledges(user, org).overdue().select_related("owner_org", "owner_member")
    ).order_by("deadline", "id")


def pledge_page(pledge: Pledge) -> dict:
    records = (
        ProgressRecord.objects.filter(pledge=pledge)
        .select_related("author")
        .prefetch_related("evidence")
        .order_by("-date", "-id")
    )
    events = (
        PledgeEvent.objects.filter(pledge=pledge).select_related("actor").order_by("-at", "-id")
    )
    return {"records": records, "events": events}


def member_pledges(member: Member) -> QuerySet[Pledge]:
    return (
        Pledge.objects.filter(owner_member=member)
        .select_related("owner_org", "owner_member")
        .prefetch_related(
            Prefetch("events", queryset=PledgeEvent.objects.select_related("actor").order_by("-at"))
        )
        .order_by("-year", "id")
    )


def office_orgs(user) -> QuerySet[Organization]:
    """Organizations under the user's office positions (not his secretary or leader ones): what
    the office's admin lists show."""
    q = roles_of(user).subtree_q("path", kinds=Roles.OFFICE_KINDS)
    return Organization.objects.filter(q) if q is not None else Organization.objects.none()


def office_users(user) -> QuerySet:
    """Logins an office may manage: linked only inside its subtree (or not linked at all),
    and never staff or superusers, so no office can reach an account above or beside it."""
    scope = office_orgs(user)
    outside_position = Position.objects.filter(user=OuterRef("pk")).exclude(organization__in=scope)
    outside_member = Member.objects.filter(user=OuterRef("pk")).exclude(organization__in=scope)
    # Leaders and offices are the superuser's to manage, wherever they are linked.
    oversight = Position.objects.filter(
        user=OuterRef("pk"), kind__in=[k for k in Position.Kind.values if k != "secretary"]
    )
    return (
        get_user_model()
        .objects.filter(is_staff=False, is_superuser=False)
        .exclude(Exists(outside_position))
        .exclude(Exists(outside_member))
        .exclude(Exists(oversight))
    )


def editable_pledges(org: Organization, member: Member | None) -> QuerySet[Pledge]:
    """The entry page's rows: the owner's drafts and returned items, oldest first."""
    return Pledge.objects.filter(
        owner_org=org, owner_member=member, status__in=Pledge.EDITABLE_STATUSES
    ).order_by("id")


def ended_member_pledges(member: Member) -> QuerySet[Pledge]:
    """A member's earlier items past editing, shown beside the entry page (newest year first)."""
    return (
        Pledge.objects.filter(owner_member=member)
        .exclude(status__in=Pledge.EDITABLE_STATUSES)
        .order_by("-year", "id")
    )


def bulk_targets(user, org: Organization, ids: list[int]) -> list[Pledge]:
    """The ticked pledges the user may see under this organization; others are ignored."""
    return list(
        Pledge.objects.visible_to(user)
        .filter(pk__in=ids, owner_org__path__startswith=org.path)
        .select_related("owner_org", "owner_member")
    )


def round_pledges(org: Organization, month_start, month_end) -> QuerySet[Pledge]:
    """一月一记实: the pledges of the organization and its members that progress may be
    recorded on (published: 亮诺 first), each with its records in the month and its latest
    record date. One query however many."""
    in_month = Q(progress_records__date__gte=month_start, progress_records__date__lte=month_end)
    recordable = lifecycle.states_allowing(lifecycle.Move.PROGRESS)
    return (
        Pledge.objects.filter(owner_org=org, status__in=recordable)
        .select_related("owner_org", "owner_member")
        .annotate(
            month_records=Count("progress_records", filter=in_month),
            last_record=Max("progress_records__date"),
        )
        # The organization's own pledges first, then each member's together.
        .order_by(
            F("owner_member__name").asc(nulls_first=True), "owner_member_id", "deadline", "id"
        )
    )


def awaiting_publication(org: Organization) -> int:
    """The organization's pledges approved but not yet published (亮诺): the monthly round
    says they wait there, as nothing is recorded on them until then."""
    before = lifecycle.states_allowing(lifecycle.Move.PUBLISH)
    return Pledge.objects.filter(owner_org=org, status__in=before).count()
