"""Enrichment pipeline: link every ingested award to its USAspending recipient."""

from sbir_enrichment.pipelines.enrichment.pipeline import create_pipeline

__all__ = ["create_pipeline"]
