"""Demo data of 组织评选: a finished 七一 round with its 公示 and 表彰名单 in the county, an
open one, a round of the city office for the bench; idempotent, removed by the reset."""

from io import StringIO

from django.test import override_settings

from pledges import demo
from publicity import demo as publicity_demo
from publicity.models import Notice
from reviews.demo.selection import reset_selection, seed_selection
from reviews.models import Nomination, SelectionRound

FAST_HASH = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


def test_it_seeds_a_finished_round_with_its_notice_and_honour_list(db):
    with FAST_HASH:
        root, _ = demo.build_county()
        seed_selection(scale="county", stdout=StringIO())
        publicity_demo.seed(scale="county", stdout=StringIO())
    decided = SelectionRound.objects.get(status="decided")
    assert decided.organization == root and decided.publicity_ends_on is not None
    assert Nomination.objects.filter(round=decided, status="awarded").exists()
    assert Nomination.objects.filter(round=decided, status="not_awarded").count() == 1
    notice = Notice.objects.get(kind=Notice.Kind.SELECTION)
    assert notice.status == Notice.Status.APPROVED and notice.items.exists()
    assert SelectionRound.objects.filter(status="open").count() == 1
    rounds, nominations = SelectionRound.objects.count(), Nomination.objects.count()
    seed_selection(scale="county", stdout=StringIO())
    publicity_demo.seed(scale="county", stdout=StringIO())
    assert (SelectionRound.objects.count(), Nomination.objects.count()) == (rounds, nominations)
    assert Notice.objects.filter(kind=Notice.Kind.SELECTION).count() == 1
    publicity_demo.reset(stdout=StringIO())
    reset_selection(org_paths=[root.path])
    assert not SelectionRound.objects.exists() and not Nomination.objects.exists()


def test_it_seeds_a_round_of_the_city_office(db):
    with FAST_HASH:
        demo.build_city(plan=demo.CityPlan.scaled(12))
    seed_selection(scale="small", stdout=StringIO())
    city = demo.city_root()
    selection = SelectionRound.objects.get(organization=city)
    assert selection.nominations.count() == 10 * selection.quotas.count()
