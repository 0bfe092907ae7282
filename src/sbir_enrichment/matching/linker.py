"""Link a chunk of awards: candidates, weights, one decision per award, all vectorised.

Every award's candidates (identifier hits and name candidates alike) are weighed by the same
model. A candidate's total weight ``W`` is the prior plus its comparison weights. Candidates of
the same firm as the best (a shared UEI or DUNS, or the same name with no conflicting
identifier or legal form: a firm's current and legacy rows) do not compete with it; every other
candidate is a rival, and an award matches at most one firm, so the best's match probability is

    P = 2^W / (1 + Σ_rivals 2^W_rival),   i.e.   log2 odds = W + rivals,

with ``rivals = -log2(1 + Σ 2^W_rival)``. The award is matched when ``P`` reaches
``accept_probability``, goes to the review band from ``review_probability``, else stays
unmatched. The method is ``uei_exact`` or ``duns_exact`` when the accepted candidate shares that
identifier, else ``name_fuzzy``. Every weight is kept in its own column, so each decision can be
explained (and drawn as a waterfall) from its own row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sbir_enrichment.matching import explain
from sbir_enrichment.matching.blocking import run_ranks, run_starts
from sbir_enrichment.matching.candidates import (
    CandidateRows,
    Candidates,
    Pairs,
    find_candidates,
)
from sbir_enrichment.matching.comparisons import COMPARISONS, level
from sbir_enrichment.matching.index import RecipientIndex
from sbir_enrichment.matching.model import MatchModel
from sbir_enrichment.matching.names import legal_form_types
from sbir_enrichment.matching.settings import MatchSettings

WEIGHT_COLUMNS: tuple[str, ...] = (
    "match_weight_prior", *(f"match_weight_{c}" for c in COMPARISONS), "match_weight_rivals")
MATCH_COLUMNS: tuple[str, ...] = (
    "match_method", "match_score", "match_probability", "recipient_hash", "recipient_uei",
    "recipient_duns", "recipient_name", "recipient_parent_uei", "recipient_state",
    "match_reason", "in_review_band", *WEIGHT_COLUMNS,
)
REVIEW_FIELDS: tuple[str, ...] = ("recipient_hash", "name", "state", "score")
_OUTPUT_FIELDS = {"recipient_hash": "recipient_hash", "recipient_uei": "uei",
                  "recipient_duns": "duns", "recipient_name": "name",
                  "recipient_parent_uei": "parent_uei", "recipient_state": "state"}
ACCEPT, REVIEW, NONE = 2, 1, 0
_UEI_SAME, _DUNS_SAME = level("uei", "same"), level("duns", "same")


def review_columns(top_k: int) -> list[str]:
    """Wide columns that carry a chunk's review candidates (``candidate_<rank>_<field>``)."""
    return [f"candidate_{rank}_{field}" for rank in range(1, top_k + 1) for field in REVIEW_FIELDS]


@dataclass(frozen=True)
class Scored:
    """Candidate pairs sorted by award, best first, with their weights and share."""

    pairs: Pairs
    weights: np.ndarray
    """``(pairs, comparisons)`` comparison weights."""
    total: np.ndarray
    """Prior plus comparison weights (bits)."""
    share: np.ndarray
    """``2^W / (1 + Σ 2^W)`` over the award's candidates: each candidate's share of the award."""


def score(candidates: Candidates, model: MatchModel) -> Scored:
    """Weigh every pair and order each award's candidates best first (ties: UEI, then row)."""
    pairs = candidates.pairs
    weights = model.pair_weights(pairs)
    total = model.prior_bits(candidates.recipient_count) + weights.sum(axis=1)
    no_uei = candidates.recipients.uei_key[candidates.recipients.at(pairs.row)] == 0
    order = np.lexsort((pairs.row, no_uei, -total, pairs.position))
    pairs, weights, total = pairs.take(order), weights[order], total[order]
    starts = run_starts(pairs.position)
    every = np.logaddexp2.reduceat(total, starts) if len(starts) else np.zeros(0)
    sizes = np.diff(np.r_[starts, len(total)])
    share = np.exp2(total - np.logaddexp2(0.0, np.repeat(every, sizes)))
    return Scored(pairs, weights, total, share)


def _same_firm(found: CandidateRows, rows: np.ndarray, best_rows: np.ndarray) -> np.ndarray:
    """Whether each candidate row is the same firm as its award's best row.

    The same firm: a shared UEI or DUNS, or the same name with no conflicting identifier or
    legal form (a firm's old rows often lack a legal form or an identifier).
    """
    duns, uei, compact = found.duns_key, found.uei_key, found.compact_key
    row, best_row = found.at(rows), found.at(best_rows)

    def agree(values: np.ndarray) -> np.ndarray:
        return (values[row] == values[best_row]) | (values[row] == 0) | (values[best_row] == 0)

    shared_id = ((duns[row] == duns[best_row]) & (duns[row] != 0)) | (
        (uei[row] == uei[best_row]) & (uei[row] != 0))
    form, best_form = (legal_form_types(found.legal_form[r]) for r in (row, best_row))
    same_form = (form == best_form) | (form < 0) | (best_form < 0)
    same_name = (compact[row] == compact[best_row]) & agree(duns) & agree(uei) & same_form
    return shared_id | same_name


@dataclass(frozen=True)
class Decisions:
    """The best candidate of each award that has one, and what became of it."""

    position: np.ndarray
    best: np.ndarray
    """Index of the best pair in ``Scored.pairs``."""
    rivals: np.ndarray
    """``-log2(1 + Σ 2^W)`` over candidates of other firms (0 when none)."""
    probability: np.ndarray
    status: np.ndarray


def decide(scored: Scored, found: CandidateRows, settings: MatchSettings) -> Decisions:
    """Each award's best candidate, its rivals' weight, match probability and decision."""
    pairs = scored.pairs
    starts = run_starts(pairs.position)
    if len(starts) == 0:
        empty = np.zeros(0)
        return Decisions(np.zeros(0, np.int64), np.zeros(0, np.int64), empty, empty,
                         np.zeros(0, np.int8))
    sizes = np.diff(np.r_[starts, len(pairs)])
    best_row = np.repeat(pairs.row[starts], sizes)
    other = ~_same_firm(found, pairs.row, best_row)
    rival_mass = np.logaddexp2.reduceat(np.where(other, scored.total, -np.inf), starts)
    rivals = -np.logaddexp2(0.0, rival_mass)
    log_odds = scored.total[starts] + rivals
    probability = 1.0 / (1.0 + np.exp2(-np.clip(log_odds, -1000, 1000)))
    status = np.where(probability >= settings.accept_probability, ACCEPT,
                      np.where(probability >= settings.review_probability, REVIEW, NONE))
    return Decisions(pairs.position[starts], starts, rivals, probability, status.astype(np.int8))


def _method(levels: np.ndarray) -> np.ndarray:
    return np.where(levels[:, 3] == _UEI_SAME, "uei_exact",
                    np.where(levels[:, 4] == _DUNS_SAME, "duns_exact", "name_fuzzy"))


def _review_frame(scored: Scored, decisions: Decisions, found: CandidateRows, n: int,
                  top_k: int) -> pd.DataFrame:
    """Top candidates of the review-band awards, wide (``review_columns(top_k)``)."""
    in_review = np.zeros(n, dtype=bool)
    in_review[decisions.position[decisions.status == REVIEW]] = True
    keep = np.flatnonzero(in_review[scored.pairs.position])
    rank = run_ranks(scored.pairs.position[keep])
    wide = {}
    for r in range(1, top_k + 1):
        chosen = keep[rank == r - 1]
        at = scored.pairs.position[chosen]
        fields = found.rows_frame(scored.pairs.row[chosen])
        for field in REVIEW_FIELDS:
            if field == "score":
                values = pd.Series(np.nan, index=range(n), dtype="float64")
                values.iloc[at] = 100.0 * scored.share[chosen]
            else:
                values = pd.Series(None, index=range(n), dtype="str")
                values.iloc[at] = fields[field].to_numpy(dtype=object)
            wide[f"candidate_{r}_{field}"] = values
    return pd.DataFrame(wide)


def link_awards(awards: pd.DataFrame, index: RecipientIndex, model: MatchModel,
                settings: MatchSettings) -> pd.DataFrame:
    """The awards with the match columns and the review candidates (``review_columns``) added.

    Args:
        awards: Ingested awards (at least ``company``, ``state``, ``uei``, ``duns``).
        index: The recipient index.
        model: The match model (estimated on this run's data, or frozen).
        settings: Blocking, levels and decision thresholds.

    Returns:
        ``awards`` (same rows, same order) plus ``MATCH_COLUMNS`` and ``review_columns``.
    """
    return decide_links(awards, find_candidates(awards, index, settings), model, settings)


def decide_links(awards: pd.DataFrame, candidates: Candidates, model: MatchModel,
                 settings: MatchSettings) -> pd.DataFrame:
    """``link_awards`` from the awards' candidates (of one index, or merged from partitions)."""
    n = len(awards)
    found = candidates.recipients
    scored = score(candidates, model)
    decisions = decide(scored, found, settings)
    best = decisions.best
    accepted = decisions.status == ACCEPT

    match = pd.DataFrame({"match_method": pd.Series("unmatched", index=range(n), dtype="str")})
    method = match["match_method"].to_numpy(dtype=object)
    method[decisions.position[accepted]] = _method(scored.pairs.levels[best[accepted]])
    match["match_method"] = pd.Series(method, dtype="str")
    probability = np.zeros(n)
    probability[decisions.position] = decisions.probability
    match["match_score"] = 100.0 * probability
    match["match_probability"] = probability
    recipient = found.rows_frame(scored.pairs.row[best[accepted]])
    for column, source in _OUTPUT_FIELDS.items():
        values = pd.Series(None, index=range(n), dtype="str")
        values.iloc[decisions.position[accepted]] = recipient[source].to_numpy(dtype=object)
        match[column] = values
    match["match_reason"] = pd.Series(
        explain.reasons(n, scored, decisions, candidates=candidates, model=model,
                        settings=settings), dtype="str")
    match["in_review_band"] = False
    match.loc[decisions.position[decisions.status == REVIEW], "in_review_band"] = True
    weights = np.full((n, len(WEIGHT_COLUMNS)), np.nan)
    weights[decisions.position, 0] = model.prior_bits(candidates.recipient_count)
    weights[decisions.position, 1:-1] = scored.weights[best]
    weights[decisions.position, -1] = decisions.rivals
    for i, column in enumerate(WEIGHT_COLUMNS):
        match[column] = weights[:, i]
    out = pd.concat([match, _review_frame(scored, decisions, found, n, settings.review_top_k)],
                    axis=1)
    out.index = awards.index
    return pd.concat([awards, out], axis=1)


def review_candidates(enriched: pd.DataFrame, top_k: int) -> pd.DataFrame:
    """The review band in long form, one row per award and candidate rank (best first).

    Args:
        enriched: Output of ``link_awards`` (``review_columns(top_k)`` still present).
        top_k: Candidates kept per award.

    Returns:
        ``source_row, company, state, candidate_rank, candidate_recipient_hash,
        candidate_name, candidate_state, candidate_score``, ordered by source row and rank.
    """
    parts = []
    for rank in range(1, top_k + 1):
        prefix = f"candidate_{rank}_"
        rows = enriched[enriched[prefix + "recipient_hash"].notna()]
        parts.append(pd.DataFrame({
            "source_row": rows["source_row"].astype("int64").to_numpy(),
            "company": rows["company"].astype("str").to_numpy(),
            "state": rows["state"].astype("str").to_numpy(),
            "candidate_rank": np.full(len(rows), rank, dtype=np.int64),
            "candidate_recipient_hash": rows[prefix + "recipient_hash"].astype("str").to_numpy(),
            "candidate_name": rows[prefix + "name"].astype("str").to_numpy(),
            "candidate_state": rows[prefix + "state"].astype("str").to_numpy(),
            "candidate_score": rows[prefix + "score"].astype("float64").to_numpy(),
        }))
    review = pd.concat(parts, ignore_index=True)
    for column in ("company", "state", "candidate_recipient_hash", "candidate_name",
                   "candidate_state"):
        review[column] = review[column].astype("str")
    return review.sort_values(["source_row", "candidate_rank"], ignore_index=True)
