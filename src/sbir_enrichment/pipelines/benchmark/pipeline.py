"""``kedro run --pipelines benchmark``: sized runs, baseline comparison, reports, then the gate.

The result (JSON), its Markdown summary and HTML page are written before
``enforce_benchmark_gate_node`` raises on a FAILURE, so a failing benchmark still explains itself.
"""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from sbir_enrichment.pipelines.benchmark.nodes import (
    build_benchmark_reports,
    compare_with_stored_baseline,
    enforce_benchmark_gate,
    run_benchmark,
)


def create_pipeline(**kwargs) -> Pipeline:
    """Create the benchmark pipeline."""
    return Pipeline([
        Node(
            func=run_benchmark,
            inputs="params:benchmark",
            outputs="benchmark_measurements",
            name="run_benchmark_node",
        ),
        Node(
            func=compare_with_stored_baseline,
            inputs=["benchmark_measurements", "benchmark_baselines", "params:benchmark"],
            outputs="benchmark_results",
            name="compare_with_baseline_node",
        ),
        Node(
            func=build_benchmark_reports,
            inputs="benchmark_results",
            outputs=["benchmark_summary", "benchmark_report_html"],
            name="build_benchmark_reports_node",
        ),
        Node(
            func=enforce_benchmark_gate,
            inputs=["benchmark_results", "benchmark_summary"],
            outputs=None,
            name="enforce_benchmark_gate_node",
        ),
    ])
