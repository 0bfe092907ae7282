"""The ``sample_data`` pipeline: writes a realistic generated sample into ``01_raw``."""

from sbir_enrichment.pipelines.sample_data.pipeline import create_pipeline

__all__ = ["create_pipeline"]
