"""点评情况登记表 (reviews/ledgers/review.py), exported as the office page starts it."""

import io
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from pledges.models.position import roles_of
from pledges.services.calendar import calendar_set
from reviews.ledgers import review as ledger
from reviews.models import Quarter
from reviews.services import rectification as rectification_services
from reviews.services import review as review_services
from tests.factories import (
    MemberFactory,
    calendar_content,
    content,
    items,
    member_subject,
    org_subject,
    signed_review,
)

Q = Quarter.current()


@pytest.fixture
def rows_for(export_ledger):
    def rows(user, org, period=Q.code):
        return export_ledger(user, "reviews", org, period).rows

    return rows


def test_it_exports_the_review_register_with_rectification_items_and_their_status(rows_for, rworld):
    w = rworld
    review = signed_review(w.secretary, member_subject(w.member), n_items=2, mode="random")
    first = review.items.order_by("id").first()
    rectification_services.rectification_item_done(
        item=first, by=w.member_user, measures_taken="已整改"
    )
    rectification_services.rectification_item_confirm(item=first, by=w.secretary)
    signed_review(w.branch_leader, org_subject(w.branch), n_items=0, mode="on_site")

    rows = rows_for(w.office, w.town)

    assert "点评情况登记表" in rows[0][0]
    assert rows[1][:7] == [
        "序号", "点评对象", "类别", "所属党组织", "点评人", "点评时间", "点评方式",
    ]  # fmt: skip
    by_subject = {r[1]: r for r in rows[2:]}
    member_row = by_subject["张三"]
    assert member_row[6] == "随机点评（未先报后评）"
    assert member_row[7:11] == ["承诺事项推进有力", "群众走访不够", "加强走访", "好"]
    assert "1. 问题1；目标：目标1；措施1" in member_row[11] and "〔已销号〕" in member_row[11]
    assert "2. 问题2" in member_row[11] and "〔整改中〕" in member_row[11]
    assert member_row[12] == "已签认"
    assert by_subject["东街社区党支部"][2] == "党组织"


def test_it_leaves_drafts_out_of_the_register(rows_for, rworld):
    w = rworld
    review_services.review_create(
        by=w.secretary, subject=member_subject(w.member), quarter=Q, content=content()
    )
    rows = rows_for(w.office, w.town)
    assert rows[2] == ["没有可导出的点评"] + [None] * (len(rows[1]) - 1)


def test_it_exports_a_whole_year_and_a_half(rows_for, rworld):
    w = rworld
    signed_review(w.secretary, member_subject(w.member), n_items=1, mode="random")
    year = rows_for(w.office, w.town, Q.year)
    assert f"{Q.year}年度点评情况登记表" in year[0][0]
    assert [r[1] for r in year[2:]] == ["张三"]
    half = 1 if Q.quarter <= 2 else 2
    other = rows_for(w.office, w.town, f"{Q.year}H{3 - half}")
    assert other[2][0] == "没有可导出的点评"
    assert [r[1] for r in rows_for(w.office, w.town, f"{Q.year}H{half}")[2:]] == ["张三"]


@pytest.mark.parametrize("who", ["secretary", "office", "leader", "branch_leader"])
def test_it_lets_the_branch_secretary_office_and_leaders_export_the_branch(
    export_ledger, rworld, who
):
    w = rworld
    signed_review(w.secretary, member_subject(w.member), n_items=1, mode="random")
    rows = export_ledger(getattr(w, who), "reviews", w.branch, Q.code).rows
    assert [r[1] for r in rows[2:]] == ["张三"]


@pytest.mark.parametrize("who", ["stranger", "far_office", "far_leader", "other_secretary"])
def test_it_refuses_anyone_outside_the_branch_with_a_404(export_ledger, rworld, who):
    exported = export_ledger(getattr(rworld, who), "reviews", rworld.branch, Q.code)
    assert exported.response.status_code == 404 and exported.job is None


def test_it_refuses_a_member_his_own_branch(export_ledger, rworld):
    """A member sees his branch's page, not its review register."""
    exported = export_ledger(rworld.member_user, "reviews", rworld.branch, Q.code)
    assert exported.response.status_code == 404 and exported.job is None


def test_it_refuses_the_secretary_the_town_above_him(export_ledger, rworld):
    exported = export_ledger(rworld.secretary, "reviews", rworld.town, Q.code)
    assert exported.response.status_code == 404


def _reviews_for(w, n):
    for _ in range(n):
        member = MemberFactory(organization=w.branch)
        review_services.review_sign(
            review=review_services.review_create(
                by=w.secretary,
                subject=member_subject(member),
                quarter=Q,
                content=content(mode="random"),
                items=items(2),
            ),
            by=w.secretary,
        )


def _queries(w) -> tuple[int, int]:
    roles_of(w.office)
    job = SimpleNamespace(requester=w.office, params={"org": w.town.pk, "period": Q.code})
    out = io.BytesIO()
    with CaptureQueriesContext(connection) as ctx:
        ledger.build(job, out, lambda done, total=None: None)
    sheet = load_workbook(out).worksheets[0]
    return sheet.max_row - 2, len(ctx.captured_queries)


def test_it_keeps_the_query_count_flat(rworld):
    """The organization, the count, the reviews, their items: one batch of 500 reviews; and
    the year's calendars that name the grades."""
    _reviews_for(rworld, 1)
    assert _queries(rworld) == (1, 5)
    _reviews_for(rworld, 49)
    assert _queries(rworld) == (50, 5)


def test_it_reads_the_rectification_items_once_per_batch(rworld, monkeypatch):
    monkeypatch.setattr(ledger, "BATCH", 2)
    _reviews_for(rworld, 5)
    assert _queries(rworld) == (5, 7)  # 3 batches of items, the year's calendars


def test_it_names_the_grade_in_the_words_of_the_committee_s_scale(rows_for, rworld):
    """The town grades 好/中/差: "average" is written 中 in its register."""
    w = rworld
    calendar_set(
        organization=w.town, year=Q.year, content=calendar_content(), version=0, by=w.office
    )
    signed_review(w.secretary, member_subject(w.member), mode="random", grade="average")
    rows = rows_for(w.office, w.town, str(Q.year))
    member_row = next(r for r in rows[2:] if r[1] == "张三")
    assert member_row[10] == "中"
