"""Models learned from data, and recipient indexes to link hand-made awards against.

A linkage test needs a model, and a model is learned from data: ``variant_model`` is estimated
on a sample built from the real company-name variants (``names_from: company_aliases``),
``generated_model`` on the generator's own sample. Test awards are then linked against
``index_with(rows)``: thousands of generated businesses (filler) plus the hand-made recipients
the test is about, so blocking, rarity and rivals behave as in a real table.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from enrichment_inputs import configured_settings, prepared, recipients_frame

from sbir_enrichment.matching import MatchModel, RecipientIndex, link_awards, train
from sbir_enrichment.sample_data import GeneratorConfig, make_sample


@cache
def _sample(names_from: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    sample = make_sample(GeneratorConfig(seed=7, names_from=names_from, n_awards=6000,
                                         n_recipients=40000))
    return (*prepared(sample), sample.truth)


@cache
def _model(names_from: str) -> MatchModel:
    awards, index_frame, _ = _sample(names_from)
    settings = configured_settings()
    return train(awards, RecipientIndex.from_frames([index_frame], settings), settings)


def variant_model() -> MatchModel:
    """The model estimated on awards named by real company aliases."""
    return _model("company_aliases")


def generated_model() -> MatchModel:
    """The model estimated on the generator's own sample."""
    return _model("generated")


@cache
def _filler() -> pd.DataFrame:
    """Generated businesses that are no SBIR firm (the generated sample minus its firms)."""
    sample = make_sample(GeneratorConfig(seed=8, n_awards=500, n_recipients=30000))
    _, index_frame = prepared(sample)
    firms = index_frame["recipient_hash"].isin(sample.truth["recipient_hash"])
    return index_frame[~firms].reset_index(drop=True)


def index_with(rows: list[tuple[str, str | None, str | None, str, str | None]]
               ) -> RecipientIndex:
    """Filler businesses plus ``(hash, uei, duns, name, state)`` rows."""
    frame = pd.concat([_filler(), recipients_frame(rows)], ignore_index=True)
    frame["source_row"] = np.arange(len(frame), dtype=np.int64)
    return RecipientIndex.from_frames([frame], configured_settings())


def awards(rows: list[tuple[str | None, str | None, str | None, str | None]]) -> pd.DataFrame:
    """Awards from ``(company, state, uei, duns)`` rows."""
    frame = pd.DataFrame(rows, columns=["company", "state", "uei", "duns"]).astype("str")
    frame["source_row"] = np.arange(len(frame), dtype=np.int64)
    return frame


def link(rows: list[tuple[str | None, str | None, str | None, str | None]],
         index: RecipientIndex, model: MatchModel) -> pd.DataFrame:
    """Link hand-made award rows with ``model`` and the configured settings."""
    return link_awards(awards(rows), index, model, configured_settings())


def sample(names_from: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The awards, index frame and truth a model was estimated on."""
    return _sample(names_from)
