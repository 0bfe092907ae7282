"""Benchmark nodes: sized runs, comparison with the baseline, reports, the gate, history."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from statistics import median
from typing import Any

from sbir_enrichment.hooks.environment import environment, git_commit
from sbir_enrichment.pipelines.benchmark.history import load_results, summarise_history
from sbir_enrichment.pipelines.benchmark.measurements import measure_sizes, measure_yardsticks
from sbir_enrichment.pipelines.benchmark.params import BenchmarkParams, HistoryParams
from sbir_enrichment.pipelines.benchmark.regression import (
    FAILURE,
    NOT_COMPARABLE,
    compare_with_baseline,
)
from sbir_enrichment.reporting import (
    render_benchmark_page,
    render_benchmark_summary,
    render_history_page,
    render_history_summary,
)
from sbir_enrichment.reporting.console import GateFailure, benchmark_check_table

logger = logging.getLogger(__name__)


class BenchmarkRegressionError(GateFailure):
    """A benchmark figure regressed beyond a failure limit."""


def run_benchmark(params: BenchmarkParams) -> dict[str, Any]:
    """Time the configured pipelines on every configured size, each run in its own process.

    Args:
        params: Sizes, repeats, pipelines and reference workload (``params:benchmark``).

    Returns:
        Measurements: per-size medians and runs, reference workload samples, the machine,
        the code commit, the timed runs' parameters fingerprint, and the accuracy of each
        labelled yardstick.
    """
    created = datetime.now(UTC)
    sizes, references = measure_sizes(params)
    yardsticks = measure_yardsticks(params)
    fingerprints = sorted({fp for size in sizes for fp in size["parameters_fingerprints"]})
    return {
        "schema_version": 1,
        "benchmark_id": created.strftime("%Y-%m-%dT%H.%M.%SZ"),
        "created_at": created.isoformat(),
        "git": git_commit(),
        "parameters_fingerprint": "+".join(fingerprints),
        "benchmark_parameters": params.model_dump(),
        "environment": environment(),
        "reference": {"samples_s": [round(t.wall_s, 4) for t in references],
                      "samples_cpu_s": [round(t.cpu_s, 4) for t in references],
                      "median_s": round(median(t.wall_s for t in references), 4),
                      "median_cpu_s": round(median(t.cpu_s for t in references), 4)},
        "sizes": sizes,
        "yardsticks": yardsticks,
    }


def compare_with_stored_baseline(measurements: dict[str, Any],
                                 baselines: dict[str, Callable[[], Any]],
                                 params: BenchmarkParams) -> dict[str, Any]:
    """Add the regression checks against the newest stored baseline, if it is comparable.

    Args:
        measurements: Output of :func:`run_benchmark`.
        baselines: Every stored baseline, ``{version: loader}``, oldest first.
        params: Benchmark parameters (``regression`` limits).

    Returns:
        The benchmark result: measurements plus ``regression``. Nothing is compared (status
        ``NOT_COMPARABLE``, with the reason) when the baseline timed other pipelines,
        ``run_params`` or parameters, or when the runs were profiled with memray.
    """
    baseline = baselines[list(baselines)[-1]]() if baselines else None
    profiled = ["this benchmark was profiled with memray, which makes its runs several times "
                "slower"] if params.memray else []
    regression = compare_with_baseline(measurements, baseline, params.regression, profiled)
    if regression["status"] == NOT_COMPARABLE:
        logger.warning("benchmark: not compared with the stored baseline: %s",
                       regression["reason"])
    return {**measurements, "regression": regression}


def build_benchmark_reports(results: dict[str, Any]) -> tuple[str, str]:
    """Render the benchmark result.

    Args:
        results: The benchmark result.

    Returns:
        The Markdown summary (PR-comment sized) and the HTML page with charts.
    """
    return render_benchmark_summary(results), render_benchmark_page(results)


def enforce_benchmark_gate(results: dict[str, Any], summary: str) -> None:
    """Raise when a figure regressed beyond a failure limit.

    Args:
        results: The benchmark result.
        summary: Its Markdown summary: an input so that the gate runs after the reports are
            saved (a failing benchmark still explains itself).

    Raises:
        BenchmarkRegressionError: when the regression status is FAILURE.
    """
    regression = results["regression"]
    if regression["status"] == FAILURE:
        raise BenchmarkRegressionError(
            benchmark_check_table(regression),
            what_to_do="the benchmark report named above shows where the time or memory went; "
                       "after an intended change, store a new baseline on a quiet machine "
                       "(kedro run --pipelines benchmark_baseline). --verbose shows the "
                       "traceback.",
        )


def store_benchmark_baseline(results: dict[str, Any]) -> dict[str, Any]:
    """The latest benchmark result, marked as the baseline later results are compared with.

    Args:
        results: A benchmark result (``benchmark_results``, newest version by default).

    Returns:
        The same result with the time it was stored as baseline.
    """
    return {**results, "stored_as_baseline_at": datetime.now(UTC).isoformat()}


def summarise_benchmark_history(archive: dict[str, Callable[[], Any]],
                                params: HistoryParams) -> dict[str, Any]:
    """Per size and metric, min/max/mean/latest and trend over the archived benchmarks.

    Args:
        archive: Every archived benchmark result, ``{version: loader}``.
        params: The period (``days``) and the stable band (``params:benchmark_history``).

    Returns:
        The runs of the period, the metric trends and the series behind the charts.
    """
    results = load_results(archive, params.days, datetime.now(UTC))
    return {"days": params.days, **summarise_history(results, params.stable_band_pct)}


def build_history_reports(history: dict[str, Any]) -> tuple[str, str]:
    """Render the history.

    Args:
        history: Output of :func:`summarise_benchmark_history`.

    Returns:
        The Markdown listing and the HTML page with trend charts.
    """
    return render_history_summary(history), render_history_page(history)
