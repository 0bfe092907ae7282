"""Synthetic but realistic SBIR awards, USAspending recipients and the truth linking them."""

from sbir_enrichment.sample_data.config import GeneratorConfig
from sbir_enrichment.sample_data.generator import SampleData, generate_sample

__all__ = ["GeneratorConfig", "SampleData", "generate_sample"]
