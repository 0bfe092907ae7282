"""Ingestion pipeline: SBIR.gov awards parsed and checked; USAspending recipients indexed."""

from sbir_enrichment.pipelines.ingestion.pipeline import create_pipeline

__all__ = ["create_pipeline"]
