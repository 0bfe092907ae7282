"""``kedro run --pipelines benchmark_baseline``: store the newest benchmark result as baseline.

Storing is explicit, never a side effect of benchmarking. To store an older result, name its
version: ``--load-versions benchmark_results:<version>``.
"""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from sbir_enrichment.pipelines.benchmark.nodes import store_benchmark_baseline


def create_pipeline(**kwargs) -> Pipeline:
    """Create the baseline store."""
    return Pipeline([
        Node(
            func=store_benchmark_baseline,
            inputs="benchmark_results",
            outputs="benchmark_baseline",
            name="store_benchmark_baseline_node",
        ),
    ])
