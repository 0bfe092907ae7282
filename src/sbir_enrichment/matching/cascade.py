"""The cascade: link a chunk of awards to recipients, every stage vectorised over the chunk.

1. **UEI exact**, then 2. **DUNS exact**: identifier lookups; every hit is name-checked. A hit
   whose names disagree strongly (below ``id_name_min``: a stale or mistyped identifier) is not
   accepted: it is flagged in ``match_reason`` and the award falls through. Several recipients
   can share a DUNS (legacy DUNS-only rows): the best name, then a row with a UEI, then the
   first row wins.
3. **Name**: first the exact join on the normalised name (cheap; catches case, punctuation,
   suffix, abbreviation and THE variants), then, for awards still open, blocked candidates
   (``blocking``) scored with ``scoring``. Each candidate's total is its name similarity plus
   legal-form and state agreement points. The best total is accepted when it reaches
   ``accept_score`` and beats every candidate of *another firm* (other name, legal form or
   identifier) by ``min_margin``; from ``review_score`` it goes to the review band (not
   matched; top candidates kept); below, the award stays unmatched.

Candidates travel as numpy arrays of ``(award position, recipient row)``; recipient strings are
fetched only for the rows scored, and text only for the rows explained.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sbir_enrichment.matching import explain
from sbir_enrichment.matching.blocking import NameKeys, distinct_pairs
from sbir_enrichment.matching.hashing import string_keys
from sbir_enrichment.matching.index import (
    MISSING_STATE,
    RecipientIndex,
    duns_keys,
    text_lengths,
)
from sbir_enrichment.matching.names import normalise_name, suffix_codes
from sbir_enrichment.matching.scoring import agreement_points, name_similarity
from sbir_enrichment.matching.settings import MatchSettings

MATCH_COLUMNS: tuple[str, ...] = (
    "match_method", "match_score", "recipient_hash", "recipient_uei", "recipient_duns",
    "recipient_name", "recipient_parent_uei", "recipient_state", "match_reason", "in_review_band",
)
REVIEW_FIELDS: tuple[str, ...] = ("recipient_hash", "name", "state", "score")
_OUTPUT_FIELDS = {"recipient_hash": "recipient_hash", "recipient_uei": "uei",
                  "recipient_duns": "duns", "recipient_name": "name",
                  "recipient_parent_uei": "parent_uei", "recipient_state": "state"}
ACCEPT, REVIEW, NONE = 2, 1, 0


def review_columns(top_k: int) -> list[str]:
    """Wide columns that carry a chunk's review candidates (``candidate_<rank>_<field>``)."""
    return [f"candidate_{rank}_{field}" for rank in range(1, top_k + 1) for field in REVIEW_FIELDS]


@dataclass(frozen=True)
class _Chunk:
    """What the cascade reads of each award, by position 0..n-1."""

    name_norm: pd.Series
    suffix: np.ndarray
    state: np.ndarray
    uei: pd.Series
    duns: pd.Series
    uei_key: np.ndarray
    duns_key: np.ndarray

    @classmethod
    def of(cls, awards: pd.DataFrame, index: RecipientIndex) -> _Chunk:
        company = awards["company"].reset_index(drop=True)
        uei = awards["uei"].reset_index(drop=True).astype("string")
        duns = awards["duns"].reset_index(drop=True).astype("string")
        return cls(
            name_norm=normalise_name(company),
            suffix=suffix_codes(company),
            state=index.state_codes(awards["state"].reset_index(drop=True)),
            uei=uei, duns=duns, uei_key=string_keys(uei), duns_key=duns_keys(duns),
        )

    def __len__(self) -> int:
        return len(self.name_norm)

    def names(self, positions: np.ndarray) -> np.ndarray:
        return self.name_norm.to_numpy(dtype=object, na_value="")[positions]


@dataclass
class _Outcome:
    """Per-award result arrays, filled stage by stage."""

    method: np.ndarray
    row: np.ndarray
    score: np.ndarray
    reason: np.ndarray
    note: np.ndarray
    in_review: np.ndarray

    @classmethod
    def empty(cls, n: int) -> _Outcome:
        return cls(
            method=np.full(n, "unmatched", dtype=object), row=np.full(n, -1, dtype=np.int64),
            score=np.zeros(n), reason=np.full(n, "", dtype=object),
            note=np.full(n, "", dtype=object), in_review=np.zeros(n, dtype=bool),
        )

    def open(self) -> np.ndarray:
        return self.row < 0


def _group_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """First index of each run of equal values in a sorted array."""
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]) \
        if len(sorted_keys) else np.zeros(0, dtype=np.int64)


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a sort, much faster here than ``np.unique``'s hashing)."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def _scores_by_row(left: np.ndarray, rows: np.ndarray, index: RecipientIndex,
                   settings: MatchSettings, max_distance: int) -> np.ndarray:
    """Name similarity of ``left[i]`` with recipient ``rows[i]`` (strings fetched once a row)."""
    distinct = _distinct(rows)
    right = index.column("name_norm", distinct, missing="")[np.searchsorted(distinct, rows)]
    return name_similarity(left, right, settings.edit_cost, max_distance)


def _identifier_stage(chunk: _Chunk, index: RecipientIndex, settings: MatchSettings,
                      outcome: _Outcome, kind: str) -> None:
    """Accept name-checked identifier hits of open awards; flag the conflicting ones."""
    values = chunk.uei if kind == "uei" else chunk.duns
    positions, rows = index.uei_pairs(values) if kind == "uei" else index.duns_pairs(values)
    keep = outcome.open()[positions]
    positions, rows = positions[keep], rows[keep]
    if len(positions) == 0:
        return
    # Counted up to the distance that scores 0, so a conflict's reason shows its true similarity.
    max_distance = int(100.0 // settings.edit_cost) + 1
    sim = _scores_by_row(chunk.names(positions), rows, index, settings, max_distance)
    has_uei = index.uei_key[rows] != 0
    shared = np.bincount(positions, minlength=len(chunk))[positions]
    order = np.lexsort((rows, ~has_uei, -sim, positions))
    first = order[_group_starts(positions[order])]
    positions, rows, sim, shared = positions[first], rows[first], sim[first], shared[first]
    unnamed = chunk.name_norm.isna().to_numpy()[positions]
    ok = (sim >= settings.id_name_min) | unnamed
    best = index.rows_frame(rows).assign(sim=sim, shared=shared)
    outcome.method[positions[ok]] = f"{kind}_exact"
    outcome.row[positions[ok]] = rows[ok]
    outcome.score[positions[ok]] = 100.0
    outcome.reason[positions[ok]] = explain.identifier_match(kind, best[ok], unnamed[ok])
    outcome.note[positions[~ok]] += explain.identifier_conflict(kind, best[~ok])


@dataclass(frozen=True)
class _Candidates:
    """Scored candidate pairs, sorted by award, then best first (total, UEI, row)."""

    position: np.ndarray
    row: np.ndarray
    sim: np.ndarray
    suffix_points: np.ndarray
    state_points: np.ndarray
    id_points: np.ndarray
    total: np.ndarray

    def take(self, which: np.ndarray) -> _Candidates:
        return _Candidates(*(getattr(self, f)[which] for f in self.__dataclass_fields__))


def _expand_to_awards(codes: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For pairs of distinct names (``owners``), the award positions carrying each name.

    Returns the award position of every (award, pair) combination and the pair it came from.
    """
    by_code = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=int(owners.max(initial=-1)) + 1)
    starts = np.cumsum(counts) - counts
    repeat = counts[owners]
    pair = np.repeat(np.arange(len(owners)), repeat)
    within = np.arange(len(pair)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    return by_code[starts[owners][pair] + within], pair


def _candidates(chunk: _Chunk, positions: np.ndarray, index: RecipientIndex,
                settings: MatchSettings, blocked: bool) -> _Candidates:
    """Every candidate of the awards at ``positions``, scored and sorted best first."""
    codes, names = pd.factorize(chunk.name_norm.iloc[positions])
    names = pd.Series(names, dtype="string")
    keys = NameKeys.of(names, index.affix_chars)
    owners, rows = index.exact_name_pairs(keys)
    if blocked:
        more_owners, more_rows = index.blocked_pairs(keys, settings)
        owners, rows = distinct_pairs(np.r_[owners, more_owners], np.r_[rows, more_rows])
    gap = np.abs(text_lengths(names)[owners] - index.name_length[rows])
    near = gap <= settings.max_useful_distance
    owners, rows = owners[near], rows[near]
    sim = _scores_by_row(names.to_numpy(dtype=object)[owners], rows, index, settings,
                         settings.max_useful_distance)
    useful = sim >= settings.min_useful_similarity
    owners, rows, sim = owners[useful], rows[useful], sim[useful]
    award_at, pair = _expand_to_awards(codes, owners)
    position, row = positions[award_at], rows[pair]
    suffix_points = agreement_points(chunk.suffix[position], index.suffix_codes(row), -1,
                                     settings.suffix_agree, settings.suffix_conflict,
                                     missing_agrees=True)
    state_points = agreement_points(chunk.state[position], index.state_code[row],
                                    MISSING_STATE, settings.state_agree, settings.state_conflict)
    id_points = -settings.id_conflict * (
        _differ(chunk.uei_key[position], index.uei_key[row])
        | _differ(chunk.duns_key[position], index.duns_key[row]))
    total = sim[pair] + suffix_points + state_points + id_points
    order = np.lexsort((row, index.uei_key[row] == 0, -total, position))
    return _Candidates(position[order], row[order], sim[pair][order], suffix_points[order],
                       state_points[order], id_points[order], total[order])


def _differ(award: np.ndarray, recipient: np.ndarray) -> np.ndarray:
    """Both identifier keys known (non-zero) and different."""
    return (award != 0) & (recipient != 0) & (award != recipient)


def _same_or_missing(left: np.ndarray, right: np.ndarray, missing: int = 0) -> np.ndarray:
    return (left == right) | (left == missing) | (right == missing)


def _decide(found: _Candidates, index: RecipientIndex, settings: MatchSettings) -> pd.DataFrame:
    """Best candidate per award, its strongest rival from another firm, and the decision.

    Another firm is a candidate that shares no identifier with the best and differs from it in
    name, in known legal form or in known identifier (a firm's old rows often lack the legal
    form or an identifier). When another firm carries the very same name, the name cannot
    vouch for the best, so a best candidate in another state is not accepted either.
    """
    starts = _group_starts(found.position)
    sizes = np.diff(np.r_[starts, len(found.position)])
    best = np.repeat(starts, sizes)
    row, best_row = found.row, found.row[best]
    duns, uei, compact = index.duns_key, index.uei_key, index.compact_key
    same_id = ((duns[row] == duns[best_row]) & (duns[row] != 0)) | (
        (uei[row] == uei[best_row]) & (uei[row] != 0))
    same_name = compact[row] == compact[best_row]
    suffix, best_suffix = index.suffix_codes(row), index.suffix_codes(best_row)
    same_firm = (same_name & _same_or_missing(suffix, best_suffix, missing=-1)
                 & _same_or_missing(duns[row], duns[best_row])
                 & _same_or_missing(uei[row], uei[best_row]))
    other = ~(same_id | same_firm)
    rival = np.maximum.reduceat(np.where(other, found.total, -np.inf), starts) \
        if len(starts) else np.zeros(0)
    namesake = np.maximum.reduceat((other & same_name).astype(np.int8), starts) > 0 \
        if len(starts) else np.zeros(0, dtype=bool)
    decided = pd.DataFrame({
        "position": found.position[starts], "row": found.row[starts], "sim": found.sim[starts],
        "suffix_points": found.suffix_points[starts], "state_points": found.state_points[starts],
        "id_points": found.id_points[starts],
        "total": found.total[starts], "rival_total": np.where(np.isinf(rival), np.nan, rival),
        "namesake": namesake,
    })
    margin = (decided["total"] - decided["rival_total"]).fillna(np.inf)
    clear = (margin >= settings.min_margin) & ~(decided["namesake"]
                                                & (decided["state_points"] < 0))
    decided["status"] = np.where((decided["total"] >= settings.accept_score) & clear, ACCEPT,
                                 np.where(decided["total"] >= settings.review_score, REVIEW, NONE))
    return decided


def _name_stage(chunk: _Chunk, index: RecipientIndex, settings: MatchSettings,
                outcome: _Outcome, blocked: bool) -> tuple[pd.DataFrame, _Candidates]:
    """Accept clear name matches of open, named awards; return decisions and candidates."""
    positions = np.flatnonzero(outcome.open() & chunk.name_norm.notna().to_numpy())
    found = _candidates(chunk, positions, index, settings, blocked)
    decided = _decide(found, index, settings)
    accepted = decided[decided["status"] == ACCEPT]
    at = accepted["position"].to_numpy()
    outcome.method[at] = "name_fuzzy"
    outcome.row[at] = accepted["row"].to_numpy()
    outcome.score[at] = np.minimum(accepted["total"].to_numpy(), 100.0)
    outcome.reason[at] = explain.name_match(
        accepted.assign(name_norm=index.column("name_norm", accepted["row"].to_numpy())),
        chunk.name_norm.iloc[at])
    return decided, found


def _review_band(chunk: _Chunk, decided: pd.DataFrame, found: _Candidates, *,
                 index: RecipientIndex, outcome: _Outcome, settings: MatchSettings
                 ) -> pd.DataFrame:
    """Mark review-band awards, explain the unmatched, and lay out their top candidates wide."""
    still_open = outcome.open()
    undecided = decided[still_open[decided["position"].to_numpy()]]
    at = undecided["position"].to_numpy()
    outcome.score[at] = np.minimum(undecided["total"].to_numpy(), 100.0)
    outcome.in_review[at[undecided["status"].to_numpy() != NONE]] = True
    outcome.reason[at] = explain.no_match(
        undecided.assign(name=index.column("name", undecided["row"].to_numpy())), settings)
    named = chunk.name_norm.notna().to_numpy()
    unexplained = still_open & (outcome.reason == "")
    outcome.reason[unexplained & named] = (
        "unmatched: no recipient name comes within reach of the review band")
    outcome.reason[unexplained & ~named] = "unmatched: no company name and no usable identifier"

    top = found.take(outcome.in_review[found.position])
    starts = _group_starts(top.position)
    rank = np.arange(len(top.position)) - np.repeat(starts, np.diff(np.r_[starts,
                                                                           len(top.position)]))
    wide = {}
    for r in range(1, settings.review_top_k + 1):
        chosen = top.take(rank == r - 1)
        fields = index.rows_frame(chosen.row)
        for field in REVIEW_FIELDS:
            values = pd.Series(np.nan if field == "score" else None, index=range(len(chunk)),
                               dtype="float64" if field == "score" else "str")
            values.iloc[chosen.position] = (np.minimum(chosen.total, 100.0) if field == "score"
                                            else fields[field].to_numpy(dtype=object))
            wide[f"candidate_{r}_{field}"] = values
    return pd.DataFrame(wide)


def link_awards(awards: pd.DataFrame, index: RecipientIndex,
                settings: MatchSettings) -> pd.DataFrame:
    """The awards with the match columns and the review candidates (``review_columns``) added.

    Args:
        awards: Ingested awards (at least ``company``, ``state``, ``uei``, ``duns``).
        index: The recipient index.
        settings: Thresholds and weights.

    Returns:
        ``awards`` (same rows, same order) plus ``MATCH_COLUMNS`` and ``review_columns``.
    """
    chunk = _Chunk.of(awards, index)
    outcome = _Outcome.empty(len(chunk))
    _identifier_stage(chunk, index, settings, outcome, "uei")
    _identifier_stage(chunk, index, settings, outcome, "duns")
    _name_stage(chunk, index, settings, outcome, blocked=False)
    decided, found = _name_stage(chunk, index, settings, outcome, blocked=True)
    wide = _review_band(chunk, decided, found, index=index, outcome=outcome, settings=settings)
    matched = outcome.row >= 0
    recipient = index.rows_frame(outcome.row[matched])
    match = pd.DataFrame({"match_method": pd.Series(outcome.method, dtype="str"),
                          "match_score": outcome.score})
    for column, source in _OUTPUT_FIELDS.items():
        values = pd.Series(None, index=match.index, dtype="str")
        values.iloc[np.flatnonzero(matched)] = recipient[source].to_numpy(dtype=object)
        match[column] = values
    match["match_reason"] = pd.Series(outcome.note + outcome.reason, dtype="str")
    match["in_review_band"] = outcome.in_review
    out = pd.concat([match, wide], axis=1)
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
