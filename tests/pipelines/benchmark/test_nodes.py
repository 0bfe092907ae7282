"""Benchmark nodes over the project's own parameters (base and ``full`` environments)."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmark_samples import result
from kedro.config import OmegaConfigLoader

from sbir_enrichment.pipelines.benchmark.nodes import (
    BenchmarkRegressionError,
    compare_with_stored_baseline,
    enforce_benchmark_gate,
    store_benchmark_baseline,
)
from sbir_enrichment.pipelines.benchmark.params import BenchmarkParams, HistoryParams
from sbir_enrichment.settings import CONFIG_LOADER_ARGS

CONF = Path(__file__).resolve().parents[3] / "conf"


def _parameters(env: str) -> dict:
    """Parameters as the project loads them (its config-loader settings) in ``env``."""
    loader = OmegaConfigLoader(conf_source=str(CONF),
                               **{**CONFIG_LOADER_ARGS, "default_run_env": env})
    return loader["parameters"]


@pytest.fixture(scope="module")
def params() -> BenchmarkParams:
    """The benchmark parameters of conf/base."""
    return BenchmarkParams(**_parameters("local")["benchmark"])


def test_conf_parameters_validate_in_both_environments() -> None:
    full = BenchmarkParams(**_parameters("full")["benchmark"])
    assert 214381 in full.sizes and full.repeats == 1
    assert full.regression == BenchmarkParams(**_parameters("local")["benchmark"]).regression
    assert HistoryParams(**_parameters("local")["benchmark_history"]).days is None


@pytest.mark.parametrize(("workers", "named"), [([0, 2], "at least 1"),
                                               ([2, 2], "lists a count twice")])
def test_dask_worker_counts_are_positive_and_distinct(params: BenchmarkParams, workers: list,
                                                      named: str) -> None:
    assert params.dask_workers == []  # the default (CI) benchmark runs sequentially only
    with pytest.raises(ValueError, match=named):
        BenchmarkParams(**{**params.model_dump(), "dask_workers": workers})


def _measurements(slowdown: float) -> dict:
    return {key: value for key, value in result(slowdown=slowdown).items()
            if key != "regression"}


def test_newest_baseline_is_compared_and_a_failure_raises(params: BenchmarkParams) -> None:
    baselines = {"2026-01-01": lambda: result(slowdown=2.0), "2026-01-02": result}
    same = compare_with_stored_baseline(_measurements(1.0), baselines, params)
    assert same["regression"]["status"] == "OK"
    enforce_benchmark_gate(same, "summary")  # no error

    slower = compare_with_stored_baseline(_measurements(1.3), baselines, params)
    assert slower["regression"]["status"] == "FAILURE"
    with pytest.raises(BenchmarkRegressionError, match="normalised_cpu"):
        enforce_benchmark_gate(slower, "summary")


def test_a_memray_benchmark_is_never_compared(params: BenchmarkParams) -> None:
    profiled = params.model_copy(update={"memray": True})
    out = compare_with_stored_baseline(_measurements(3.0), {"v": result}, profiled)
    assert out["regression"]["status"] == "NOT_COMPARABLE"
    assert "memray" in out["regression"]["reason"]
    enforce_benchmark_gate(out, "summary")  # no error
    nothing = compare_with_stored_baseline(_measurements(1.0), {}, params)["regression"]
    assert nothing["baseline"] is None and nothing["status"] == "NO_BASELINE"


@pytest.mark.parametrize(("baseline", "named"), [
    ({"pipelines": ["ingestion"]}, "pipelines ['ingestion']"),
    ({"run_params": {"recipient_source": "csv"}}, "run_params {'recipient_source': 'csv'}"),
    ({"fingerprint": "0ther"}, "parameters fingerprint 0ther"),
    ({"memory_limit_mb": 1000}, "memory limit of 1000 MB, these none MB"),
])
def test_only_a_baseline_that_timed_the_same_runs_is_compared(
        params: BenchmarkParams, baseline: dict, named: str) -> None:
    # The newest baseline is twice as fast, but it timed other runs: no comparison, no failure.
    unlike = {"v": lambda: result(slowdown=0.5, **baseline)}
    out = compare_with_stored_baseline(_measurements(1.0), unlike, params)["regression"]
    assert out["status"] == "NOT_COMPARABLE"
    assert named in out["reason"]
    assert {check["status"] for size in out["sizes"] for check in size["checks"]} == {
        "NO_BASELINE"}
    enforce_benchmark_gate({"regression": out}, "summary")  # no error
    # The same baseline, timing the same runs, is compared and fails the gate.
    like = compare_with_stored_baseline(_measurements(1.0), {"v": lambda: result(slowdown=0.5)},
                                        params)
    assert like["regression"]["status"] == "FAILURE"


def test_stored_baseline_is_the_result_with_its_storing_time() -> None:
    stored = store_benchmark_baseline(result())
    assert stored["sizes"] == result()["sizes"] and "stored_as_baseline_at" in stored
