"""History: the period's runs and each metric's min/max/mean/latest and trend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from benchmark_samples import result

from sbir_enrichment.pipelines.benchmark.history import load_results, summarise_history, trend
from sbir_enrichment.reporting import render_history_summary


@pytest.mark.parametrize(("values", "higher_is_better", "expected"), [
    ([10.0, 10.0, 10.5], False, "stable"),      # +5% is inside the 5% band
    ([10.0, 10.0, 10.6], False, "degrading"),   # slower
    ([10.0, 10.0, 9.0], False, "improving"),    # faster
    ([0.80, 0.80, 0.70], True, "degrading"),    # match rate down
    ([0.80, 0.70, 0.90], True, "improving"),
    ([5.0], False, "single run"),
])
def test_trend_direction_depends_on_the_metric(values: list[float], higher_is_better: bool,
                                               expected: str) -> None:
    figures = trend(values, higher_is_better, stable_band_pct=5)
    assert figures["trend"] == expected
    assert figures["min"] == min(values) and figures["max"] == max(values)
    assert figures["latest"] == values[-1]


def test_history_filters_by_days_and_summarises_per_size_and_metric() -> None:
    archive = {
        "v1": lambda: result("2026-01-01T00:00:00+00:00"),
        "v2": lambda: result("2026-01-20T00:00:00+00:00"),
        "v3": lambda: result("2026-01-29T00:00:00+00:00", slowdown=1.5),
    }
    now = datetime(2026, 1, 30, tzinfo=UTC)
    recent = load_results(archive, days=15, now=now)
    assert [r["created_at"][:10] for r in recent] == ["2026-01-20", "2026-01-29"]
    assert len(load_results(archive, days=None, now=now)) == 3

    history = summarise_history(load_results(archive, None, now), stable_band_pct=5)
    assert [run["created_at"][:10] for run in history["runs"]] == [
        "2026-01-01", "2026-01-20", "2026-01-29"]
    by_key = {(m["size"], m["metric"]): m for m in history["metrics"]}
    time_1k = by_key[(1000, "wall_s")]
    assert time_1k["count"] == 3 and time_1k["trend"] == "degrading"
    assert time_1k["latest"] == pytest.approx(3.0) and time_1k["min"] == pytest.approx(2.0)
    assert by_key[(10000, "awards_per_s")]["trend"] == "degrading"
    assert by_key[(1000, "match_rate")]["trend"] == "stable"
    assert len(history["series"]["10000"]["normalised_time"]) == 3

    text = render_history_summary({"days": None, **history})
    assert "3 run(s)" in text and "| 1,000 | wall_s |" in text and "degrading" in text
    assert "| 1,000 | awards_per_s | 333 | 500 |" in text  # awards/s as whole numbers
