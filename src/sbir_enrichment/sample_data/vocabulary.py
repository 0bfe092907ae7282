"""The committed vocabulary (real firm-name tokens, suffixes, states, years, amounts) as arrays."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

STRING = np.dtypes.StringDType()


@dataclass(frozen=True)
class Weighted:
    """Values and the probability of drawing each."""

    values: np.ndarray
    p: np.ndarray

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` values drawn with replacement by probability."""
        return self.values[rng.choice(len(self.values), size=size, p=self.p)]


@dataclass(frozen=True)
class Vocabulary:
    """Everything the generator draws from the real award lists."""

    columns: tuple[str, ...]
    lead_tokens: Weighted
    tail_tokens: Weighted
    core_token_counts: Weighted
    one_word_name_letters: Weighted
    """Letters in the word of real one-word firm names (PRAG, OWLFLY, SEPRAGEN)."""
    legal_suffixes: Weighted
    states: Weighted
    award_years: Weighted
    amount_quantiles: np.ndarray


def _weighted(counts: dict[str, int], dtype: np.dtype | type = STRING) -> Weighted:
    weights = np.array(list(counts.values()), dtype=float)
    return Weighted(np.array(list(counts), dtype=dtype), weights / weights.sum())


@cache
def load_vocabulary() -> Vocabulary:
    """Read ``vocabulary.json`` shipped with the package."""
    text = resources.files(__package__).joinpath("vocabulary.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    return Vocabulary(
        columns=tuple(raw["sbir_awards_columns"]),
        lead_tokens=_weighted(raw["lead_tokens"]),
        tail_tokens=_weighted(raw["tail_tokens"]),
        core_token_counts=_weighted(raw["core_token_counts"], dtype=np.int64),
        one_word_name_letters=_weighted(raw["one_word_name_letters"], dtype=np.int64),
        legal_suffixes=_weighted(raw["legal_suffixes"]),
        states=_weighted(raw["states"]),
        award_years=_weighted(raw["award_years"], dtype=np.int64),
        amount_quantiles=np.array(list(raw["award_amount_quantiles"].values()), dtype=float),
    )
