"""群众评议: codes, anonymous answers, the 30-answer rule, results and who may run it."""

import datetime
import io
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.errors import TransitionError
from pledges.models import Position
from pledges.services.calendar import calendar_set
from reviews.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    MIN_RESPONSES,
    EvaluationCode,
    EvaluationResponse,
    MassEvaluation,
    MemberRating,
    Satisfaction,
)
from reviews.selectors import mass_evaluation as mass_evaluation_selectors
from reviews.services import mass_evaluation as mass_evaluation_services
from reviews.services.mass_evaluation import CodeRefused
from tests.factories import (
    MemberFactory,
    UserFactory,
    answer,
    calendar_content,
    codes_of,
    make_position,
    open_evaluation,
)

S = Satisfaction


# --- opening and codes ----------------------------------------------------------------------


def test_it_opens_an_evaluation_of_the_branch_and_its_members(world):
    evaluation = open_evaluation(world)
    assert evaluation.organization == world.branch
    assert list(evaluation.members.all()) == [world.member]
    assert evaluation.created_by == world.secretary


def test_it_lets_the_office_above_open_one(world):
    evaluation = open_evaluation(world, by=world.office)
    assert evaluation.pk


@pytest.mark.parametrize(
    "who", ["other_secretary", "leader", "far_office", "stranger", "member_user"]
)
def test_it_refuses_to_open_outside_the_scope(world, who):
    with pytest.raises(PermissionDenied):
        open_evaluation(world, by=getattr(world, who))


def test_it_refuses_a_member_of_another_branch(world):
    with pytest.raises(TransitionError):
        open_evaluation(world, members=[world.other_member])


def test_it_refuses_a_second_evaluation_for_the_same_half(world):
    open_evaluation(world)
    with pytest.raises(TransitionError):
        open_evaluation(world)


def test_it_issues_unique_typeable_codes(world):
    evaluation = open_evaluation(world, codes=60)
    codes = codes_of(evaluation)
    assert len(set(codes)) == 60
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("01OI") & set("".join(codes))


def test_it_refuses_codes_to_the_other_branch_secretary(world):
    evaluation = open_evaluation(world)
    with pytest.raises(PermissionDenied):
        mass_evaluation_services.mass_evaluation_codes_issue(
            by=world.other_secretary, evaluation=evaluation, count=5
        )


def test_it_refuses_too_many_codes_at_once(world):
    evaluation = open_evaluation(world)
    with pytest.raises(TransitionError):
        mass_evaluation_services.mass_evaluation_codes_issue(
            by=world.secretary, evaluation=evaluation, count=501
        )


# --- answering --------------------------------------------------------------------------------


def test_it_records_an_answer_and_spends_the_code(world):
    evaluation = open_evaluation(world, codes=1)
    code = codes_of(evaluation)[0]
    answer(evaluation, code, rating=S.BASIC, member_rating=S.UNSATISFIED, opinion="多走访")
    response = EvaluationResponse.objects.get()
    assert (response.rating, response.opinion) == (S.BASIC, "多走访")
    assert MemberRating.objects.get().rating == S.UNSATISFIED
    assert EvaluationCode.objects.get(code=code).used_at is not None


def test_it_refuses_a_used_code(world):
    evaluation = open_evaluation(world, codes=1)
    code = codes_of(evaluation)[0]
    answer(evaluation, code)
    with pytest.raises(CodeRefused) as e:
        answer(evaluation, code)
    assert e.value.reason == "used"
    assert "已经使用" in str(e.value)
    assert EvaluationResponse.objects.count() == 1


def test_it_refuses_an_unknown_code(world):
    evaluation = open_evaluation(world, codes=1)
    for bad in ("ABCDEFGHJK", "", "SHORT", "x" * 50):
        with pytest.raises(CodeRefused) as e:
            answer(evaluation, bad)
        assert e.value.reason == "unknown"
    assert EvaluationResponse.objects.count() == 0


def test_it_refuses_a_code_after_the_end_date(world):
    evaluation = open_evaluation(world, codes=1)
    MassEvaluation.objects.filter(pk=evaluation.pk).update(
        ends_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    with pytest.raises(CodeRefused) as e:
        answer(evaluation, codes_of(evaluation)[0])
    assert e.value.reason == "expired"
    assert EvaluationResponse.objects.count() == 0


def test_it_accepts_a_code_on_its_last_day(world):
    evaluation = open_evaluation(world, codes=1)
    MassEvaluation.objects.filter(pk=evaluation.pk).update(ends_on=timezone.localdate())
    answer(evaluation, codes_of(evaluation)[0])
    assert EvaluationResponse.objects.count() == 1


def test_it_refuses_a_code_after_an_early_close(world):
    evaluation = open_evaluation(world, codes=1)
    mass_evaluation_services.mass_evaluation_close(by=world.secretary, evaluation=evaluation)
    with pytest.raises(CodeRefused) as e:
        answer(evaluation, codes_of(evaluation)[0])
    assert e.value.reason == "expired"


def test_it_accepts_a_code_typed_in_lower_case_with_spaces(world):
    evaluation = open_evaluation(world, codes=1)
    code = codes_of(evaluation)[0]
    answer(evaluation, f" {code[:5].lower()}-{code[5:]} ")
    assert EvaluationResponse.objects.count() == 1


def test_it_requires_every_listed_member_to_be_rated(world):
    evaluation = open_evaluation(world, codes=1)
    code = codes_of(evaluation)[0]
    with pytest.raises(TransitionError):
        mass_evaluation_services.mass_evaluation_submit(
            code=code, rating=S.SATISFIED, member_ratings={}, address="10.0.0.1"
        )
    # Nothing written and the code still usable.
    assert EvaluationResponse.objects.count() == 0
    assert EvaluationCode.objects.get(code=code).used_at is None


def test_it_refuses_a_rating_outside_the_three_choices(world):
    evaluation = open_evaluation(world, codes=1)
    with pytest.raises(TransitionError):
        answer(evaluation, codes_of(evaluation)[0], rating="excellent")


def test_it_keeps_nothing_that_links_an_answer_to_its_code(world):
    names = {f.name for f in EvaluationResponse._meta.get_fields()}
    assert names == {"id", "evaluation", "rating", "opinion", "member_ratings"}


# --- results ----------------------------------------------------------------------------------


def fill(evaluation, ratings):
    needed = len(ratings) - len(codes_of(evaluation))
    if needed > 0:
        mass_evaluation_services.mass_evaluation_codes_issue(
            by=evaluation.created_by, evaluation=evaluation, count=needed
        )
    for code, rating in zip(codes_of(evaluation), ratings, strict=False):
        answer(evaluation, code, rating=rating, member_rating=rating)


def test_it_counts_and_rates_the_organization_and_each_member(world):
    evaluation = open_evaluation(world)
    fill(evaluation, [S.SATISFIED] * 20 + [S.BASIC] * 7 + [S.UNSATISFIED] * 3)
    results = mass_evaluation_selectors.mass_evaluation_results(evaluation)
    org = results.organization
    assert (org.satisfied, org.basic, org.unsatisfied, org.total) == (20, 7, 3, 30)
    assert org.rate == pytest.approx(27 / 30)
    assert org.rate_percent == "90.0%"
    [member] = results.members
    assert (member.name, member.total, member.rate) == ("张三", 30, pytest.approx(0.9))
    assert results.is_valid


def test_it_is_not_valid_under_30_answers(world):
    assert MIN_RESPONSES == 30
    evaluation = open_evaluation(world)
    fill(evaluation, [S.SATISFIED] * 29)
    assert not mass_evaluation_selectors.mass_evaluation_results(evaluation).is_valid
    fill(evaluation, [S.SATISFIED])
    assert mass_evaluation_selectors.mass_evaluation_results(evaluation).is_valid


# --- pages ------------------------------------------------------------------------------------


def test_it_shows_the_form_without_login_and_records_the_answer(client, world):
    evaluation = open_evaluation(world, codes=1)
    code = codes_of(evaluation)[0]
    url = reverse("reviews:mass_evaluation_form", args=[code])
    page = client.get(url)
    assert page.status_code == 200
    assert "东街社区党支部" in page.content.decode() and "张三" in page.content.decode()
    done = client.post(url, {"rating": S.SATISFIED, f"m{world.member.pk}": S.BASIC})
    assert done.status_code == 302 and done.url == reverse("reviews:mass_evaluation_done")
    assert EvaluationResponse.objects.count() == 1


def test_it_tells_the_evaluator_a_code_was_used(client, world):
    evaluation = open_evaluation(world, codes=1)
    code = codes_of(evaluation)[0]
    url = reverse("reviews:mass_evaluation_form", args=[code])
    client.post(url, {"rating": S.SATISFIED, f"m{world.member.pk}": S.BASIC})
    again = client.post(url, {"rating": S.UNSATISFIED, f"m{world.member.pk}": S.BASIC})
    assert again.status_code == 410
    assert "已经使用过" in again.content.decode()
    assert EvaluationResponse.objects.count() == 1


def test_it_tells_the_evaluator_a_code_is_unknown_or_expired(client, world):
    evaluation = open_evaluation(world, codes=1)
    unknown = client.get(reverse("reviews:mass_evaluation_form", args=["ZZZZZZZZZZ"]))
    assert unknown.status_code == 404 and "评议码无效" in unknown.content.decode()
    MassEvaluation.objects.filter(pk=evaluation.pk).update(
        ends_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    expired = client.get(reverse("reviews:mass_evaluation_form", args=[codes_of(evaluation)[0]]))
    assert expired.status_code == 410 and "已经结束" in expired.content.decode()


def test_it_asks_again_when_a_member_is_not_rated(client, world):
    evaluation = open_evaluation(world, codes=1)
    url = reverse("reviews:mass_evaluation_form", args=[codes_of(evaluation)[0]])
    page = client.post(url, {"rating": S.SATISFIED})
    assert page.status_code == 200
    assert "请对该党员作出评价" in page.content.decode()
    assert EvaluationResponse.objects.count() == 0


def test_it_takes_a_typed_code_to_the_form(client, world):
    evaluation = open_evaluation(world, codes=1)
    code = codes_of(evaluation)[0]
    page = client.get(reverse("reviews:mass_evaluation_entry"), {"code": code.lower()})
    assert page.status_code == 302 and page.url == reverse(
        "reviews:mass_evaluation_form", args=[code]
    )


def test_it_hides_the_results_while_answers_still_arrive(client, world):
    evaluation = open_evaluation(world)
    fill(evaluation, [S.SATISFIED, S.UNSATISFIED])
    client.force_login(world.secretary)
    text = client.get(evaluation.get_absolute_url()).content.decode()
    assert "评议结束后显示" in text and "50.0%" not in text
    export = client.get(reverse("reviews:mass_evaluation_export", args=[evaluation.pk]))
    assert export.status_code == 302


def test_it_shows_the_results_table_to_the_secretary_and_office(client, world):
    evaluation = open_evaluation(world)
    fill(evaluation, [S.SATISFIED] * 2 + [S.UNSATISFIED])
    mass_evaluation_services.mass_evaluation_close(by=world.secretary, evaluation=evaluation)
    for user in (world.secretary, world.office, world.leader):
        client.force_login(user)
        page = client.get(evaluation.get_absolute_url())
        assert page.status_code == 200
        text = page.content.decode()
        assert "群众评议情况统计表" in text and "66.7%" in text and "不足 30 人" in text


@pytest.mark.parametrize("who", ["other_secretary", "far_office", "stranger", "member_user"])
def test_it_hides_the_results_outside_the_scope(client, world, who):
    evaluation = open_evaluation(world)
    client.force_login(getattr(world, who))
    assert client.get(evaluation.get_absolute_url()).status_code == 404
    export = reverse("reviews:mass_evaluation_export", args=[evaluation.pk])
    assert client.get(export).status_code == 404


def test_it_sends_anonymous_users_to_login_for_the_results(client, world):
    evaluation = open_evaluation(world)
    assert client.get(evaluation.get_absolute_url()).status_code == 302


def test_it_exports_the_results_table(client, world):
    evaluation = open_evaluation(world)
    fill(evaluation, [S.SATISFIED] * 30 + [S.BASIC] * 2)
    mass_evaluation_services.mass_evaluation_close(by=world.secretary, evaluation=evaluation)
    client.force_login(world.office)
    response = client.get(reverse("reviews:mass_evaluation_export", args=[evaluation.pk]))
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[2][:7] == ("评议对象", "类别", "参评人数", "满意", "基本满意", "不满意", "满意率")
    assert rows[3][:7] == ("东街社区党支部", "党组织", 32, 30, 2, 0, 1)
    assert rows[4][0] == "张三"


def test_it_prints_slips_with_a_qr_code_per_unused_code(client, world):
    evaluation = open_evaluation(world, codes=3)
    client.force_login(world.secretary)
    page = client.get(reverse("reviews:mass_evaluation_slips", args=[evaluation.pk]))
    text = page.content.decode()
    assert text.count('data-testid="slip"') == 3
    assert text.count("<svg") >= 3
    for code in codes_of(evaluation):
        assert code in text


def test_it_refuses_slips_to_a_leader(client, world):
    evaluation = open_evaluation(world, codes=3)
    client.force_login(world.leader)
    page = client.get(reverse("reviews:mass_evaluation_slips", args=[evaluation.pk]))
    assert page.status_code == 403


def test_it_issues_codes_and_closes_from_the_page(client, world):
    evaluation = open_evaluation(world)
    client.force_login(world.secretary)
    client.post(
        reverse("reviews:mass_evaluation_codes_issue", args=[evaluation.pk]), {"count": "7"}
    )
    assert EvaluationCode.objects.filter(evaluation=evaluation).count() == 7
    client.post(reverse("reviews:mass_evaluation_close", args=[evaluation.pk]))
    evaluation.refresh_from_db()
    assert evaluation.closed_at is not None


def test_it_opens_an_evaluation_from_the_page(client, world):
    client.force_login(world.secretary)
    url = reverse("reviews:mass_evaluation_open", args=[world.branch.pk])
    assert client.get(url).status_code == 200
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "year": today.year,
            "half": 2,
            "ends_on": (today + datetime.timedelta(days=5)).isoformat(),
            "members": [world.member.pk],
        },
    )
    evaluation = MassEvaluation.objects.get()
    assert response.status_code == 302 and response.url == evaluation.get_absolute_url()


def test_it_refuses_the_open_page_to_another_branch(client, world):
    client.force_login(world.other_secretary)
    url = reverse("reviews:mass_evaluation_open", args=[world.branch.pk])
    assert client.get(url).status_code == 404


def test_it_lists_only_evaluations_in_scope(client, world):
    open_evaluation(world)
    client.force_login(world.other_secretary)
    page = client.get(reverse("reviews:mass_evaluation_list"))
    assert page.content.decode().count('data-testid="evaluation-row"') == 0
    client.force_login(world.office)
    page = client.get(reverse("reviews:mass_evaluation_list"))
    assert page.content.decode().count('data-testid="evaluation-row"') == 1


def test_it_keeps_the_results_page_query_count_flat(client, world):
    def count_for(n_members):
        MemberRating.objects.all().delete()
        EvaluationResponse.objects.all().delete()
        EvaluationCode.objects.all().delete()
        MassEvaluation.objects.all().delete()
        members = [MemberFactory(organization=world.branch) for _ in range(n_members)]
        evaluation = open_evaluation(world, members=members)
        fill(evaluation, [S.SATISFIED, S.BASIC])
        client.force_login(world.secretary)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(evaluation.get_absolute_url()).status_code == 200
        return len(ctx)

    assert count_for(5) == count_for(50)


def test_it_exports_unused_codes_as_links_to_the_organizer_only(client, world):
    evaluation = open_evaluation(world, codes=2)
    url = reverse("reviews:mass_evaluation_links", args=[evaluation.pk])
    client.force_login(world.secretary)
    lines = client.get(url).content.decode().splitlines()
    assert len(lines) == 2 and all("/reviews/e/" in line for line in lines)
    client.force_login(world.leader)
    assert client.get(url).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_it_records_one_answer_when_a_code_is_sent_twice_at_once(world):
    """Two phones (or a double tap) posting the same code together: the row lock lets one in.

    On PostgreSQL the two posts really race in two threads; SQLite serializes writers (and
    its shared in-memory test database would refuse the second thread), so there they come
    one after the other and the same rule must hold.
    """

    concurrent = connection.vendor == "postgresql"
    evaluation = open_evaluation(world, codes=1)
    code = codes_of(evaluation)[0]
    members = list(evaluation.members.values_list("id", flat=True))
    barrier = threading.Barrier(2 if concurrent else 1)
    outcomes = []

    def submit():
        barrier.wait()
        try:
            mass_evaluation_services.mass_evaluation_submit(
                code=code,
                rating=S.SATISFIED,
                member_ratings=dict.fromkeys(members, S.BASIC),
                address="10.0.0.1",
            )
            outcomes.append("ok")
        except CodeRefused as e:
            outcomes.append(e.reason)
        finally:
            if concurrent:
                connection.close()

    if concurrent:
        threads = [threading.Thread(target=submit) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        submit()
        submit()
    assert sorted(outcomes) == ["ok", "used"]
    assert EvaluationResponse.objects.count() == 1


def test_it_hides_the_results_from_a_leader_linked_elsewhere(client, world):
    evaluation = open_evaluation(world)
    far_leader = UserFactory(username="far_leader")
    make_position(far_leader, world.far_town, Position.Kind.LEADER_CONTACT)
    client.force_login(far_leader)
    assert client.get(evaluation.get_absolute_url()).status_code == 404


def test_it_holds_one_evaluation_a_year_where_the_committee_evaluates_yearly(world):
    today = timezone.localdate()
    calendar_set(
        organization=world.town,
        year=today.year,
        content=calendar_content(mass_evaluation_cadence="year"),
        version=0,
        by=world.office,
    )
    open_evaluation(world)
    with pytest.raises(TransitionError, match="一年一次"):
        mass_evaluation_services.mass_evaluation_open(
            by=world.secretary,
            organization=world.branch,
            year=today.year,
            half=2 if today.month <= 6 else 1,
            ends_on=today + datetime.timedelta(days=10),
        )
    assert MassEvaluation.objects.count() == 1
