"""``kedro run --pipelines quality_baseline``: store a baseline only when every gate passes.

The store node consumes ``quality_certified``, which only ``enforce_quality_gates_node`` produces
and only when no gate failed; a failing run writes its report and stores nothing.
"""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from sbir_enrichment.pipelines.quality import create_pipeline as create_quality_pipeline
from sbir_enrichment.pipelines.quality.nodes import store_quality_baseline


def create_pipeline(**kwargs) -> Pipeline:
    """Create the quality pipeline plus the baseline store."""
    return create_quality_pipeline() + Pipeline([
        Node(
            func=store_quality_baseline,
            inputs="quality_certified",
            outputs="quality_baseline",
            name="store_quality_baseline_node",
        ),
    ])
