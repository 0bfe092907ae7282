"""Typed parameters of the ``sample_data`` pipeline (``conf/*/parameters_sample_data.yml``)."""

from __future__ import annotations

from sbir_enrichment.sample_data.config import GeneratorConfig


class SampleDataParams(GeneratorConfig):
    """``params:sample_data``: scale, seed and noise shares of the generated sample.

    The fields are the generator's own settings (``sample_data.config``), so a value out of
    range fails before the run starts, naming the parameter.
    """
