"""Comparison features of candidate pairs: each pair gets one level per comparison.

Five comparisons, each with ordered levels (the first that holds is the pair's level):

- ``name`` of the normalised names: ``exact`` (same space-free name), ``near`` (one typo apart,
  or length-relative similarity ≥ ``near_similarity``; both names long), ``contains_most`` (one
  name's words all in the other, and those words carry at least ``cover_share`` of the other's
  information),
  ``near_short`` (near, but a short name: one letter off means little there), ``overlap_most``
  (shared words carry ``cover_share`` of both names' information), ``contains_some``,
  ``fuzzy`` (similarity ≥ ``fuzzy_similarity``), ``overlap_some`` (some word shared; only a
  common word shared is ``else``),
  ``initials`` (one name is the other's acronym), ``else``.
  A word's information is ``log2(N / recipients carrying it)``: sharing ``FORTINET`` says much,
  sharing ``TECH`` little. The exact and word levels come in three rarity bands of what was
  shared (the whole name, or the rarest shared word): ``_rare`` (carried by at most
  ``rare_count`` recipients), ``_uncommon`` (at most ``common_count``) and ``_common``, so the
  model learns from the data how much a rare shared value is worth (term-frequency evidence,
  estimated per band rather than by formula).
- ``legal_form``: ``same`` form, ``same_type`` (INC and CORPORATION are both corporations),
  ``differ`` (INC and LLC), ``one_missing``, ``both_missing``.
- ``state``: ``same``, ``differ``, ``missing``.
- ``uei``: ``same``, ``parent`` (the award's UEI is the recipient's parent), ``differ``,
  ``missing``; ``duns``: ``same``, ``differ``, ``missing``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel

from sbir_enrichment.matching.blocking import NameKeys
from sbir_enrichment.matching.index import (
    MISSING_STATE,
    RecipientIndex,
    text_lengths,
    word_bits,
)
from sbir_enrichment.matching.names import NO_FORM, legal_form_types
from sbir_enrichment.matching.settings import MatchSettings

_BANDED = ("exact", "near", "contains_most", "overlap_most", "contains_some", "overlap_some")
_BANDS = ("rare", "uncommon", "common")
_NAME_BASES = ("exact", "near", "contains_most", "near_short", "overlap_most", "contains_some",
               "fuzzy", "overlap_some", "initials", "else")
_NO_EVIDENCE = {("overlap_some", "common")}  # sharing only a common word says nothing: ``else``
COMPARISONS: dict[str, tuple[str, ...]] = {
    "name": tuple(f"{base}_{band}" if base in _BANDED else base
                  for base in _NAME_BASES for band in (_BANDS if base in _BANDED else ("",))
                  if (base, band) not in _NO_EVIDENCE),
    "legal_form": ("same", "same_type", "differ", "one_missing", "both_missing"),
    "state": ("same", "differ", "missing"),
    "uei": ("same", "parent", "differ", "missing"),
    "duns": ("same", "differ", "missing"),
}
NAME_ELSE = COMPARISONS["name"].index("else")
_ROW_BITS = np.uint64(32)
# (base level, band) → name level; non-banded bases take the same level in every band.
_NAME_LEVEL = np.array([[COMPARISONS["name"].index(
    "else" if (base, band) in _NO_EVIDENCE else f"{base}_{band}" if base in _BANDED else base)
    for band in _BANDS] for base in _NAME_BASES], dtype=np.int8)


def level(comparison: str, name: str) -> int:
    """Position of level ``name`` in ``comparison``."""
    return COMPARISONS[comparison].index(name)


@dataclass(frozen=True)
class NameBatch:
    """Distinct normalised award names and their keys (position = name code)."""

    names: pd.Series
    keys: NameKeys

    @classmethod
    def of(cls, names: pd.Series, name_ends: tuple[tuple[int, int], ...]) -> NameBatch:
        """Keys of the distinct normalised names ``names``."""
        names = names.reset_index(drop=True).astype("string")
        return cls(names, NameKeys.of(names, name_ends))


def _distinct_sorted(packed: np.ndarray) -> np.ndarray:
    """The distinct values of ``packed``, sorted."""
    packed = np.sort(packed)
    return packed[np.r_[True, packed[1:] != packed[:-1]]] if len(packed) else packed


def _words_of(keys: NameKeys, n_names: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct words of each name, grouped by name: ``(owner << 32 | word, word, start)``."""
    packed = _distinct_sorted(
        (keys.word_owner.astype(np.uint64) << _ROW_BITS) | keys.word.astype(np.uint64))
    owner = (packed >> _ROW_BITS).astype(np.int64)
    starts = np.searchsorted(owner, np.arange(n_names + 1))
    return packed, (packed & np.uint64(0xFFFFFFFF)).astype(np.uint32), starts


def _similarity(left: np.ndarray, right: np.ndarray, cutoff: float) -> np.ndarray:
    """Length-relative Indel similarity (0–1) of each pair; below ``cutoff`` → 0."""
    if len(left) == 0:
        return np.zeros(0)
    return process.cpdist(left, right, scorer=Indel.normalized_similarity,
                          score_cutoff=cutoff, workers=pa.cpu_count(), dtype=np.float64)


def _one_typo(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Whether each pair is one typo apart: a letter changed, dropped, added or two swapped."""
    if len(left) == 0:
        return np.zeros(0, dtype=bool)
    return process.cpdist(left, right, scorer=OSA.distance, score_cutoff=1, workers=pa.cpu_count(),
                          dtype=np.int32) <= 1


def spelled_alike(batch: NameBatch, codes: np.ndarray, rows: np.ndarray, index: RecipientIndex,
                  settings: MatchSettings) -> np.ndarray:
    """Which pairs are spelt alike: one typo apart, or similar enough to be ``fuzzy``.

    The lengths are checked first: two names whose lengths differ too much cannot be similar.
    """
    left_length = text_lengths(batch.names)[codes]
    right_length = index.name_length[rows]
    reach = 2 * np.minimum(left_length, right_length) >= settings.fuzzy_similarity * (
        left_length + right_length)
    reach |= np.abs(left_length - right_length) <= 1
    at = np.flatnonzero(reach)
    distinct, local = np.unique(rows[at], return_inverse=True)
    left = batch.names.to_numpy(dtype=object, na_value="")[codes[at]]
    right = index.column("name_norm", distinct, missing="")[local]
    similar = _similarity(left, right, settings.fuzzy_similarity) >= settings.fuzzy_similarity
    # One typo changes the length by one at most: only those pairs are checked for it.
    typo = np.flatnonzero(~similar & (np.abs(left_length - right_length)[at] <= 1))
    similar[typo] = _one_typo(left[typo], right[typo])
    alike = np.zeros(len(codes), dtype=bool)
    alike[at] = similar
    return alike


def compare_names(batch: NameBatch, codes: np.ndarray, rows: np.ndarray, index: RecipientIndex,
                  settings: MatchSettings) -> np.ndarray:
    """Name level of each pair ``(batch name codes[i], recipient rows[i])``."""
    n_pairs = len(codes)
    local, distinct_rows = pd.factorize(rows)
    right_names = index.column("name_norm", distinct_rows, missing="")
    right_keys = NameKeys.of(pd.Series(right_names, dtype="string"), name_ends=())

    # Words: which of each award name's words the recipient carries, and their information.
    a_packed, a_word, a_start = _words_of(batch.keys, len(batch.names))
    right_set, _, r_start = _words_of(right_keys, len(distinct_rows))
    a_counts = index.word_counts(a_word)
    a_bits = word_bits(a_counts, index.recipient_count)
    a_total = np.bincount((a_packed >> _ROW_BITS).astype(np.int64), weights=a_bits,
                          minlength=len(batch.names))
    r_total = index.name_bits[distinct_rows].astype(np.float64)
    a_count = np.diff(a_start)
    r_count = np.diff(r_start)
    per_pair = a_count[codes]
    pair_of = np.repeat(np.arange(n_pairs), per_pair)
    within = np.arange(len(pair_of)) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    word_at = a_start[codes][pair_of] + within
    query = (local[pair_of].astype(np.uint64) << _ROW_BITS) | a_word[word_at].astype(np.uint64)
    found_at = np.minimum(np.searchsorted(right_set, query), max(len(right_set) - 1, 0))
    found = (right_set[found_at] == query) if len(right_set) else np.zeros(len(query), bool)
    shared_bits = np.bincount(pair_of, weights=np.where(found, a_bits[word_at], 0.0),
                              minlength=n_pairs)
    shared_count = np.bincount(pair_of, weights=found.astype(np.float64), minlength=n_pairs)
    rarest = np.full(n_pairs, np.iinfo(np.int64).max)
    has_words = np.flatnonzero(per_pair > 0)
    if len(has_words):
        first_word = (np.cumsum(per_pair) - per_pair)[has_words]
        shared_counts = np.where(found, a_counts[word_at], np.iinfo(np.int64).max)
        rarest[has_words] = np.minimum.reduceat(shared_counts, first_word)
    a_cover = shared_bits / np.maximum(a_total[codes], 1e-9)
    r_cover = shared_bits / np.maximum(r_total[local], 1e-9)
    contains = (shared_count > 0) & ((shared_count == a_count[codes])
                                     | (shared_count == r_count[local]))
    most = np.minimum(a_cover, r_cover) >= settings.cover_share

    # Whole names: exact, similar, acronyms.
    exact = batch.keys.compact[codes] == index.compact_key[rows]
    exact_count = index.compact_sizes(batch.keys.compact)[codes]
    left = batch.names.to_numpy(dtype=object, na_value="")[codes]
    similarity = _similarity(left, right_names[local], settings.fuzzy_similarity)
    shorter = np.minimum(text_lengths(batch.names)[codes], index.name_length[rows])
    near = (similarity >= settings.near_similarity) | _one_typo(left, right_names[local])
    award_initials = (batch.keys.initials[codes] != 0) & (
        batch.keys.initials[codes] == index.compact_key[rows])
    recipient_initials = (right_keys.initials[local] != 0) & (
        right_keys.initials[local] == batch.keys.compact[codes])

    conditions = [
        exact, near & (shorter >= settings.short_name_chars), contains & most, near,
        most & (shared_count > 0), contains, similarity >= settings.fuzzy_similarity,
        shared_count > 0, award_initials | recipient_initials,
    ]
    base = np.select(conditions, np.arange(len(conditions)), len(conditions))
    shared = np.where(exact, exact_count, rarest)
    band = (shared > settings.rare_count).astype(np.int8) + (shared > settings.common_count)
    return _NAME_LEVEL[base, band]


def _coded(award: np.ndarray, recipient: np.ndarray, missing: int) -> np.ndarray:
    """``same`` (0), ``differ`` (1) or ``missing`` (2) of two coded values."""
    known = (award != missing) & (recipient != missing)
    return np.where(known, np.where(award == recipient, 0, 1), 2).astype(np.int8)


def compare_legal_forms(award: np.ndarray, recipient: np.ndarray) -> np.ndarray:
    """``legal_form`` level of each pair of legal-form codes."""
    award_known, recipient_known = award != NO_FORM, recipient != NO_FORM
    same_type = legal_form_types(award) == legal_form_types(recipient)
    return np.select(
        [award_known & recipient_known & (award == recipient),
         award_known & recipient_known & same_type,
         award_known & recipient_known,
         award_known | recipient_known],
        [0, 1, 2, 3], 4).astype(np.int8)


def compare_states(award: np.ndarray, recipient: np.ndarray) -> np.ndarray:
    """``state`` level of each pair of state codes."""
    return _coded(award, recipient, MISSING_STATE)


def compare_uei(award: np.ndarray, recipient: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """``uei`` level of each pair of UEI keys (0 = missing), with the recipient's parent UEI."""
    coded = _coded(award, recipient, 0)
    is_parent = (award != 0) & (award == parent) & (coded != 0)
    return np.where(is_parent, 1, np.where(coded == 0, 0, coded + 1)).astype(np.int8)


def compare_duns(award: np.ndarray, recipient: np.ndarray) -> np.ndarray:
    """``duns`` level of each pair of DUNS keys (0 = missing)."""
    return _coded(award, recipient, 0)
