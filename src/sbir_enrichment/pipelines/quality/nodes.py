"""Quality nodes: row gates, measures, metric gates, baseline regression, report, enforcement.

The gate results are collected first and written into the versioned report (JSON + HTML), so a
failing run still explains itself; ``enforce_quality_gates`` then raises, which stops every node
downstream of it (such as storing a baseline).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from sbir_enrichment.pipelines.enrichment import provenance
from sbir_enrichment.pipelines.enrichment.params import EnrichmentParams
from sbir_enrichment.pipelines.quality import baseline, breakdowns, gates
from sbir_enrichment.pipelines.quality.params import QualityParams
from sbir_enrichment.reporting import render_quality_page
from sbir_enrichment.reporting.console import quality_gate_table
from sbir_enrichment.schemas import EnrichedSbirAwards, MatchReviewCandidates

logger = logging.getLogger(__name__)


def check_provenance(enriched_stamp: pd.DataFrame, review_candidates: pd.DataFrame,
                     enrichment: EnrichmentParams) -> dict[str, Any]:
    """Refuse enriched outputs built with other matching settings than this run is given.

    Args:
        enriched_stamp: ``enriched_sbir_awards`` (one column; its ``attrs`` are what counts).
        review_candidates: ``match_review_candidates`` (its ``attrs`` likewise).
        enrichment: The enrichment parameters the report will state.

    Returns:
        The outputs' ``run_id`` and ``parameters_fingerprint``, recorded in the report.

    Raises:
        StaleOutputError: Built with other settings (each difference named), or by two runs.
    """
    return provenance.check(enriched_stamp, review_candidates, enrichment.matching)


def check_rows(enriched: pd.DataFrame, review_candidates: pd.DataFrame,
               accepted_rows: pd.DataFrame, params: QualityParams) -> list[dict[str, Any]]:
    """Row gates: the enriched schema, one row per accepted award, the review band unmatched.

    Args:
        enriched: ``enriched_sbir_awards``.
        review_candidates: ``match_review_candidates``.
        accepted_rows: ``source_row`` of every accepted award (``sbir_awards``).
        params: Quality parameters (``example_rows``).

    Returns:
        One gate result per row gate, with failing checks and example rows.
    """
    examples = params.example_rows
    band_failures = (gates.schema_failures(review_candidates, MatchReviewCandidates, examples)
                     + gates.candidates_matched_failures(review_candidates, enriched, examples))
    results = [
        gates.row_gate("enriched_schema", "enriched_sbir_awards against EnrichedSbirAwards",
                       gates.schema_failures(enriched, EnrichedSbirAwards, examples),
                       len(enriched)),
        gates.row_gate("row_accounting", "one enriched row per accepted award",
                       gates.row_accounting_failures(enriched["source_row"],
                                                     accepted_rows["source_row"], examples),
                       len(accepted_rows)),
        gates.row_gate("review_band_unmatched",
                       "match_review_candidates, whose awards must stay unmatched",
                       band_failures, len(review_candidates)),
    ]
    return [result.to_dict() for result in results]


def measure_quality(enriched: pd.DataFrame, accuracy_report: dict[str, Any],
                    params: QualityParams) -> dict[str, Any]:
    """Headline figures, breakdowns by group, unmatched by phase, score histogram, accuracy
    (by method, by kind of variation, and the reliability of the match probability).

    Args:
        enriched: ``enriched_sbir_awards``.
        accuracy_report: The enrichment's accuracy report (``has_truth`` false without truth).
        params: Quality parameters (size buckets, histogram bin width).

    Returns:
        The measures section of the quality report.
    """
    labels = breakdowns.group_labels(enriched, params.size_bucket_upper_bounds)
    matched = breakdowns.matched_mask(enriched)
    score = enriched["match_score"]
    in_band = enriched["in_review_band"].fillna(False).astype(bool)
    return {
        "summary": breakdowns.summary(enriched, accuracy_report),
        "breakdowns": {
            name: breakdowns.rate_breakdown(labels[name], matched, labels["match_method"])
            for name in breakdowns.DIMENSIONS
        },
        "unmatched_by_phase": breakdowns.unmatched_by_phase(labels["phase"], matched, in_band),
        "score_histogram": breakdowns.score_histogram(labels["match_method"], score,
                                                      params.score_bin_width),
        "accuracy_by_method": breakdowns.accuracy_by_method(accuracy_report),
        "reliability": accuracy_report.get("reliability", []),
        "accuracy_by_variation": accuracy_report.get("by_variation", {}),
    }


def check_metrics(quality_measures: dict[str, Any], accuracy_report: dict[str, Any],
                  params: QualityParams) -> list[dict[str, Any]]:
    """Metric gates: match rate against ``min_match_rate``, precision against ``min_precision``.

    Args:
        quality_measures: Output of ``measure_quality``.
        accuracy_report: The enrichment's accuracy report.
        params: Quality parameters (thresholds).

    Returns:
        The match-rate and precision gate results.
    """
    figures = quality_measures["summary"]
    results = [
        gates.match_rate_gate(figures["match_rate"], figures["matched"], figures["awards"],
                              params.min_match_rate),
        gates.precision_gate(accuracy_report, params.min_precision),
    ]
    return [result.to_dict() for result in results]


def compare_with_baseline(quality_measures: dict[str, Any],
                          quality_baselines: dict[str, Callable[[], Any]],
                          params: QualityParams) -> dict[str, Any]:
    """Deltas of the headline metrics from the newest stored baseline, and the drop gate.

    Args:
        quality_measures: Output of ``measure_quality``.
        quality_baselines: Every stored baseline, ``{version: loader}`` (empty if none).
        params: Quality parameters (drop thresholds).

    Returns:
        ``{"baseline_version", "baseline_generated_at", "deltas", "gate"}``.
    """
    stored = baseline.latest(quality_baselines)
    version, content = stored if stored else (None, {})
    changes = baseline.deltas(quality_measures["summary"], content.get("summary", {}))
    gate = baseline.match_rate_drop_gate(changes, version, params.max_match_rate_drop_pts,
                                         params.warn_match_rate_drop_pts)
    return {
        "baseline_version": version,
        "baseline_generated_at": content.get("report_generated_at"),
        "deltas": changes,
        "gate": gate.to_dict(),
    }


def _past_runs(reports: dict[str, Callable[[], Any]], keep: int) -> list[dict[str, Any]]:
    """The newest ``keep`` past reports' time, status and summary, oldest first."""
    newest = sorted(reports)[-keep:] if keep else []
    past = (reports[version]() for version in newest)
    return [{"generated_at": r["generated_at"], "status": r["status"], "summary": r["summary"]}
            for r in past]


def build_quality_report(*, quality_measures: dict[str, Any], row_gates: list[dict[str, Any]],
                         metric_gates: list[dict[str, Any]], regression: dict[str, Any],
                         past_reports: dict[str, Callable[[], Any]], params: QualityParams,
                         enrichment: EnrichmentParams, provenance: dict[str, Any]
                         ) -> tuple[dict[str, Any], str]:
    """Assemble this run's report and render it as a page with trends over past runs.

    Args:
        quality_measures: Output of ``measure_quality``.
        row_gates: Output of ``check_rows``.
        metric_gates: Output of ``check_metrics``.
        regression: Output of ``compare_with_baseline``.
        past_reports: Earlier quality reports, ``{version: loader}``.
        params: Quality parameters (recorded in the report; ``history_runs``).
        enrichment: The enrichment's parameters (its accept and review probabilities).
        provenance: Output of ``check_provenance``: which enrichment run the report is about.

    Returns:
        The report dictionary (JSON) and its HTML page.
    """
    settings = enrichment.matching
    score_thresholds = {"accept": 100 * settings.accept_probability,
                        "review": 100 * settings.review_probability}
    all_gates = [*row_gates, *metric_gates, regression["gate"]]
    status = gates.overall_status([gates.GateResult(**g) for g in all_gates])
    report = {
        "generated_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "status": status,
        "thresholds": {**params.model_dump(), "score_thresholds": score_thresholds},
        "enriched": provenance,
        "gates": all_gates,
        **quality_measures,
        "regression": {k: v for k, v in regression.items() if k != "gate"},
    }
    history = [*_past_runs(past_reports, params.history_runs - 1),
               {"generated_at": report["generated_at"], "status": status,
                "summary": report["summary"]}]
    return report, render_quality_page(report, history)


def enforce_quality_gates(quality_report: dict[str, Any]) -> dict[str, Any]:
    """Stop the run when a gate failed; runs after the report is written.

    Args:
        quality_report: The saved report.

    Returns:
        What this run certifies, ``{"report_generated_at", "summary"}``: the input of a baseline.

    Raises:
        QualityGateError: At least one gate failed; the message lists each failure.
    """
    for gate in quality_report["gates"]:
        if gate["status"] == "warn":
            logger.warning("Quality gate %s warns: %s", gate["name"], gate["message"])
    failed = [g["name"] for g in quality_report["gates"] if g["status"] == "fail"]
    if failed:
        raise gates.QualityGateError(
            f"{len(failed)} quality gate(s) failed ({', '.join(failed)}).\n"
            + quality_gate_table(quality_report["gates"]),
            what_to_do="read why in the quality report named above (gates, breakdowns, review "
                       "band); fix the data or the matching, not the threshold. --verbose shows "
                       "the traceback.",
        )
    return {"report_generated_at": quality_report["generated_at"],
            "summary": quality_report["summary"]}


def store_quality_baseline(certified: dict[str, Any]) -> dict[str, Any]:
    """The certified metrics of a passing run, stamped, to be saved as the new baseline.

    Args:
        certified: Output of ``enforce_quality_gates``.

    Returns:
        The baseline record.
    """
    return {**certified, "stored_at": datetime.now(UTC).isoformat(timespec="milliseconds")}
