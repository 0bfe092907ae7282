"""Node of the ``sample_data`` pipeline: a thin call into the pure generator."""

from __future__ import annotations

import pandas as pd

from sbir_enrichment.pipelines.sample_data.params import SampleDataParams
from sbir_enrichment.sample_data import make_sample


def generate_sample_data(params: SampleDataParams) -> tuple[pd.DataFrame, pd.DataFrame,
                                                            pd.DataFrame]:
    """Generate awards, recipients and the true links between them.

    Args:
        params: Scale, seed and noise shares.

    Returns:
        The SBIR.gov-layout awards (all text), the USAspending ``recipient_lookup`` rows, and the
        truth table ``source_row, recipient_hash``.
    """
    sample = make_sample(params)
    return sample.awards, sample.recipients, sample.truth
