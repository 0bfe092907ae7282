"""The match model: Fellegi–Sunter weights estimated from the data being linked.

For each comparison level ``k``, ``m_k`` is the chance that a true match compares at ``k`` and
``u_k`` the chance that a non-match does; the level's match weight is ``log2(m_k / u_k)``. A
pair's weight is the sum over its comparisons plus the prior ``log2(λ / (1 - λ))``, ``λ`` being
the chance that a random award–recipient pair matches.

``estimate`` learns every ``m``, ``u`` and ``λ`` from one run's own candidate pairs by
expectation–maximisation (as Splink does), over the whole space of award × recipient pairs:
the candidate pairs are counted exactly (blocking finds every pair that shares a rare word, an
identifier, or most of a name), and all other pairs, which share nothing, are non-matches whose
other comparisons are distributed as in a random sample of pairs. How rare a shared name or
word is enters through the name levels' rarity bands (``comparisons``), each with its own
estimated weight.

The model is plain data (``MatchModel``, saved as JSON per run), so it can be frozen and reused.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, model_validator

from sbir_enrichment.matching.blocking import run_starts
from sbir_enrichment.matching.candidates import AwardBatch, Pairs, candidate_pairs, compare_pairs
from sbir_enrichment.matching.comparisons import COMPARISONS, NAME_ELSE
from sbir_enrichment.matching.index import RecipientIndex
from sbir_enrichment.matching.settings import MatchSettings

MODEL_VERSION = 1
_PSEUDO_PAIRS = 0.5  # added to every level's count, so an unseen level has a finite weight


class LevelEstimate(BaseModel):
    """One comparison level: how matches and non-matches fall on it, and its weight."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    m: float
    u: float
    weight: float
    """``log2(m / u)``: evidence for a match (bits) when a pair compares at this level."""
    pairs: float
    """Candidate pairs of the estimation sample at this level."""


class MatchModel(BaseModel):
    """Estimated (or frozen) parameters of the match model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = MODEL_VERSION
    match_share: float
    """``π``: the share of awards whose true recipient is among the recipients."""
    recipients: int
    """Recipients in the index the model was estimated on."""
    comparisons: dict[str, dict[str, LevelEstimate]]
    estimation: dict[str, Any]
    """How it was estimated: sample sizes, iterations, convergence, seed."""

    @model_validator(mode="after")
    def _known_levels(self) -> MatchModel:
        if self.version != MODEL_VERSION:
            raise ValueError(f"match model version {self.version}; this code reads "
                             f"version {MODEL_VERSION}: estimate a new model")
        got = {name: tuple(levels) for name, levels in self.comparisons.items()}
        if got != COMPARISONS:
            raise ValueError(f"match model comparisons {got} differ from this code's "
                             f"{COMPARISONS}: estimate a new model")
        return self

    def prior_bits(self, recipients: int) -> float:
        """Prior log2 odds of one award–recipient pair, ``log2(π / (N (1 - π)))``."""
        return float(np.log2(self.match_share / (max(recipients, 1) * (1.0 - self.match_share))))

    def level_weights(self) -> list[np.ndarray]:
        """Weight of each level, one array per comparison (in ``COMPARISONS`` order)."""
        return [np.array([self.comparisons[c][k].weight for k in levels])
                for c, levels in COMPARISONS.items()]

    def pair_weights(self, pairs: Pairs) -> np.ndarray:
        """``(pairs, comparisons)`` weights of each pair's levels."""
        if len(pairs) == 0:
            return np.zeros((0, len(COMPARISONS)))
        return np.column_stack([table[pairs.levels[:, i]]
                                for i, table in enumerate(self.level_weights())])


def _random_distribution(random_levels: np.ndarray) -> list[np.ndarray]:
    """Share of random pairs at each level, per comparison (the name is always ``else``)."""
    shares = []
    for i, names in enumerate(COMPARISONS.values()):
        if i == 0:
            share = np.zeros(len(names))
            share[NAME_ELSE] = 1.0
        else:
            share = np.bincount(random_levels[:, i], minlength=len(names)) / max(
                len(random_levels), 1)
        shares.append(share)
    return shares


def _initial_m() -> list[np.ndarray]:
    """Start EM from a weak guess: earlier (more agreeing) levels are likelier for matches."""
    return [np.exp2(-np.arange(len(names), dtype=np.float64)) / np.exp2(
        -np.arange(len(names), dtype=np.float64)).sum() for names in COMPARISONS.values()]


class _Fit:
    """One EM state: ``m`` and ``u`` per comparison level, the match share ``π`` of awards."""

    def __init__(self, m: list[np.ndarray], u: list[np.ndarray], share: float) -> None:
        self.m, self.u, self.share = m, u, share

    def pair_bits(self, pairs: Pairs, recipients: int) -> np.ndarray:
        """Total weight of each pair: the prior plus its level weights."""
        odds = self.share / max(recipients * (1.0 - self.share), 1e-300)
        bits = np.full(len(pairs), np.log2(odds))
        for i in range(len(self.m)):
            bits += np.log2(self.m[i] / self.u[i])[pairs.levels[:, i]]
        return bits


def _posterior(bits: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Chance that each pair is its award's match: one match at most per award."""
    if len(starts) == 0:
        return np.zeros(0)
    sizes = np.diff(np.r_[starts, len(bits)])
    every = np.repeat(np.logaddexp2(0.0, np.logaddexp2.reduceat(bits, starts)), sizes)
    return np.exp2(bits - every)


def estimate(pairs: Pairs, random_levels: np.ndarray, awards: int, recipients: int,
             settings: MatchSettings) -> MatchModel:
    """Estimate ``m``, ``u`` and the match share of awards by EM over their candidate pairs.

    The model behind it: an award has a true recipient with chance ``π``, any one of the
    ``recipients`` alike a priori; a true pair compares by ``m``, every other pair by ``u``.
    So the chance that candidate ``j`` is the award's match is
    ``o·2^w_j / (1 + o·Σ_k 2^w_k)`` with ``o = π / (N (1 - π))``: an award matches at most one
    candidate, which keeps EM from calling every similar pair a match.

    Args:
        pairs: Candidate pairs of the sampled awards (``candidates.candidate_pairs``), sorted by
            award.
        random_levels: Levels of random award–recipient pairs (name column ignored).
        awards: Awards sampled.
        recipients: Recipients in the index.
        settings: ``max_iterations``, ``tolerance`` and ``seed`` (recorded).

    Returns:
        The model, deterministic for the same inputs.
    """
    total_pairs = float(awards) * float(recipients)
    outside = max(total_pairs - len(pairs), 0.0)
    random_share = _random_distribution(random_levels)
    starts = run_starts(pairs.position)
    counts = [np.bincount(pairs.levels[:, i], minlength=len(names)).astype(np.float64)
              for i, names in enumerate(COMPARISONS.values())]
    fit = _Fit(_initial_m(), [(c + outside * r + _PSEUDO_PAIRS) / (c.sum() + outside + 1.0)
                              for c, r in zip(counts, random_share, strict=True)],
               0.5)
    posterior = np.zeros(len(pairs))
    iterations, converged = 0, False
    for iterations in range(1, settings.max_iterations + 1):  # noqa: B007
        posterior = _posterior(fit.pair_bits(pairs, recipients), starts)
        matched = posterior.sum()
        m, u = [], []
        for i, names in enumerate(COMPARISONS.values()):
            at_match = np.bincount(pairs.levels[:, i], weights=posterior, minlength=len(names))
            at_other = counts[i] - at_match + outside * random_share[i]
            m.append((at_match + _PSEUDO_PAIRS) / (matched + _PSEUDO_PAIRS * len(names)))
            u.append((at_other + _PSEUDO_PAIRS) / (at_other.sum() + _PSEUDO_PAIRS * len(names)))
        share = min(max(matched, _PSEUDO_PAIRS) / max(awards, 1), 0.999)
        moved = max(float(np.max(np.abs(a - b))) for a, b in zip(m + u, fit.m + fit.u,
                                                                  strict=True))
        moved = max(moved, abs(share - fit.share))
        fit = _Fit(m, u, share)
        if moved < settings.tolerance:
            converged = True
            break
    comparisons = {}
    for i, (comparison, names) in enumerate(COMPARISONS.items()):
        seen = (counts[i] > 0) | (random_share[i] > 0)
        comparisons[comparison] = {
            name: LevelEstimate(
                m=float(fit.m[i][k]), u=float(fit.u[i][k]),
                weight=float(np.log2(fit.m[i][k] / fit.u[i][k])) if seen[k] else 0.0,
                pairs=float(counts[i][k]))
            for k, name in enumerate(names)}
    return MatchModel(
        match_share=fit.share,
        recipients=recipients,
        comparisons=comparisons,
        estimation={"awards": awards, "candidate_pairs": int(len(pairs)),
                    "random_pairs": int(len(random_levels)), "iterations": iterations,
                    "converged": converged, "seed": settings.seed, "source": "estimated"},
    )


def train(awards: pd.DataFrame, index: RecipientIndex, settings: MatchSettings) -> MatchModel:
    """Estimate the model on a deterministic sample of ``awards`` against ``index``.

    Up to ``settings.estimate_awards`` awards (drawn with ``settings.seed``) give the candidate
    pairs; ``settings.random_pairs`` random award–recipient pairs show how non-matches compare.
    """
    rng = np.random.default_rng(settings.seed)
    size = min(len(awards), settings.estimate_awards)
    positions = np.sort(rng.choice(len(awards), size=size, replace=False))
    batch = AwardBatch.of(awards.iloc[positions], index)
    pairs = candidate_pairs(batch, index, settings)
    if size and len(index):
        at = rng.integers(0, size, settings.random_pairs)
        rows = rng.integers(0, len(index), settings.random_pairs)
        random_levels = compare_pairs(batch, at, rows, index,
                                      np.full(len(at), NAME_ELSE, dtype=np.int8)).levels
    else:
        random_levels = np.zeros((0, len(COMPARISONS)), dtype=np.int8)
    return estimate(pairs, random_levels, size, len(index), settings)
