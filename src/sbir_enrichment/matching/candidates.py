"""Candidate pairs of a batch of awards, with every comparison level filled in.

Candidates come from the identifiers (every recipient with the award's UEI or DUNS) and from
the name keys of ``RecipientIndex.name_pairs``. Name pairs whose names compare at level
``else`` are dropped at once (they carry no evidence, and there are many); identifier pairs are
kept whatever their names, so the model can judge them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from sbir_enrichment.matching.blocking import distinct_pairs
from sbir_enrichment.matching.comparisons import (
    COMPARISONS,
    NAME_ELSE,
    NameBatch,
    compare_duns,
    compare_legal_forms,
    compare_names,
    compare_states,
    compare_uei,
    spelled_alike,
)
from sbir_enrichment.matching.hashing import string_keys
from sbir_enrichment.matching.index import RecipientIndex, column_values, duns_keys
from sbir_enrichment.matching.names import legal_form_codes, normalise_name
from sbir_enrichment.matching.settings import MatchSettings

_ROW_BITS = np.uint64(32)
_STRINGS = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype()}
AWARD_COLUMNS: tuple[str, ...] = ("company", "state", "uei", "duns")
"""The award columns the linkage reads."""


@dataclass(frozen=True)
class AwardBatch:
    """What the linkage reads of each award, by position 0..n-1."""

    name_code: np.ndarray
    """Position of the award's normalised name in ``names`` (-1: no name)."""
    names: NameBatch
    legal_form: np.ndarray
    state: np.ndarray
    uei: pd.Series
    duns: pd.Series
    uei_key: np.ndarray
    duns_key: np.ndarray

    @classmethod
    def of(cls, awards: pd.DataFrame, index: RecipientIndex) -> AwardBatch:
        """The batch of ``awards`` (``AWARD_COLUMNS``)."""
        company = awards["company"].reset_index(drop=True)
        uei = awards["uei"].reset_index(drop=True).astype("string")
        duns = awards["duns"].reset_index(drop=True).astype("string")
        codes, names = pd.factorize(normalise_name(company))
        return cls(
            name_code=codes.astype(np.int64),
            names=NameBatch.of(pd.Series(names, dtype="string"), index.name_ends),
            legal_form=legal_form_codes(company),
            state=index.state_codes(awards["state"].reset_index(drop=True)),
            uei=uei, duns=duns, uei_key=string_keys(uei), duns_key=duns_keys(duns),
        )

    def __len__(self) -> int:
        return len(self.name_code)

    def take(self, positions: np.ndarray) -> AwardBatch:
        """The awards at ``positions`` (their names keep their codes)."""
        return AwardBatch(self.name_code[positions], self.names, self.legal_form[positions],
                          self.state[positions], self.uei.iloc[positions].reset_index(drop=True),
                          self.duns.iloc[positions].reset_index(drop=True),
                          self.uei_key[positions], self.duns_key[positions])


@dataclass(frozen=True)
class Pairs:
    """Candidate pairs sorted by award then row, with one level per comparison."""

    position: np.ndarray
    row: np.ndarray
    levels: np.ndarray
    """``(pairs, comparisons)`` level codes, columns in ``COMPARISONS`` order (``int8``)."""

    def __len__(self) -> int:
        return len(self.position)

    def take(self, which: np.ndarray) -> Pairs:
        """The pairs at ``which`` (a mask or positions)."""
        return Pairs(self.position[which], self.row[which], self.levels[which])


@dataclass(frozen=True)
class CandidateRows:
    """The recipients of a batch's candidates: what deciding among them and writing the match
    read of each. Positions follow ``rows`` (rows of the whole recipient table, increasing)."""

    rows: np.ndarray
    recipients: pa.Table
    """``RECIPIENT_COLUMNS`` of each."""
    uei_key: np.ndarray
    duns_key: np.ndarray
    compact_key: np.ndarray
    legal_form: np.ndarray

    @classmethod
    def of(cls, index: RecipientIndex, rows: np.ndarray) -> CandidateRows:
        """The recipients at ``rows`` of ``index`` (distinct, increasing)."""
        return cls(index.table_rows(rows), index.recipients.take(pa.array(rows, pa.int64())),
                   index.uei_key[rows], index.duns_key[rows], index.compact_key[rows],
                   index.legal_forms(rows))

    @classmethod
    def concat(cls, parts: list[CandidateRows]) -> CandidateRows:
        """The recipients of several parts, each once, by row."""
        rows = np.concatenate([part.rows for part in parts])
        rows, first = np.unique(rows, return_index=True)
        table = pa.concat_tables([part.recipients for part in parts])
        return cls(rows, table.take(pa.array(first, pa.int64())), *(
            np.concatenate([getattr(part, name) for part in parts])[first]
            for name in ("uei_key", "duns_key", "compact_key", "legal_form")))

    def at(self, rows: np.ndarray) -> np.ndarray:
        """Positions of ``rows`` (rows of the whole table, each one of ``self.rows``)."""
        return np.searchsorted(self.rows, rows)

    def column(self, name: str, rows: np.ndarray, missing: str | None = None) -> np.ndarray:
        """One recipient column at ``rows`` as an object array (missing values → ``missing``)."""
        return column_values(self.recipients, name, self.at(rows), missing)

    def rows_frame(self, rows: np.ndarray) -> pd.DataFrame:
        """The recipient columns of ``rows`` (in that order) as a frame."""
        table = self.recipients.take(pa.array(self.at(rows), pa.int64()))
        return table.to_pandas(types_mapper=_STRINGS.get)


@dataclass(frozen=True)
class Candidates:
    """Every candidate pair of a batch of awards, and all a decision among them reads."""

    pairs: Pairs
    """Sorted by award then row; rows are rows of the whole recipient table."""
    recipients: CandidateRows
    award_names: np.ndarray
    """Normalised name of each award (``None``: it has none)."""
    recipient_count: int
    """Recipients in the whole table."""

    @classmethod
    def merge(cls, parts: list[Candidates]) -> Candidates:
        """The candidates of one batch found in several partitions of the recipient table.

        Each pair is kept once (a pair is compared alike wherever it is found).
        """
        first = parts[0]
        if len(parts) == 1:
            return first
        if any(part.recipient_count != first.recipient_count
               or not np.array_equal(part.award_names, first.award_names) for part in parts):
            raise ValueError("candidates of different awards or recipient tables")
        packed = np.concatenate([_packed(part.pairs.position, part.pairs.row)
                                 for part in parts])
        packed, at = np.unique(packed, return_index=True)
        levels = np.concatenate([part.pairs.levels for part in parts])[at]
        pairs = Pairs((packed >> _ROW_BITS).astype(np.int64),
                      (packed & np.uint64(0xFFFFFFFF)).astype(np.int64), levels)
        return cls(pairs, CandidateRows.concat([part.recipients for part in parts]),
                   first.award_names, first.recipient_count)


def find_candidates(awards: pd.DataFrame, index: RecipientIndex,
                    settings: MatchSettings) -> Candidates:
    """The candidates of ``awards`` (``AWARD_COLUMNS``) in ``index``, compared."""
    batch = AwardBatch.of(awards, index)
    pairs = candidate_pairs(batch, index, settings)
    rows, local = np.unique(pairs.row, return_inverse=True)
    found = CandidateRows.of(index, rows)
    names = batch.names.names.to_numpy(dtype=object, na_value=None)
    award_names = np.where(batch.name_code >= 0, names[np.maximum(batch.name_code, 0)]
                           if len(names) else None, None)
    return Candidates(Pairs(pairs.position, found.rows[local], pairs.levels), found,
                      award_names, index.recipient_count)


def _expand(codes: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For pairs of distinct names (``owners``), the awards carrying each name.

    Returns the award position of every (award, pair) combination and the pair it came from.
    """
    named = np.flatnonzero(codes >= 0)
    by_code = named[np.argsort(codes[named], kind="stable")]
    counts = np.bincount(codes[named], minlength=int(owners.max(initial=-1)) + 1)
    starts = np.cumsum(counts) - counts
    repeat = counts[owners]
    pair = np.repeat(np.arange(len(owners)), repeat)
    within = np.arange(len(pair)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    return by_code[starts[owners][pair] + within], pair


def _packed(position: np.ndarray, row: np.ndarray) -> np.ndarray:
    return (position.astype(np.uint64) << _ROW_BITS) | row.astype(np.uint64)


def compare_pairs(batch: AwardBatch, position: np.ndarray, row: np.ndarray,
                  index: RecipientIndex, name_level: np.ndarray) -> Pairs:
    """Fill in the other comparisons of pairs whose name comparison is known."""
    levels = np.empty((len(position), len(COMPARISONS)), dtype=np.int8)
    levels[:, 0] = name_level
    levels[:, 1] = compare_legal_forms(batch.legal_form[position], index.legal_forms(row))
    levels[:, 2] = compare_states(batch.state[position], index.state_code[row])
    levels[:, 3] = compare_uei(batch.uei_key[position], index.uei_key[row],
                               index.parent_uei_key[row])
    levels[:, 4] = compare_duns(batch.duns_key[position], index.duns_key[row])
    order = np.lexsort((row, position))
    return Pairs(position[order], row[order], levels[order])


def candidate_pairs(batch: AwardBatch, index: RecipientIndex, settings: MatchSettings) -> Pairs:
    """Every candidate of every award in ``batch``, compared (sorted by award, then row)."""
    (codes, rows), (spelt_codes, spelt_rows) = index.name_pairs(batch.names.keys, settings)
    alike = spelled_alike(batch.names, spelt_codes, spelt_rows, index, settings)
    codes, rows = distinct_pairs(np.r_[codes, spelt_codes[alike]], np.r_[rows, spelt_rows[alike]])
    name_level = compare_names(batch.names, codes, rows, index, settings)
    useful = name_level != NAME_ELSE
    codes, rows, name_level = codes[useful], rows[useful], name_level[useful]
    position, pair = _expand(batch.name_code, codes)
    row, name_level = rows[pair], name_level[pair]

    id_position, id_row = (np.concatenate(parts) for parts in zip(
        index.uei_pairs(batch.uei), index.duns_pairs(batch.duns), strict=True))
    known = np.sort(_packed(position, row))
    id_packed = np.unique(_packed(id_position, id_row))
    at = np.minimum(np.searchsorted(known, id_packed), max(len(known) - 1, 0))
    new = id_packed[(known[at] != id_packed) if len(known) else slice(None)]
    id_position = (new >> _ROW_BITS).astype(np.int64)
    id_row = (new & np.uint64(0xFFFFFFFF)).astype(np.int64)
    id_codes = batch.name_code[id_position]
    id_level = np.full(len(id_position), NAME_ELSE, dtype=np.int8)
    named = id_codes >= 0
    if named.any():
        id_level[named] = compare_names(batch.names, id_codes[named], id_row[named], index,
                                        settings)
    return compare_pairs(batch, np.r_[position, id_position], np.r_[row, id_row], index,
                         np.r_[name_level, id_level])
