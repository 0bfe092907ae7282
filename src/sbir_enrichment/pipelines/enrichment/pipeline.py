"""Enrichment pipeline: index recipients, estimate the match model, link chunks, combine."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from sbir_enrichment.pipelines.enrichment.nodes import (
    combine_chunks,
    enrich_chunks,
    estimate_match_model,
    index_recipients,
    measure_accuracy,
    split_awards,
)


def create_pipeline(**kwargs) -> Pipeline:
    """Create the enrichment pipeline."""
    return Pipeline([
        Node(
            func=split_awards,
            inputs=["sbir_awards", "params:enrichment"],
            outputs="award_chunks",
            name="split_awards_node",
        ),
        Node(
            func=index_recipients,
            inputs=["recipient_index", "params:enrichment"],
            outputs=["recipient_lookup", "recipient_lookup_digest"],
            name="index_recipients_node",
        ),
        Node(
            func=estimate_match_model,
            inputs=["award_chunks", "recipient_lookup", "frozen_match_model",
                    "params:enrichment"],
            outputs="match_model",
            name="estimate_match_model_node",
        ),
        Node(
            func=enrich_chunks,
            inputs={
                "award_chunks": "award_chunks",
                "recipients": "recipient_lookup",
                "recipients_digest": "recipient_lookup_digest",
                "match_model": "match_model",
                "params": "params:enrichment",
                "recipient_index": "recipient_index",
                "dask": "params:dask",
            },
            outputs="enriched_chunks",
            name="enrich_chunks_node",
        ),
        Node(
            func=combine_chunks,
            inputs=["enriched_chunks", "params:enrichment"],
            outputs=["enriched_sbir_awards", "match_review_candidates", "match_links"],
            name="combine_chunks_node",
        ),
        Node(
            func=measure_accuracy,
            inputs=["match_links", "match_review_candidates", "match_truth"],
            outputs="accuracy_report",
            name="measure_accuracy_node",
        ),
    ])
