"""Demo inspections: the office's half-yearly check of its branches, confirmed from the pre-fill,
with a 整改通知书 answered and passed at 复验, one sent back, one still open; and a spot check of
a few branches drawn from a recorded seed. Through the services; idempotent."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import NOTHING
from pledges.demo import CITY_NAME, COUNTY_NAME
from pledges.models import Organization, Position

from ..models import InspectionNotice, InspectionRound, InspectionTarget
from ..selectors.inspection import prefill, targets_of
from ..services import inspection as services

SPOT_SEED = 20260701
CHECKED = 12


def seed_inspections(*, scale: str, stdout) -> None:
    name = COUNTY_NAME if scale == "county" else CITY_NAME
    root = Organization.objects.get_root_nodes().filter(name=name).first()
    if root is None:
        return
    if InspectionRound.objects.filter(organization=root).exists():
        stdout.write(_("检查演示数据已存在，未重复生成"))
        return
    office = (
        Position.objects.filter(organization=root, kind=Position.Kind.OFFICE)
        .select_related("user")
        .order_by("id")
        .first()
    )
    if office is None:
        return
    office = office.user
    today = timezone.localdate()
    half = 1 if today.month <= 6 else 2
    inspection = services.inspection_round_open(
        by=office, organization=root, kind="regular", year=today.year, half=half
    )
    secretaries = dict(
        Position.objects.filter(
            organization__path__startswith=root.path, kind=Position.Kind.SECRETARY
        ).values_list("organization_id", "user_id")
    )
    targets = list(targets_of(inspection)[:CHECKED])
    # The inspector confirms what the system pre-filled.
    for row in prefill(inspection, targets):
        answers = {key: bool(fact.ok) for key, fact in row.facts.items()}
        services.inspection_target_check(
            target=row.target, by=office, answers=answers, version=row.target.edit_version
        )
    with_secretary = [t for t in targets if t.organization_id in secretaries]
    notices = _notices(office, with_secretary[:3], secretaries, today)
    branches = len(services.branches_under(root))
    spot = services.inspection_round_open(
        by=office,
        organization=root,
        kind="spot",
        year=today.year,
        half=half,
        sample_size=min(5, branches),
        seed=SPOT_SEED,
    )
    stdout.write(
        _("检查：定期检查 %(n)d 个党支部，抽查 %(s)d 个，整改通知书 %(notices)d 份")
        % {"n": inspection.targets.count(), "s": spot.targets.count(), "notices": notices}
    )


def _notices(office, targets: list[InspectionTarget], secretaries: dict, today) -> int:
    """The first notice answered and passed, the second sent back, the third still open. The
    texts are data, written as an office would, not interface strings."""
    user_model = office.__class__
    made = 0
    for i, target in enumerate(targets):
        notice = services.inspection_notice_issue(
            target=target,
            by=office,
            problems=[
                "承诺未全部在公开栏公开，部分党员承诺未亮诺",
                "践诺台账记实不全，三月以来无记录",
                "群众评议参评人数不足 30 人",
            ][i],
            requirements="对照检查清单逐项整改，补齐台账并在公开栏公开，附照片等佐证材料",
            deadline=today + datetime.timedelta(days=[20, 15, 30][i]),
        )
        made += 1
        if i == 2:
            continue
        secretary = user_model.objects.get(pk=secretaries[target.organization_id])
        services.inspection_notice_answer(
            notice=notice,
            by=secretary,
            answer=[
                "已在公开栏和网上公开全部承诺，党员承诺卡已上墙",
                "已补记三月以来的践诺记实",
            ][i],
        )
        services.inspection_notice_recheck(
            notice=notice,
            by=office,
            passed=i == 0,
            remark=["现场复验，已整改到位", "记实仍缺五月、六月，请补齐后再报"][i],
        )
    return made


def reset_inspections(*, org_paths: list[str]) -> None:
    """Delete the inspections under the given organizations (their rows protect them)."""
    q = NOTHING
    for path in org_paths:
        q |= Q(organization__path__startswith=path)
    InspectionNotice.objects.filter(q).delete()
    InspectionRound.objects.filter(q).delete()
