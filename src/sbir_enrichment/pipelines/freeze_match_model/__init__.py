"""The ``freeze_match_model`` pipeline: keep the latest estimated match model for reuse."""

from sbir_enrichment.pipelines.freeze_match_model.pipeline import create_pipeline

__all__ = ["create_pipeline"]
