"""Ingestion pipeline: awards → accepted + rejected; recipients → staged → rejected, then index."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from sbir_enrichment.pipelines.ingestion.nodes import (
    build_recipient_index,
    collect_recipient_rejects,
    parse_awards,
    stage_recipients,
    summarise_ingestion,
)


def create_pipeline(**kwargs) -> Pipeline:
    """Create the ingestion pipeline."""
    return Pipeline([
        Node(
            func=parse_awards,
            inputs=["sbir_awards_raw", "params:ingestion.awards"],
            outputs=["sbir_awards", "sbir_awards_rejected", "award_ingestion_counts"],
            name="parse_awards_node",
        ),
        Node(
            func=stage_recipients,
            inputs=["usaspending_recipients", "params:ingestion.memory_budget_mb",
                    "params:dask"],
            outputs="recipients_normalised",
            name="stage_recipients_node",
        ),
        Node(
            func=collect_recipient_rejects,
            inputs="recipients_normalised",
            outputs=["recipients_rejected", "recipient_ingestion_counts", "recipient_duplicates"],
            name="collect_recipient_rejects_node",
        ),
        Node(
            func=build_recipient_index,
            inputs=["recipients_normalised", "recipient_duplicates", "recipient_ingestion_counts"],
            outputs="recipient_index",
            name="build_recipient_index_node",
        ),
        Node(
            func=summarise_ingestion,
            inputs=["award_ingestion_counts", "recipient_ingestion_counts"],
            outputs="ingestion_summary",
            name="summarise_ingestion_node",
        ),
    ])
