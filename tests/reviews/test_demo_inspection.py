"""Demo inspections: a half-yearly check with a notice answered and re-checked, a spot check."""

from io import StringIO

from django.test import override_settings

from pledges import demo
from reviews.demo.inspection import SPOT_SEED, reset_inspections, seed_inspections
from reviews.models import InspectionNotice, InspectionRound, InspectionTarget
from reviews.services.inspection import branches_under, draw_sample

FAST_HASH = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


def test_it_seeds_the_county_through_the_services_once(db):
    with FAST_HASH:
        root, _ = demo.build_county()
    out = StringIO()
    seed_inspections(scale="county", stdout=out)
    assert "整改通知书 3 份" in out.getvalue()
    regular = InspectionRound.objects.get(kind="regular")
    assert regular.targets.count() == len(branches_under(root))
    assert regular.targets.exclude(status=InspectionTarget.Status.PENDING).exists()
    statuses = list(InspectionNotice.objects.order_by("number").values_list("status", flat=True))
    assert statuses == ["passed", "returned", "issued"]
    passed = InspectionNotice.objects.get(status="passed")
    assert list(passed.events.values_list("action", flat=True)) == ["issue", "answer", "pass"]
    spot = InspectionRound.objects.get(kind="spot")
    drawn = sorted(spot.targets.values_list("organization_id", flat=True))
    assert spot.seed == SPOT_SEED
    assert drawn == draw_sample(branches_under(root), spot.sample_size, SPOT_SEED)
    seed_inspections(scale="county", stdout=StringIO())
    assert InspectionRound.objects.count() == 2
    reset_inspections(org_paths=[root.path])
    assert not InspectionRound.objects.exists() and not InspectionNotice.objects.exists()
