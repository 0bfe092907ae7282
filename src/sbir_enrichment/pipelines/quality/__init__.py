"""Quality pipeline: can this enrichment be trusted? Gates, breakdowns, baseline, report."""

from sbir_enrichment.pipelines.quality.pipeline import create_pipeline

__all__ = ["create_pipeline"]
