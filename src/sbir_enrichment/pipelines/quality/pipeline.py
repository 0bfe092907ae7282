"""Quality pipeline: gates, breakdowns, baseline regression and the versioned report.

``check_provenance_node`` first refuses enriched outputs built with other enrichment parameters
than the run is given (the report states those parameters, so it must be about them).

Every gate result flows into ``build_quality_report_node``, which writes the report (JSON and
HTML) even when gates fail; ``enforce_quality_gates_node`` then raises on a failure, so nothing
downstream of ``quality_certified`` runs (``quality_baseline`` adds such a node).
"""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from sbir_enrichment.pipelines.quality.nodes import (
    build_quality_report,
    check_metrics,
    check_provenance,
    check_rows,
    compare_with_baseline,
    enforce_quality_gates,
    measure_quality,
)


def create_pipeline(**kwargs) -> Pipeline:
    """Create the quality pipeline."""
    return Pipeline([
        Node(
            func=check_provenance,
            # match_review_candidates (small) also orders this node after the enrichment in
            # a run of both; the enriched awards are read one column (their attrs) at a time.
            inputs=["enriched_sbir_awards_stamp", "match_review_candidates", "params:enrichment"],
            outputs="enriched_provenance",
            name="check_provenance_node",
        ),
        Node(
            func=check_rows,
            inputs=["enriched_sbir_awards", "match_review_candidates", "sbir_awards_source_rows",
                    "params:quality"],
            outputs="quality_row_gates",
            name="check_rows_node",
        ),
        Node(
            func=measure_quality,
            inputs=["enriched_sbir_awards", "accuracy_report", "params:quality"],
            outputs="quality_measures",
            name="measure_quality_node",
        ),
        Node(
            func=check_metrics,
            inputs=["quality_measures", "accuracy_report", "params:quality"],
            outputs="quality_metric_gates",
            name="check_metrics_node",
        ),
        Node(
            func=compare_with_baseline,
            inputs=["quality_measures", "quality_baselines", "params:quality"],
            outputs="quality_regression",
            name="compare_with_baseline_node",
        ),
        Node(
            func=build_quality_report,
            inputs={
                "quality_measures": "quality_measures",
                "row_gates": "quality_row_gates",
                "metric_gates": "quality_metric_gates",
                "regression": "quality_regression",
                "past_reports": "quality_report_history",
                "params": "params:quality",
                "enrichment": "params:enrichment",
                "provenance": "enriched_provenance",
            },
            outputs=["quality_report", "quality_report_html"],
            name="build_quality_report_node",
        ),
        Node(
            func=enforce_quality_gates,
            inputs="quality_report",
            outputs="quality_certified",
            name="enforce_quality_gates_node",
        ),
    ])
