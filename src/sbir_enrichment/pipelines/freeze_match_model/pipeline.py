"""``kedro run --pipelines freeze_match_model``: later runs reuse the latest model unchanged."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from sbir_enrichment.pipelines.enrichment.nodes import freeze_match_model


def create_pipeline(**kwargs) -> Pipeline:
    """One node copying the newest ``match_model`` version to ``frozen_match_model``."""
    return Pipeline([
        Node(
            func=freeze_match_model,
            inputs="match_model",
            outputs="frozen_match_model",
            name="freeze_match_model_node",
        ),
    ])
