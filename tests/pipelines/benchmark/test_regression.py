"""Regression classification at the exact limits, and the comparison of sizes with a baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmark_samples import dask_run, result, yardstick

from sbir_enrichment.pipelines.benchmark.measurements import summarise_dask
from sbir_enrichment.pipelines.benchmark.params import RegressionThresholds
from sbir_enrichment.pipelines.benchmark.regression import (
    FAILURE,
    NO_BASELINE,
    OK,
    WARNING,
    classify_drop,
    classify_increase,
    compare_with_baseline,
    worst,
)

BASELINES = Path(__file__).resolve().parents[3] / "data/08_reporting/benchmarks/baseline.json"

LIMITS = RegressionThresholds(time_warning_pct=10, time_failure_pct=25, memory_warning_pct=20,
                              memory_failure_pct=50, match_rate_failure_pts=5,
                              accuracy_failure_pts=3)


@pytest.mark.parametrize(("change", "status"), [
    (-40.0, OK), (0.0, OK), (9.999, OK), (10.0, WARNING), (24.999, WARNING), (25.0, FAILURE),
    (300.0, FAILURE),
])
def test_time_limits(change: float, status: str) -> None:
    assert classify_increase(change, 10, 25) == status


@pytest.mark.parametrize(("change", "status"), [
    (19.999, OK), (20.0, WARNING), (49.999, WARNING), (50.0, FAILURE),
])
def test_memory_limits(change: float, status: str) -> None:
    assert classify_increase(change, 20, 50) == status


@pytest.mark.parametrize(("drop", "status"), [
    (-3.0, OK), (4.999, OK), (5.0, FAILURE), (12.0, FAILURE),
])
def test_match_rate_limit(drop: float, status: str) -> None:
    assert classify_drop(drop, 5) == status


def _size(size: int, normalised_cpu: float, peak_rss_mb: float, match_rate: float,
          normalised_time: float = 10.0) -> dict:
    return {"size": size, "normalised_cpu": normalised_cpu, "normalised_time": normalised_time,
            "peak_rss_mb": peak_rss_mb, "match_rate": match_rate}


def _statuses(result: dict) -> dict:
    return {(entry["size"], check["metric"]): check["status"]
            for entry in result["sizes"] for check in entry["checks"]}


def test_ratios_computed_from_figures_hit_the_limits_exactly() -> None:
    # 1.1 / 1.0 - 1 is 0.10000000000000009 and 1.25 / 1.0 - 1 is exactly 0.25 in floating point;
    # 0.8 - 0.75 is 0.05000000000000004: each must land on its limit, not beside it.
    baseline = {"sizes": [_size(1000, 1.0, 100.0, 0.80), _size(2000, 2.0, 100.0, 0.80)],
                "benchmark_id": "b", "created_at": "t", "git": {}, "environment": {}}
    current = [_size(1000, 1.1, 150.0, 0.75), _size(2000, 2.5, 119.99, 0.7501)]
    result = compare_with_baseline({"sizes": current}, baseline, LIMITS)
    assert _statuses(result) == {
        (1000, "normalised_cpu"): WARNING, (1000, "normalised_time"): OK,
        (1000, "peak_rss_mb"): FAILURE, (1000, "match_rate"): FAILURE,
        (2000, "normalised_cpu"): FAILURE, (2000, "normalised_time"): OK,
        (2000, "peak_rss_mb"): OK, (2000, "match_rate"): OK,
    }
    assert result["status"] == FAILURE
    first = {check["metric"]: check for check in result["sizes"][0]["checks"]}
    assert first["normalised_cpu"]["change_pct"] == 10.0
    assert first["match_rate"]["change_pts"] == -5.0


def test_wall_time_only_warns_unless_allowed_to_fail() -> None:
    baseline = {"sizes": [_size(1000, 1.0, 100.0, 0.8, normalised_time=10.0)]}
    busy = [_size(1000, 1.0, 100.0, 0.8, normalised_time=13.0)]  # +30% wall, same CPU
    assert _statuses(compare_with_baseline({"sizes": busy}, baseline, LIMITS))[
        (1000, "normalised_time")] == WARNING
    strict = LIMITS.model_copy(update={"wall_time_can_fail": True})
    assert _statuses(compare_with_baseline({"sizes": busy}, baseline, strict))[
        (1000, "normalised_time")] == FAILURE


def test_a_slower_machine_is_not_a_regression_when_the_reference_is_slower_too() -> None:
    # Twice the seconds on a machine where the reference workload also takes twice as long:
    # the normalised times are unchanged.
    base = _size(1000, 4.0 / 0.5, 300.0, 0.8, normalised_time=4.0 / 0.5)
    now = _size(1000, 8.0 / 1.0, 300.0, 0.8, normalised_time=8.0 / 1.0)
    result = compare_with_baseline({"sizes": [now]}, {"sizes": [base]}, LIMITS)
    assert result["status"] == OK


def test_without_baseline_nothing_fails() -> None:
    result = compare_with_baseline({"sizes": [_size(1000, 9.0, 900.0, 0.1)]}, None, LIMITS)
    assert result["status"] == NO_BASELINE and result["baseline"] is None
    other_size = compare_with_baseline({"sizes": [_size(1000, 9.0, 900.0, 0.1)]},
                                       {"sizes": [_size(5000, 1.0, 1.0, 1.0)]}, LIMITS)
    assert other_size["status"] == NO_BASELINE


def test_worst_status_wins() -> None:
    assert worst([OK, WARNING, NO_BASELINE]) == WARNING
    assert worst([OK, FAILURE, WARNING]) == FAILURE
    assert worst([NO_BASELINE, OK]) == OK
    assert worst([]) == OK


def test_warning_limits_must_sit_below_failure_limits() -> None:
    with pytest.raises(ValueError, match="time_warning_pct"):
        RegressionThresholds(time_warning_pct=25, time_failure_pct=25, memory_warning_pct=20,
                             memory_failure_pct=50, match_rate_failure_pts=5)


def test_a_yardstick_that_lost_precision_or_recall_fails_only_against_its_like() -> None:
    baseline = result()
    worse = result(baseline=baseline,
                   yardsticks={"real_variants": yardstick(precision=0.93, recall=0.79)})
    (entry,) = worse["regression"]["yardsticks"]
    checks = {check["metric"]: check for check in entry["checks"]}
    assert checks["precision"]["status"] == FAILURE  # 3 points: at the limit
    assert checks["precision"]["change_pts"] == pytest.approx(-3.0)
    assert checks["recall"]["status"] == OK
    assert worse["regression"]["status"] == FAILURE
    other_size = result(baseline=baseline,
                        yardsticks={"real_variants": yardstick(precision=0.5, awards=500)})
    assert {c["status"] for c in other_size["regression"]["yardsticks"][0]["checks"]} == {
        NO_BASELINE}


def _dask_statuses(compared: dict) -> dict:
    return {(entry["size"], entry["workers"], check["metric"]): check["status"]
            for entry in compared["regression"]["dask"] for check in entry["checks"]}


def test_dask_runs_are_compared_only_with_the_same_worker_count_and_parameters() -> None:
    baseline = result(dask={2: 0.7})
    # Workers peaking 70% higher: a failure against the baseline's two workers; one worker
    # has nothing to be compared with.
    heavier = result(baseline=baseline, dask={1: 1.2, 2: 0.7}, worker_peak_mb=600.0)
    statuses = _dask_statuses(heavier)
    assert statuses[(10000, 2, "worker_peak_rss_mb_max")] == FAILURE
    assert statuses[(10000, 2, "normalised_time")] == OK
    assert {status for (_, workers, _), status in statuses.items() if workers == 1} == {
        NO_BASELINE}
    assert {check["status"] for size in heavier["regression"]["sizes"]
            for check in size["checks"]} == {OK}
    assert heavier["regression"]["status"] == FAILURE
    # A baseline whose two-worker runs had other parameters is not their like.
    other = result(dask={2: 0.7})
    for size in other["sizes"]:
        size["dask"][0]["parameters_fingerprints"] = ["0ther"]
    unlike = result(baseline=other, dask={2: 0.7}, worker_peak_mb=600.0)
    assert set(_dask_statuses(unlike).values()) == {NO_BASELINE}
    assert unlike["regression"]["status"] == OK


def test_the_committed_baseline_without_dask_runs_still_compares_cleanly() -> None:
    newest = sorted(BASELINES.iterdir())[-1] / "baseline.json"
    committed = json.loads(newest.read_text())
    assert not any(size.get("dask") for size in committed["sizes"])  # no Dask entries
    # The same runs again, now each size also on two workers.
    current = {**committed, "sizes": [
        {**size, "dask": summarise_dask(size, {2: [dask_run(size["size"], run["wall_s"], 2)
                                                  for run in size["runs"]]}, top_nodes=3)}
        for size in committed["sizes"]]}
    compared = compare_with_baseline(current, committed, LIMITS)
    assert compared["status"] == OK and compared["reason"] is None
    assert {check["change_pct"] for size in compared["sizes"] for check in size["checks"]
            if "change_pct" in check} == {0.0}
    assert len(compared["dask"]) == len(committed["sizes"])
    assert set(_dask_statuses({"regression": compared}).values()) == {NO_BASELINE}

