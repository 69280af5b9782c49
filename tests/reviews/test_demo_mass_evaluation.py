"""The demo data of the mass evaluation and the annual assessment."""

from io import StringIO

from django.test import override_settings
from django.utils import timezone

from pledges import demo, tallies
from reviews.demo.mass_evaluation import reset_mass_evaluations, seed_mass_evaluations
from reviews.models import (
    MIN_RESPONSES,
    AnnualAssessment,
    EvaluationCode,
    EvaluationResponse,
    MassEvaluation,
    Quarter,
)
from reviews.selectors import dashboard as dashboard_selectors
from reviews.selectors import mass_evaluation as mass_evaluation_selectors

FAST_HASH = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def counts() -> tuple[int, int, int, int]:
    return (
        MassEvaluation.objects.count(),
        EvaluationCode.objects.count(),
        EvaluationResponse.objects.count(),
        AnnualAssessment.objects.count(),
    )


@override_settings(PASSWORD_HASHERS=FAST_HASH)
def test_it_seeds_a_finished_valid_evaluation_once(db):
    demo.build_county(seed=2024)
    seed_mass_evaluations(scale="county", stdout=StringIO())
    today = timezone.localdate()
    finished = MassEvaluation.objects.get(organization__name="东街社区党支部")
    assert finished.ends_on < today and not finished.is_open()
    results = mass_evaluation_selectors.mass_evaluation_results(finished)
    assert results.responses >= MIN_RESPONSES and results.is_valid
    assert results.members and all(m.total == results.responses for m in results.members)
    running = MassEvaluation.objects.get(organization__name="桃源村党支部")
    assert running.is_open()
    assert running.codes.filter(used_at__isnull=True).exists()
    assert AnnualAssessment.objects.filter(year=today.year, exemplary=True).exists()
    before = counts()
    seed_mass_evaluations(scale="county", stdout=StringIO())
    assert counts() == before


@override_settings(PASSWORD_HASHERS=FAST_HASH)
def test_it_seeds_the_city_in_bulk_once(db):
    root, _created = demo.build_city(plan=demo.CityPlan.scaled(12), seed=7)
    seed_mass_evaluations(scale="small", stdout=StringIO())
    evaluated = MassEvaluation.objects.filter(organization__path__startswith=root.path)
    assert evaluated.count() == 4  # every third of the 12 branches
    before = counts()
    seed_mass_evaluations(scale="small", stdout=StringIO())
    assert counts() == before
    tallies.rebuild()  # the bulk seed sends no signal; seed_demo rebuilds at its end
    d = dashboard_selectors.dashboard(root, Quarter.current())
    assert d.total.members.total > 0 and d.total.responses > 0


@override_settings(PASSWORD_HASHERS=FAST_HASH)
def test_it_clears_its_rows_so_the_demo_can_be_reset(db):
    root, _created = demo.build_county(seed=2024)
    seed_mass_evaluations(scale="county", stdout=StringIO())
    reset_mass_evaluations(org_paths=[root.path])
    assert counts() == (0, 0, 0, 0)
    demo.reset_demo()  # nothing of ours protects the demo organizations any more
