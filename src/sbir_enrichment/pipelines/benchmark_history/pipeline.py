"""``kedro run --pipelines benchmark_history [--params benchmark_history.days=7]``."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from sbir_enrichment.pipelines.benchmark.nodes import (
    build_history_reports,
    summarise_benchmark_history,
)


def create_pipeline(**kwargs) -> Pipeline:
    """Create the history pipeline: summarise the archive, then render it."""
    return Pipeline([
        Node(
            func=summarise_benchmark_history,
            inputs=["benchmark_results_archive", "params:benchmark_history"],
            outputs="benchmark_history",
            name="summarise_benchmark_history_node",
        ),
        Node(
            func=build_history_reports,
            inputs="benchmark_history",
            outputs=["benchmark_history_summary", "benchmark_history_html"],
            name="build_benchmark_history_reports_node",
        ),
    ])
