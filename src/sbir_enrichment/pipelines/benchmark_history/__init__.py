"""Benchmark history: every archived benchmark, listed with each metric's trend."""

from sbir_enrichment.pipelines.benchmark_history.pipeline import create_pipeline

__all__ = ["create_pipeline"]
