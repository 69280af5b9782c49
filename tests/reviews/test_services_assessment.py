"""一年一总评: the year page's figures, grades recorded by the office above, export."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.errors import TransitionError
from pledges.models import Pledge
from reviews.models import (
    AnnualAssessment,
    MemberRating,
    Quarter,
    RectificationItem,
    Review,
    Satisfaction,
)
from reviews.selectors import assessment as assessment_selectors
from reviews.services import assessment as assessment_services
from tests.factories import (
    MemberFactory,
    PledgeFactory,
    make_evaluation,
    make_item,
    make_review,
    record,
)

Grade = AnnualAssessment.Grade
YEAR = timezone.localdate().year


def test_it_records_a_branch_grade_by_the_office_above(world):
    a = record(world, exemplary=True, remark="推荐先进基层党组织")
    assert (a.grade, a.exemplary, a.decided_by) == (Grade.GOOD, True, world.office)


def test_it_records_a_member_grade(world):
    a = record(world, member=world.member, grade=Grade.FAIRLY_GOOD)
    assert a.member == world.member and a.organization == world.branch


def test_it_changes_a_grade_instead_of_adding_one(world):
    a = record(world)
    record(world, grade=Grade.AVERAGE, version=a.edit_version)
    assert AnnualAssessment.objects.get().grade == Grade.AVERAGE


def test_it_refuses_a_change_made_on_an_older_grade(world):
    a = record(world)
    record(world, grade=Grade.AVERAGE, version=a.edit_version)
    with pytest.raises(TransitionError, match="已被修改.*最近一次由"):
        record(world, grade=Grade.POOR, version=a.edit_version)
    assert AnnualAssessment.objects.get().grade == Grade.AVERAGE


def test_it_refuses_a_new_grade_over_one_recorded_meanwhile(world):
    record(world, grade=Grade.AVERAGE)
    with pytest.raises(TransitionError, match="已被修改"):
        record(world, grade=Grade.POOR, version=0)
    assert AnnualAssessment.objects.get().grade == Grade.AVERAGE


def _line(world, existing, **data):
    data = {"grade": "", "exemplary": False, "remark": "", "clear": False, **data}
    return assessment_services.AssessmentChange(world.branch, None, existing, data)


def test_it_leaves_a_line_blank_then_and_now_alone(world):
    a = record(world)
    saved, errors = assessment_services.assessments_save(
        by=world.office, year=YEAR, changes=[_line(world, a, version=0)]
    )
    assert (saved, errors) == (0, [])
    assert AnnualAssessment.objects.get().grade == Grade.GOOD


def test_it_clears_only_on_the_explicit_mark(world):
    a = record(world)
    saved, errors = assessment_services.assessments_save(
        by=world.office, year=YEAR, changes=[_line(world, a, version=a.edit_version)]
    )
    assert saved == 0 and "清除" in errors[0] and world.branch.name in errors[0]
    saved, errors = assessment_services.assessments_save(
        by=world.office,
        year=YEAR,
        changes=[_line(world, a, version=a.edit_version, clear=True)],
    )
    assert (saved, errors) == (1, []) and not AnnualAssessment.objects.exists()


def test_it_refuses_to_clear_a_grade_changed_meanwhile(world):
    a = record(world)
    record(world, grade=Grade.AVERAGE, version=a.edit_version)
    saved, errors = assessment_services.assessments_save(
        by=world.office,
        year=YEAR,
        changes=[_line(world, a, version=a.edit_version, clear=True)],
    )
    assert saved == 0 and "已被修改" in errors[0] and world.branch.name in errors[0]
    assert AnnualAssessment.objects.get().grade == Grade.AVERAGE


@pytest.mark.parametrize(
    "who", ["secretary", "other_secretary", "leader", "far_office", "stranger", "member_user"]
)
def test_it_refuses_anyone_but_the_office_above(world, who):
    with pytest.raises(PermissionDenied):
        record(world, by=getattr(world, who))
    with pytest.raises(PermissionDenied):
        record(world, by=getattr(world, who), member=world.member)


def test_it_refuses_the_office_its_own_organization(world):
    with pytest.raises(PermissionDenied):
        record(world, org=world.town)


def test_it_refuses_an_exemplary_poor_grade(world):
    with pytest.raises(TransitionError):
        record(world, grade=Grade.POOR, exemplary=True)


def test_it_refuses_an_unknown_grade(world):
    with pytest.raises(TransitionError):
        record(world, grade="excellent")


def test_it_refuses_to_change_a_published_grade(world):
    a = record(world)
    AnnualAssessment.objects.filter(pk=a.pk).update(published_at=timezone.now())
    with pytest.raises(TransitionError):
        record(world, grade=Grade.POOR)


@pytest.fixture
def year_data(world):
    """The branch's year: pledges, two quarters' reviews, rectification, an evaluation."""
    w = world
    q1, q2 = Quarter(YEAR, 1), Quarter(YEAR, 2)
    PledgeFactory(owner_org=w.branch, status=Pledge.Status.CLOSED, closed_on=q1.end, year=YEAR)
    PledgeFactory(owner_org=w.branch, status=Pledge.Status.IN_PROGRESS, year=YEAR)
    PledgeFactory(owner_org=w.branch, status=Pledge.Status.DRAFT, year=YEAR)
    PledgeFactory(owner_member=w.member, status=Pledge.Status.PUBLISHED, year=YEAR)
    r1 = make_review(q1, Review.Grade.GOOD, org=w.branch)
    make_review(q2, Review.Grade.FAIRLY_GOOD, org=w.branch)
    make_review(q2, Review.Grade.AVERAGE, member=w.member)
    make_item(r1, q1.end, RectificationItem.Status.CONFIRMED)
    make_item(r1, q2.end)
    S = Satisfaction
    evaluation = make_evaluation(
        w.branch, q1, [S.SATISFIED] * 28 + [S.UNSATISFIED] * 2, w.secretary
    )
    MemberRating.objects.bulk_create(
        [
            MemberRating(response=r, member=w.member, rating=S.BASIC)
            for r in evaluation.responses.all()
        ]
    )
    return w


def test_it_brings_the_year_together(year_data):
    w = year_data
    rows = {r.name: r for r in assessment_selectors.year_rows(w.town, YEAR)}
    assert set(rows) == {"城关镇党委", "东街社区党支部", "西街社区党支部"}
    rows = {r.name: r for r in assessment_selectors.year_rows(w.branch, YEAR)}
    branch, member = rows["东街社区党支部"], rows["张三"]
    assert (branch.pledges_closed, branch.pledges_total) == (1, 2)
    assert branch.grades_by_quarter() == [["好"], ["较好"], [], []]
    assert (branch.rect_done, branch.rect_total) == (1, 2)
    first, second = branch.halves()
    assert (first["n"], first["valid"], round(first["rate"], 3)) == (30, True, 0.933)
    assert second["n"] == 0
    assert (member.pledges_closed, member.pledges_total) == (0, 1)
    assert member.grades_by_quarter()[1] == ["一般"]
    assert member.halves()[0]["rate"] == 1


def test_it_shows_the_year_page_and_saves_grades(client, year_data):
    w = year_data
    url = reverse("reviews:assessment", args=[w.branch.pk]) + f"?year={YEAR}"
    client.force_login(w.office)
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200 and "93%" in text and "1/2" in text
    response = client.post(
        url,
        {
            "year": YEAR,
            f"o{w.branch.pk}-grade": Grade.GOOD,
            f"o{w.branch.pk}-exemplary": "on",
            f"o{w.branch.pk}-version": 0,
            f"m{w.member.pk}-grade": Grade.FAIRLY_GOOD,
            f"m{w.member.pk}-version": 0,
        },
    )
    assert response.status_code == 302
    grades = {(a.member_id, a.grade, a.exemplary) for a in AnnualAssessment.objects.all()}
    assert grades == {(None, Grade.GOOD, True), (w.member.pk, Grade.FAIRLY_GOOD, False)}


def test_it_shows_the_secretary_the_page_without_grading(client, year_data):
    w = year_data
    client.force_login(w.secretary)
    url = reverse("reviews:assessment", args=[w.branch.pk])
    page = client.get(url)
    assert page.status_code == 200 and "-grade" not in page.content.decode()
    client.post(url, {"year": YEAR, f"o{w.branch.pk}-grade": Grade.GOOD})
    assert not AnnualAssessment.objects.exists()


@pytest.mark.parametrize(
    "who, status",
    [("other_secretary", 404), ("far_office", 404), ("stranger", 404), ("member_user", 403)],
)
def test_it_hides_the_year_page_outside_the_scope(client, world, who, status):
    """Not visible: 404. The member sees his branch but not its grades: 403."""
    client.force_login(getattr(world, who))
    assert client.get(reverse("reviews:assessment", args=[world.branch.pk])).status_code == status
    form = {"kind": "grades", "org": world.branch.pk, "period": YEAR}
    assert client.post(reverse("exports:start"), form).status_code == 404


def test_it_exports_the_grades(export_ledger, year_data):
    w = year_data
    record(w, exemplary=True)
    rows = export_ledger(w.office, "grades", w.branch, YEAR).rows
    # Columns 12 and 13: the monthly 评比 and the 述职 测评, then the grade.
    assert rows[1][1] == "对象" and rows[1][14] == "总评等次"
    branch = rows[2]
    assert branch[1] == "东街社区党支部" and branch[3:5] == [1, 2]
    assert branch[5:7] == ["好", "较好"] and branch[14:16] == ["好", "是"]


def test_it_keeps_the_year_page_query_count_flat(client, world):
    url = reverse("reviews:assessment", args=[world.branch.pk])
    client.force_login(world.office)

    def count(n: int) -> int:
        for i in range(n):
            m = MemberFactory(name=f"成员{n}-{i}", organization=world.branch)
            PledgeFactory(owner_member=m, status=Pledge.Status.PUBLISHED, year=YEAR)
            make_review(Quarter(YEAR, 1), Review.Grade.GOOD, member=m)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    assert count(5) == count(50)


def test_it_sends_each_role_to_its_own_year_page(client, world):
    for user, org in ((world.office, world.town), (world.secretary, world.branch)):
        client.force_login(user)
        page = client.get(reverse("reviews:assessment_home"))
        assert page.url == reverse("reviews:assessment", args=[org.pk])
    client.force_login(world.stranger)
    assert client.get(reverse("reviews:assessment_home")).status_code == 403


def test_it_links_the_pages_in_the_navigation_by_role(client, world):
    client.force_login(world.office)
    text = client.get(reverse("reviews:mass_evaluation_list")).content.decode()
    assert "全覆盖统计" in text and "年度总评" in text
    client.force_login(world.secretary)
    text = client.get(reverse("reviews:mass_evaluation_list")).content.decode()
    assert "群众评议" in text and "全覆盖统计" not in text


def test_it_publishes_the_grades_under_an_organization(world):
    record(world)
    record(world, member=world.member)
    assert (
        assessment_services.assessments_publish(by=world.office, organization=world.town, year=YEAR)
        == 2
    )
    assert AnnualAssessment.objects.published().count() == 2
    with pytest.raises(TransitionError):
        record(world, grade=Grade.POOR)


@pytest.mark.parametrize("who", ["secretary", "leader", "far_office", "stranger"])
def test_it_refuses_publication_outside_the_office(world, who):
    with pytest.raises(PermissionDenied):
        assessment_services.assessments_publish(
            by=getattr(world, who), organization=world.town, year=YEAR
        )


def test_it_answers_a_malformed_year_with_the_current_one(client, world):
    client.force_login(world.office)
    url = reverse("reviews:assessment", args=[world.branch.pk])
    assert client.get(url, {"year": "abc"}).status_code == 200
    assert client.post(url, {"year": "abc"}).status_code == 302
