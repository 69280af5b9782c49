"""Demo data of 组织评选; run by `seed_demo` after the other reviews.

County: this year's 七一 优秀共产党员 round of the county office, one place for each
organization directly under the county, nominated through the services by each one's
secretary (the office for those without one), one nominee with an overdue pledge nominated
with a written reason, and the short list fixed. The publicity demo then puts the short list on
a 公示, lets its window pass and decides: a finished round with a 表彰名单. A second round
(先进基层党组织) stays open for nominating. City: one round of the city office with three
places for each county, nominated by the office, for the nominations page of the benchmark.
Idempotent: nothing is added where a round exists.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import NOTHING
from core.db import analyse
from pledges.models import Member, Organization, Position

from ..models import Honour, Nomination, SelectionQuota, SelectionRound
from ..selectors import selection as selectors
from ..services import selection as services

COUNTY_NAME = "青溪县委"
CITY_NAME = "江城市委"
REASONS = [
    "践诺事项全部按期兑现销号，带头服务群众，群众满意度高",
    "扎根基层，带领群众办实事好事，先锋模范作用突出",
    "承诺事项件件有着落，记实完整，领导点评等次为好",
]
CAUTION_REASON = "该同志逾期事项系客观原因所致，已制定补救措施并按期整改，经支部委员会研究同意推荐"


def _position_user(org: Organization, kind: str):
    p = Position.objects.filter(organization=org, kind=kind).select_related("user").first()
    return p.user if p else None


def _content(honour: str, title: str, year: int, quotas: dict[int, int]):
    return services.RoundContent(
        honour=honour,
        title=title,
        year=year,
        nominations_due=timezone.localdate() + datetime.timedelta(days=14),
        quotas=quotas,
    )


def _nominate_members(selection, unit, by, places: int, start: int = 0) -> int:
    """The unit's ★ members of the year first, then the first members of its subtree; a
    nominee the system cautions against gets the written reason."""
    picked = [c.key for c in selectors.unit_candidates(selection, unit)][:places]
    if len(picked) < places:
        members = Member.objects.filter(organization__path__startswith=unit.path).order_by("id")
        picked += [f"m:{pk}" for pk in members.values_list("pk", flat=True)[: places * 2]]
    made = 0
    for n, key in enumerate(dict.fromkeys(picked)):
        if made >= places:
            break
        services.nomination_create(
            by=by,
            selection=selection,
            unit=unit,
            content=services.NominationContent(
                nominee=key,
                reason=REASONS[(start + n) % len(REASONS)],
                caution_reason=CAUTION_REASON,
            ),
        )
        made += 1
    return made


def _demo_round_owner(name: str):
    """The demo root named `name` and its office, unless it has none or already has a round."""
    root = Organization.objects.get_root_nodes().filter(name=name).first()
    office = _position_user(root, Position.Kind.OFFICE) if root else None
    if office is None or SelectionRound.objects.filter(organization=root).exists():
        return None, None
    return root, office


def _open_round(root, office, units, honour: str, title: str, places: int) -> SelectionRound:
    """A round of this year over the root's children, `places` for each; `title` takes %(year)d."""
    year = timezone.localdate().year
    return services.selection_round_open(
        by=office,
        organization=root,
        content=_content(honour, title % {"year": year}, year, {u.pk: places for u in units}),
    )


def _seed_county(stdout) -> None:
    root, office = _demo_round_owner(COUNTY_NAME)
    if root is None:
        return
    units = selectors.child_units(root)
    selection = _open_round(
        root, office, units, Honour.EXCELLENT_MEMBER, _("%(year)d年“七一”优秀共产党员评选"), 1
    )
    made = 0
    for n, unit in enumerate(units):
        by = _position_user(unit, Position.Kind.SECRETARY) or office
        made += _nominate_members(selection, unit, by, 1, start=n)
    ids = list(selection.nominations.order_by("id").values_list("pk", flat=True))
    # All but the last go on the 公示: the last stays "已推荐" and is not honoured.
    services.selection_round_shortlist(
        by=office,
        selection=selection,
        nomination_ids=ids[:-1] if len(ids) > 1 else ids,
        version=selection.edit_version,
    )
    _open_round(
        root, office, units, Honour.ADVANCED_ORG, _("%(year)d年“七一”先进基层党组织评选"), 1
    )
    stdout.write(
        _("组织评选：%(title)s，推荐 %(n)d 名（公示、表彰见公示演示数据）")
        % {"title": selection.title, "n": made}
    )


def _seed_city(stdout) -> None:
    root, office = _demo_round_owner(CITY_NAME)
    if root is None:
        return
    units = selectors.child_units(root)
    selection = _open_round(
        root, office, units, Honour.EXCELLENT_MEMBER, _("%(year)d年“七一”优秀共产党员评选"), 10
    )
    made = sum(
        _nominate_members(selection, unit, office, 10, start=n) for n, unit in enumerate(units)
    )
    stdout.write(_("组织评选：%(title)s，推荐 %(n)d 名") % {"title": selection.title, "n": made})


def seed_selection(*, scale: str, stdout) -> None:
    with transaction.atomic():
        if scale == "county":
            _seed_county(stdout)
        else:
            _seed_city(stdout)
    # Fresh tables keep their empty statistics until autovacuum comes: without this the
    # nominations page joins members by a full index scan (19 ms instead of 0.6 on the city).
    analyse(SelectionRound, SelectionQuota, Nomination)


def reset_selection(*, org_paths: list[str]) -> None:
    q = NOTHING
    for path in org_paths:
        q |= Q(organization__path__startswith=path)
    rounds = SelectionRound.objects.filter(q)
    Nomination.objects.filter(round__in=rounds).delete()
    SelectionQuota.objects.filter(round__in=rounds).delete()
    rounds.delete()
