"""Synthetic but realistic SBIR awards, USAspending recipients and the truth linking them."""

from sbir_enrichment.sample_data.config import GeneratorConfig
from sbir_enrichment.sample_data.generator import SampleData, generate_sample
from sbir_enrichment.sample_data.variants import generate_variant_sample


def make_sample(config: GeneratorConfig) -> SampleData:
    """The sample ``config`` asks for: generated names, or real company aliases."""
    if config.names_from == "company_aliases":
        return generate_variant_sample(config)
    return generate_sample(config)


__all__ = ["GeneratorConfig", "SampleData", "generate_sample", "generate_variant_sample",
           "make_sample"]
