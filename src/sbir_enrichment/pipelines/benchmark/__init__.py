"""Benchmark: time the pipelines on sized inputs, compare with the baseline, report, gate."""

from sbir_enrichment.pipelines.benchmark.pipeline import create_pipeline

__all__ = ["create_pipeline"]
