"""SBIR firms: who they are, how many awards each won and when, and where they were."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sbir_enrichment.sample_data.addresses import Addresses, draw_addresses
from sbir_enrichment.sample_data.config import GeneratorConfig
from sbir_enrichment.sample_data.vocabulary import Vocabulary

PARETO_SHAPE = 1.3  # awards per firm: most firms win one or two, a few win hundreds
MAX_FIRM_WEIGHT = 0.01  # no firm wins more than about 1% of all awards
UEI_ERA = 2022  # SAM replaced DUNS with UEI in April 2022
ABSENT_YEAR_SPREAD = 8.0  # years of noise on "last seen" when picking absent firms
THE_FIRM_SHARE = 0.01  # registered names starting with THE (``MONARCO GROUP LLC, THE``)


@dataclass(frozen=True)
class Awards:
    """Each award's firm and year, in the (shuffled) order of the awards file."""

    firm: np.ndarray
    year: np.ndarray


@dataclass(frozen=True)
class Firms:
    """One row per SBIR firm; ``old_*`` is where a firm that moved was before ``move_year``."""

    n_awards: np.ndarray
    first_year: np.ndarray
    last_year: np.ndarray
    present: np.ndarray
    """The firm has recipient rows in USAspending."""
    has_uei: np.ndarray
    has_duns: np.ndarray
    state: np.ndarray
    address: Addresses
    moved: np.ndarray
    move_year: np.ndarray
    old_state: np.ndarray
    old_address: Addresses
    the_firm: np.ndarray

    def __len__(self) -> int:
        return len(self.n_awards)


def draw_awards(rng: np.random.Generator, vocabulary: Vocabulary,
                config: GeneratorConfig) -> Awards:
    """Assign every award a firm (skewed counts) and a year (real year distribution)."""
    n_firms = min(config.n_awards, max(1, round(config.n_awards / config.awards_per_firm)))
    weights = rng.pareto(PARETO_SHAPE, n_firms) + 1e-3
    weights = np.minimum(weights, MAX_FIRM_WEIGHT * weights.sum())
    counts = 1 + rng.multinomial(config.n_awards - n_firms, weights / weights.sum())
    firm = rng.permutation(np.repeat(np.arange(n_firms), counts))
    return Awards(firm=firm, year=vocabulary.award_years.draw(rng, config.n_awards))


def _absent_firms(rng: np.random.Generator, n_awards: np.ndarray, last_year: np.ndarray,
                  share: float) -> np.ndarray:
    """Firms taken until they hold ``share`` of all awards, mostly those last seen long ago.

    USAspending's recipients come from award records since about 2001 and from SAM, so a firm
    whose SBIR awards all predate them is the likeliest to be missing.
    """
    order = np.argsort(last_year + rng.normal(0.0, ABSENT_YEAR_SPREAD, len(n_awards)),
                       kind="stable")
    held = np.cumsum(n_awards[order])
    taken = order[held <= round(share * n_awards.sum())]
    absent = np.zeros(len(n_awards), dtype=bool)
    absent[taken] = True
    return absent


def other_states(rng: np.random.Generator, vocabulary: Vocabulary,
                  states: np.ndarray) -> np.ndarray:
    """A state different from each given one, drawn by frequency."""
    out = vocabulary.states.draw(rng, len(states)).astype(states.dtype)
    while (same := out == states).any():
        out[same] = vocabulary.states.draw(rng, int(same.sum()))
    return out


def draw_firms(rng: np.random.Generator, vocabulary: Vocabulary, config: GeneratorConfig,
               awards: Awards) -> Firms:
    """Firm attributes consistent with their awards."""
    by_firm = pd.DataFrame({"firm": awards.firm, "year": awards.year}).groupby("firm")["year"]
    first, last = by_firm.min().to_numpy(), by_firm.max().to_numpy()
    n_awards = by_firm.size().to_numpy()
    n = len(n_awards)
    state = vocabulary.states.draw(rng, n).astype("<U2")
    moved = rng.random(n) < config.firms.moved_share
    old_state = other_states(rng, vocabulary, state)
    return Firms(
        n_awards=n_awards,
        first_year=first,
        last_year=last,
        present=~_absent_firms(rng, n_awards, last, config.firms.absent_award_share),
        has_uei=(last >= 2010) | (rng.random(n) < 0.3),
        has_duns=first < UEI_ERA,
        state=state,
        address=draw_addresses(rng, state),
        moved=moved,
        move_year=rng.integers(first + 1, last + 2),
        old_state=old_state,
        old_address=draw_addresses(rng, old_state),
        the_firm=rng.random(n) < THE_FIRM_SHARE,
    )
