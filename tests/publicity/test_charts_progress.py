"""Geometry of the public page's bar charts."""

import datetime
from types import SimpleNamespace

from publicity.charts.progress import HEIGHT, TOP, monthly_chart, satisfaction_chart
from publicity.selectors.notice import MassEvaluationFigures


def _months(counts):
    return [(datetime.date(2026, m, 1), n) for m, n in enumerate(counts, start=1)]


def test_it_draws_the_busiest_month_at_full_height_and_empty_months_flat():
    chart = monthly_chart(_months([0, 2, 8, 4]))
    bars = chart["bars"]
    assert bars[0].height == 0 and bars[2].y == TOP
    assert bars[1].height * 4 == bars[2].height
    assert [b.full_label for b in bars] == ["2026-01", "2026-02", "2026-03", "2026-04"]


def test_it_keeps_a_single_pledge_from_filling_the_chart():
    bar = monthly_chart(_months([1]))["bars"][0]
    assert bar.height < (HEIGHT - TOP) / 2


def test_it_labels_every_other_month_and_always_the_last():
    bars = monthly_chart(_months([1] * 12))["bars"]
    assert bars[-1].show_label and not bars[-2].show_label and bars[0].show_label is False


def test_it_draws_satisfaction_oldest_first_on_a_hundred_percent_scale():
    def result(year, half, satisfied, unsatisfied):
        evaluation = SimpleNamespace(year=year, half=half, get_half_display=lambda: "上半年")
        return SimpleNamespace(
            evaluation=evaluation,
            figures=MassEvaluationFigures(satisfied=satisfied, unsatisfied=unsatisfied),
        )

    chart = satisfaction_chart([result(2026, 1, 30, 0), result(2025, 2, 15, 15)])
    first, second = chart["bars"]
    assert first.label == "25下" and first.text == "50.0%"
    assert second.y == TOP and second.height == 2 * first.height
    assert chart["ticks"][-1]["label"] == "100%"
