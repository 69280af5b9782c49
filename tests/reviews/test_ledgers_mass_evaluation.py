"""群众评议情况统计表 across branches (reviews/ledgers/mass_evaluation.py), exported as a page
starts it; the figures are counted by hand below."""

import datetime

import pytest
from django.utils import timezone

from reviews.models import EvaluationResponse, MassEvaluation, Quarter
from tests.factories import make_evaluation

Q = Quarter.current()
HALF = 1 if Q.quarter <= 2 else 2
HALF_LABEL = "上半年" if HALF == 1 else "下半年"


@pytest.fixture
def surveys(world):
    """东街: 20 满意, 8 基本满意, 2 不满意 (30: valid, 28/30 = 93.3 %); 西街: 5 满意, 5 不满意
    (10: invalid, 50.0 %); the town's own evaluation is still open (3 answers, not shown)."""
    w = world
    make_evaluation(w.branch, Q, ["satisfied"] * 20 + ["basic"] * 8 + ["unsatisfied"] * 2, w.office)
    make_evaluation(w.other_branch, Q, ["satisfied"] * 5 + ["unsatisfied"] * 5, w.office)
    running = MassEvaluation.objects.create(
        organization=w.town,
        year=Q.year,
        half=HALF,
        ends_on=timezone.localdate() + datetime.timedelta(days=5),
        created_by=w.office,
    )
    EvaluationResponse.objects.bulk_create(
        EvaluationResponse(evaluation=running, rating="satisfied") for _ in range(3)
    )
    return w


def test_it_lists_one_row_per_evaluation_with_counts_rate_and_totals(export_ledger, surveys):
    w = surveys
    rows = export_ledger(w.office, "evaluation", w.town, Q.year).rows
    assert rows[0][0] == f"城关镇党委 {Q.year}年度群众评议情况统计表"
    assert rows[1] == [
        "序号", "党组织", "评议期间", "截止日期", "参评人数", "满意", "基本满意", "不满意",
        "满意率（%）", "评议结果",
    ]  # fmt: skip
    period = f"{Q.year}年{HALF_LABEL}"
    town, east, west, totals = rows[2:]
    assert town[:3] == [1, "城关镇党委", period]
    assert town[4:] == [None, None, None, None, None, "评议进行中"]
    assert east[1:3] == ["东街社区党支部", period]
    assert isinstance(east[3], datetime.datetime)  # a real date
    assert east[4:] == [30, 20, 8, 2, 93.3, "有效"]
    assert west[4:] == [10, 5, 0, 5, 50.0, "无效（不足 30 人）"]
    # Ended evaluations only: 40 answers, 25 + 8 satisfied → 82.5 %.
    assert totals == ["合计", "合计（2 次评议已结束）", None, None, 40, 25, 8, 7, 82.5, None]


def test_it_takes_a_half_year(export_ledger, surveys):
    w = surveys
    rows = export_ledger(w.office, "evaluation", w.town, f"{Q.year}H{3 - HALF}").rows
    assert rows[2][0] == "没有可导出的群众评议"
    rows = export_ledger(w.office, "evaluation", w.town, f"{Q.year}H{HALF}").rows
    assert len(rows) == 6


def test_it_gives_the_secretary_his_own_branch_only(export_ledger, surveys):
    rows = export_ledger(surveys.secretary, "evaluation", surveys.branch, Q.year).rows
    assert [r[1] for r in rows[2:-1]] == ["东街社区党支部"]


@pytest.mark.parametrize("who", ["stranger", "other_secretary", "far_office", "member_user"])
def test_it_refuses_anyone_outside_with_a_404(export_ledger, surveys, who):
    exported = export_ledger(getattr(surveys, who), "evaluation", surveys.branch, Q.year)
    assert exported.response.status_code == 404 and exported.job is None


def test_it_refuses_a_quarter(export_ledger, surveys):
    exported = export_ledger(surveys.office, "evaluation", surveys.town, Q.code)
    assert exported.job is None and exported.response.status_code == 302
