"""Quality baseline: the quality pipeline, then store the run's metrics as the new baseline."""

from sbir_enrichment.pipelines.quality_baseline.pipeline import create_pipeline

__all__ = ["create_pipeline"]
