"""Benchmark baseline: store a benchmark result as the baseline later benchmarks compare with."""

from sbir_enrichment.pipelines.benchmark_baseline.pipeline import create_pipeline

__all__ = ["create_pipeline"]
