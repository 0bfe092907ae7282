"""Benchmark results (for tests/pipelines/benchmark) built by the real summarising code."""

from __future__ import annotations

from typing import Any

from sbir_enrichment.hooks.environment import environment
from sbir_enrichment.pipelines.benchmark.measurements import summarise_dask, summarise_size
from sbir_enrichment.pipelines.benchmark.params import RegressionThresholds
from sbir_enrichment.pipelines.benchmark.regression import compare_with_baseline

LIMITS = RegressionThresholds(time_warning_pct=10, time_failure_pct=25, memory_warning_pct=20,
                              memory_failure_pct=50, match_rate_failure_pts=5,
                              accuracy_failure_pts=3)


def run(size: int, wall_s: float, reference_s: float = 0.5, peak_rss_mb: float = 400.0,
        match_rate: float = 0.8) -> dict[str, Any]:
    """Figures of one timed run, as ``run_figures`` makes them (CPU at 80% of wall)."""
    return {
        "run_id": f"run-{size}-{wall_s}", "report": "r.json", "wall_s": wall_s,
        "cpu_s": wall_s * 0.8, "process_wall_s": wall_s + 3, "reference_s": reference_s,
        "reference_cpu_s": reference_s, "normalised_time": wall_s / reference_s,
        "normalised_cpu": wall_s * 0.8 / reference_s, "awards_per_s": size / wall_s,
        "peak_rss_mb": peak_rss_mb, "memory_delta_mb": peak_rss_mb - 250,
        "match_rate": match_rate, "precision": 0.97, "recall": 0.9, "accepted_awards": size,
        "observer_overhead_pct": 0.4, "parameters_fingerprint": "abc123",
        "nodes": [
            {"name": "link_chunks_node", "wall_s": wall_s * 0.7, "cpu_s": wall_s,
             "peak_delta_mb": 120.0, "peak_rss_mb": peak_rss_mb},
            {"name": "ingest_awards_node", "wall_s": wall_s * 0.3, "cpu_s": wall_s * 0.3,
             "peak_delta_mb": 30.0, "peak_rss_mb": 300.0},
        ],
    }


def dask_run(size: int, wall_s: float, workers: int, worker_peak_mb: float = 350.0
             ) -> dict[str, Any]:
    """Figures of one timed run on a LocalCluster of ``workers``, as ``measure_sizes`` makes
    them (other parameters than the sequential runs: ``dask.n_workers``)."""
    return {**run(size, wall_s), "parameters_fingerprint": f"dask{workers}",
            "workers": workers,
            "worker_peak_rss_mb": [worker_peak_mb + 10 * k for k in range(workers)][::-1]}


TIMED = {"pipelines": ["ingestion", "enrichment"], "run_params": {"recipient_source": "parquet"}}


def yardstick(precision: float = 0.96, recall: float = 0.8, awards: int = 2000
              ) -> dict[str, Any]:
    """One labelled yardstick's figures, as ``measure_yardsticks`` reports them."""
    return {"awards": awards, "recipients": 31600,
            "generator": {"sample_data.names_from": "company_aliases"}, "matched": 1500,
            "precision": precision, "recall": recall, "f1": 0.87,
            "by_variation": {"uei shown": {"awards": 400, "found": 400, "recall": 1.0}}}


def result(created_at: str = "2026-01-01T00:00:00+00:00", slowdown: float = 1.0,
           baseline: dict[str, Any] | None = None, *, fingerprint: str = "abc123",
           yardsticks: dict[str, Any] | None = None, dask: dict[int, float] | None = None,
           worker_peak_mb: float = 350.0, **timed: Any) -> dict[str, Any]:
    """A two-size benchmark result, ``slowdown`` times slower than the default; ``timed``
    overrides what its runs timed (``pipelines``, ``run_params``); ``yardsticks`` the labelled
    samples' accuracy (default: one real-variant yardstick); ``dask`` each size also timed on
    a LocalCluster, ``{workers: its wall time over the sequential one}``, its workers peaking
    at ``worker_peak_mb`` and above."""
    sizes = []
    for size, base in ((1000, 2.0), (10000, 12.0)):
        sequential = summarise_size(size, size * 16, [run(size, base * slowdown * k)
                                                      for k in (0.98, 1, 1.03)], top_nodes=2)
        clustered = {workers: [dask_run(size, base * slowdown * share * k, workers,
                                        worker_peak_mb) for k in (0.98, 1, 1.03)]
                     for workers, share in (dask or {}).items()}
        sizes.append({**sequential, "dask": summarise_dask(sequential, clustered, top_nodes=2)})
    measurements = {
        "schema_version": 1, "benchmark_id": created_at[:19], "created_at": created_at,
        "git": {"commit": "0123456789abcdef", "dirty": False},
        "parameters_fingerprint": fingerprint, "benchmark_parameters": {**TIMED, **timed},
        "environment": environment(),
        "reference": {"samples_s": [0.5, 0.5], "samples_cpu_s": [0.5, 0.5], "median_s": 0.5,
                      "median_cpu_s": 0.5},
        "sizes": sizes,
        "yardsticks": {"real_variants": yardstick()} if yardsticks is None else yardsticks,
    }
    return {**measurements,
            "regression": compare_with_baseline(measurements, baseline, LIMITS)}
