"""sbir-enrichment: link SBIR.gov awards to USAspending recipients, measurably right and fast."""

__version__ = "0.1.0"
