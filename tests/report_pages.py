"""Every HTML page the project writes, built by the real nodes from sample inputs."""

from __future__ import annotations

import sys
from pathlib import Path

from benchmark_samples import result

sys.path.insert(0, str(Path(__file__).resolve().parent / "pipelines" / "quality"))

from quality_frames import (  # noqa: E402  (the quality tests' own sample frames)
    accuracy,
    conf_enrichment_params,
    conf_quality_params,
    enriched_frame,
    review_candidates,
)

from sbir_enrichment.pipelines.benchmark.history import summarise_history  # noqa: E402
from sbir_enrichment.pipelines.benchmark.nodes import (  # noqa: E402
    build_benchmark_reports,
    build_history_reports,
)
from sbir_enrichment.pipelines.quality import nodes as quality  # noqa: E402


def _past(rate: float, at: str) -> dict:
    return {"generated_at": at, "status": "pass",
            "summary": {"match_rate": rate, "precision": 0.99, "recall": 0.95}}


def quality_report_page() -> tuple[dict, str]:
    """A quality report and its page, with two past runs in the history."""
    params, enriched, truth = conf_quality_params(), enriched_frame(), accuracy()
    candidates = review_candidates(enriched)
    measures = quality.measure_quality(enriched, truth, params)
    return quality.build_quality_report(
        quality_measures=measures,
        row_gates=quality.check_rows(enriched, candidates, enriched[["source_row"]], params),
        metric_gates=quality.check_metrics(measures, truth, params),
        regression=quality.compare_with_baseline(measures, {}, params),
        past_reports={"v1": lambda: _past(0.78, "2026-01-01T00:00:00.000+00:00"),
                      "v2": lambda: _past(0.79, "2026-01-02T00:00:00.000+00:00")},
        params=params,
        enrichment=conf_enrichment_params(),
        provenance={"run_id": "2026-01-03T00.00.00.000Z", "parameters_fingerprint": "0"},
    )


def benchmark_report_page() -> str:
    """The benchmark page of a result 12% slower than its baseline."""
    return build_benchmark_reports(result(slowdown=1.12, baseline=result()))[1]


def benchmark_dask_report_page() -> str:
    """The benchmark page of a result also timed on one and two Dask workers."""
    return build_benchmark_reports(result(dask={1: 1.2, 2: 0.6}, baseline=result(dask={2: 0.6})))[1]


def benchmark_history_page() -> str:
    """The history page of two archived results."""
    history = {"days": None, **summarise_history(
        [result("2026-01-01T00:00:00+00:00"), result("2026-01-02T00:00:00+00:00", 1.2)], 5)}
    return build_history_reports(history)[1]
