"""Every ledger export (pledges/exports.py, reviews/exports.py): what a user typed that looks
like a formula reaches the sheets as text, never as a formula."""

import pytest

from core.exports import registry
from core.exports.models import ExportJob
from pledges.models import Pledge
from reviews.models import AnnualAssessment, Quarter
from reviews.services import rectification as rectification_services
from tests.factories import PledgeFactory, make_evaluation, member_subject, signed_review

PLANTED = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)", "\t=1+1", "\r=2"]
Q = Quarter.current()
KINDS = {
    "pledges": Q.year,
    "reviews": Q.code,
    "rectification": Q.code,
    "evaluation": Q.year,
    "grades": Q.year,
}


@pytest.fixture
def planted(world):
    w = world
    for text in PLANTED:
        PledgeFactory(
            owner_member=w.member,
            title=text,
            measures=text,
            expected_result=text,
            status=Pledge.Status.IN_PROGRESS,
            year=Q.year,
            created_by=w.secretary,
        )
    review = signed_review(
        w.secretary, member_subject(w.member), n_items=len(PLANTED), mode="random"
    )
    for item, text in zip(review.items.order_by("id"), PLANTED, strict=True):
        rectification_services.rectification_item_done(
            item=item, by=w.member_user, measures_taken=text, reply=text
        )
    make_evaluation(w.branch, Q, ["satisfied"] * 3, w.office)
    AnnualAssessment.objects.create(
        year=Q.year, organization=w.branch, grade="good", remark=PLANTED[0], decided_by=w.office
    )
    return w


def test_it_registers_the_five_ledgers():
    for kind in KINDS:
        assert registry.get(kind) is not None, kind


@pytest.mark.parametrize("kind", list(KINDS))
def test_it_writes_no_formula_in_any_cell(export_ledger, planted, kind):
    sheet = export_ledger(planted.office, kind, planted.town, KINDS[kind]).sheet
    values = set()
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (kind, cell.coordinate, cell.value)
            values.add(cell.value)
    if kind == "pledges":
        # Shown as typed (XML reads a carriage return back as a line feed).
        assert {text.replace("\r", "\n") for text in PLANTED} <= values
    if kind == "rectification":
        assert {text.strip() for text in PLANTED} <= values  # the form strips replies
    if kind == "grades":
        assert PLANTED[0] in values


@pytest.mark.parametrize("filing", ["abc", "²", "", None, "1" * 20])
def test_it_refuses_a_hand_made_package_export_with_odd_params(filing_world, client, filing):
    w = filing_world
    client.force_login(w.secretary)
    post = {"kind": "filing_package", "round": "1"}
    if filing is not None:
        post["filing"] = filing
    response = client.post("/exports/start/", post, follow=True)
    assert response.status_code == 200 and "没有这份备案" in response.content.decode()
    assert not ExportJob.objects.exists()
