"""整改台账 (reviews/ledgers/rectification.py), exported as the office page starts it."""

import datetime
import io
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from pledges.models.position import roles_of
from reviews.ledgers import rectification as ledger
from reviews.models import Quarter, RectificationItem
from reviews.services import rectification as rectification_services
from tests.factories import MemberFactory, member_subject, signed_review, today

Q = Quarter.current()


@pytest.fixture
def rows_for(export_ledger):
    def rows(user, org, period=Q.code):
        return export_ledger(user, "rectification", org, period).rows

    return rows


def test_it_exports_the_rectification_ledger_with_reply_and_overdue_status(rows_for, rworld):
    w = rworld
    review = signed_review(w.secretary, member_subject(w.member), n_items=2, mode="random")
    a, b = review.items.order_by("id")
    rectification_services.rectification_item_done(
        item=a, by=w.member_user, measures_taken="已走访十户", reply="请审阅"
    )
    RectificationItem.objects.filter(pk=b.pk).update(deadline=today() - datetime.timedelta(days=1))

    rows = rows_for(w.office, w.town)

    assert rows[0][0] == f"城关镇党委 {Q.label}整改台账"
    assert rows[1] == [
        "序号", "党组织", "整改对象", "问题", "整改目标", "整改措施", "责任人", "整改时限", "状态",
        "整改落实情况", "回复点评人", "点评人", "销号日期",
    ]  # fmt: skip
    by_problem = {r[3]: r for r in rows[2:-1]}
    assert by_problem["问题1"][4] == "目标1"
    assert by_problem["问题1"][8] == "已整改待确认"
    assert by_problem["问题1"][9:11] == ["已走访十户", "请审阅"]
    assert by_problem["问题2"][8] == "已逾期（整改中）"
    assert by_problem["问题2"][2] == "张三"
    assert isinstance(by_problem["问题2"][7], datetime.datetime)
    assert by_problem["问题2"][7].date() == today() - datetime.timedelta(days=1)


def test_it_counts_the_confirmed_rectification_items_in_the_totals_row(rows_for, rworld):
    w = rworld
    review = signed_review(w.secretary, member_subject(w.member), n_items=4, mode="random")
    first = review.items.order_by("id").first()
    rectification_services.rectification_item_done(
        item=first, by=w.member_user, measures_taken="已整改"
    )
    rectification_services.rectification_item_confirm(item=first, by=w.secretary)
    rows = rows_for(w.office, w.town)
    # 4 items, 1 confirmed: 25.0 %.
    assert rows[-1][:2] == ["合计", "共 4 项，已销号 1 项，销号率 25.0%"]
    confirmed = next(r for r in rows[2:-1] if r[3] == "问题1")
    assert confirmed[12].date() == today()


def test_it_exports_a_whole_year(rows_for, rworld):
    w = rworld
    signed_review(w.secretary, member_subject(w.member), n_items=1, mode="random")
    rows = rows_for(w.office, w.town, Q.year)
    assert f"{Q.year}年度整改台账" in rows[0][0]
    assert [r[3] for r in rows[2:-1]] == ["问题1"]


def test_it_lets_the_secretary_export_his_own_branch(rows_for, rworld):
    w = rworld
    signed_review(w.secretary, member_subject(w.member), n_items=1, mode="random")
    assert [r[3] for r in rows_for(w.secretary, w.branch)[2:-1]] == ["问题1"]


@pytest.mark.parametrize("who", ["stranger", "far_office", "other_secretary", "member_user"])
def test_it_refuses_anyone_outside_the_branch_with_a_404(export_ledger, rworld, who):
    exported = export_ledger(getattr(rworld, who), "rectification", rworld.branch, Q.code)
    assert exported.response.status_code == 404 and exported.job is None


def _queries(w) -> tuple[int, int]:
    roles_of(w.office)
    job = SimpleNamespace(requester=w.office, params={"org": w.town.pk, "period": Q.code})
    out = io.BytesIO()
    with CaptureQueriesContext(connection) as ctx:
        ledger.build(job, out, lambda done, total=None: None)
    return load_workbook(out).worksheets[0].max_row - 3, len(ctx.captured_queries)


def test_it_keeps_the_query_count_flat(rworld):
    """The organization, the count, the rows."""
    w = rworld
    signed_review(w.secretary, member_subject(w.member), n_items=1, mode="random")
    assert _queries(w) == (1, 3)
    for _ in range(10):
        member = MemberFactory(organization=w.branch)
        signed_review(w.secretary, member_subject(member), n_items=3, mode="random")
    assert _queries(w) == (31, 3)
