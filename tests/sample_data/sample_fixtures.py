"""A moderately sized generated sample, built once per test session and shared by the modules."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from sbir_enrichment.sample_data import GeneratorConfig, SampleData, generate_sample

CONFIG = GeneratorConfig(seed=11, n_awards=8000, n_recipients=40000)


@cache
def shared_sample() -> SampleData:
    """The shared sample (default noise shares; ~3 s to generate)."""
    return generate_sample(CONFIG)


@cache
def shared_linked() -> pd.DataFrame:
    """Awards with a true recipient, joined to the firm's current row (the latest-updated one).

    Columns: the award's raw columns, ``source_row``, ``n_true`` (acceptable recipients) and the
    current row's ``recipient_hash, legal_business_name, uei, duns, state``.
    """
    sample = shared_sample()
    truth = sample.truth.merge(sample.recipients, on="recipient_hash")
    n_true = truth.groupby("source_row").size().rename("n_true")
    current = truth.sort_values(["source_row", "update_date"]).groupby("source_row").tail(1)
    current = current.set_index("source_row")[
        ["recipient_hash", "legal_business_name", "uei", "duns", "state"]]
    awards = sample.awards.assign(source_row=np.arange(len(sample.awards))).set_index("source_row")
    return awards.join(current, how="inner").join(n_true).reset_index()
