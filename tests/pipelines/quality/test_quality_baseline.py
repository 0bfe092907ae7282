"""Baseline regression: deltas, and the drop gate exactly at its thresholds and just beyond."""

from __future__ import annotations

import pytest
from quality_frames import conf_quality_params

from sbir_enrichment.pipelines.quality import nodes
from sbir_enrichment.pipelines.quality.baseline import deltas, latest, match_rate_drop_gate
from sbir_enrichment.pipelines.quality.params import QualityParams


@pytest.fixture(scope="module")
def params() -> QualityParams:
    """The quality parameters as conf/base sets them."""
    return conf_quality_params()


def _measures(match_rate: float) -> dict:
    return {"summary": {"match_rate": match_rate, "precision": 0.99, "recall": None}}


def _stored(**versions: float) -> dict:
    """``{version: loader}`` of stored baselines with the given match rates."""
    return {version: (lambda version=version, rate=rate: {
        "report_generated_at": f"at {version}",
        "summary": {"match_rate": rate, "precision": 0.995}})
        for version, rate in versions.items()}


@pytest.mark.parametrize(("current", "status"), [
    (0.80, "pass"),    # no change
    (0.79, "pass"),    # 1 point: exactly the warning level, not beyond it
    (0.7899, "warn"),  # 1.01 points
    (0.75, "warn"),    # 5 points: exactly the failure level, not beyond it
    (0.7499, "fail"),  # 5.01 points
    (0.60, "fail"),
    (0.90, "pass"),    # an improvement
])
def test_drop_gate_at_and_beyond_thresholds(params, current, status):
    regression = nodes.compare_with_baseline(_measures(current), _stored(v1=0.80), params)
    gate = regression["gate"]
    assert gate["status"] == status
    assert gate["threshold"] == params.max_match_rate_drop_pts == 5.0
    assert gate["measured"] == pytest.approx((0.80 - current) * 100)
    assert f"vs baseline 0.8000 (version v1): {(current - 0.80) * 100:+.2f} points" in \
        gate["message"]


def test_deltas_recorded_for_metrics_present_in_both(params):
    regression = nodes.compare_with_baseline(_measures(0.77), _stored(v1=0.80), params)
    assert regression["baseline_version"] == "v1"
    assert regression["baseline_generated_at"] == "at v1"
    assert regression["deltas"] == {
        "match_rate": {"baseline": 0.80, "current": 0.77, "delta_pts": -3.0},
        "precision": {"baseline": 0.995, "current": 0.99, "delta_pts": -0.5},
    }


def test_newest_baseline_is_compared():
    stored = _stored(**{"2026-01-01T00.00.00.000Z": 0.5, "2026-03-01T00.00.00.000Z": 0.9,
                        "2026-02-01T00.00.00.000Z": 0.7})
    version, content = latest(stored)
    assert version == "2026-03-01T00.00.00.000Z"
    assert content["summary"]["match_rate"] == 0.9


def test_without_baseline_the_gate_is_skipped(params):
    regression = nodes.compare_with_baseline(_measures(0.5), {}, params)
    assert regression["baseline_version"] is None and regression["deltas"] == {}
    assert regression["gate"]["status"] == "skipped"
    assert "kedro run --pipelines quality_baseline" in regression["gate"]["message"]


def test_drop_gate_reads_its_thresholds():
    changes = deltas({"match_rate": 0.70}, {"match_rate": 0.80})
    assert match_rate_drop_gate(changes, "v", 12.0, 9.0).status == "warn"
    assert match_rate_drop_gate(changes, "v", 9.0, 2.0).status == "fail"
    assert match_rate_drop_gate(changes, "v", 10.0, 2.0).status == "warn"


@pytest.mark.parametrize(("change", "message"), [
    ({"warn_match_rate_drop_pts": 5.0}, "warn_match_rate_drop_pts must be below"),
    ({"size_bucket_upper_bounds": [50, 10]}, "size_bucket_upper_bounds must ascend"),
    ({"min_match_rate": 1.5}, "min_match_rate"),
])
def test_parameters_are_checked(params, change, message):
    with pytest.raises(ValueError, match=message):
        QualityParams(**{**params.model_dump(), **change})
