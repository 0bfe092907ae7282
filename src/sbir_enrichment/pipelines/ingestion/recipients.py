"""Normalise chunks of USAspending ``recipient_lookup`` rows into recipient-index rows.

A chunk becomes the index columns (``schemas.RecipientIndex``) plus ``reject_field`` and
``reject_reason`` (null for usable rows) and, for rejected rows only, the raw ``uei_raw`` and
``duns_raw``, so one pass over the source serves both the index and the rejects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa

from sbir_enrichment.matching.identifiers import normalise_duns, normalise_uei
from sbir_enrichment.matching.names import normalise_name
from sbir_enrichment.memory.sub_batches import SubBatches
from sbir_enrichment.schemas import STATE_PATTERN, RecipientIndex, RecipientsRejected

SOURCE_COLUMNS = ("recipient_hash", "legal_business_name", "uei", "duns", "parent_uei", "state")
INDEX_COLUMNS = tuple(RecipientIndex.to_schema().columns)
REJECTED_COLUMNS = tuple(RecipientsRejected.to_schema().columns)

NO_HASH = "blank: a recipient without its key cannot be linked to"
NO_KEY = "no usable name and no valid UEI or DUNS to match on"
DUPLICATE = "duplicate: source_row {row} has the same recipient_hash and is kept"

SourceChunks = Iterator[tuple[str, int, pd.DataFrame]]
"""``(partition id, first source_row, chunk)`` of each source chunk."""
Partitions = Iterator[tuple[str, pd.DataFrame]]
"""``(partition id, frame)`` pairs, saved one at a time by a partitioned dataset."""


def _text(values: pd.Series) -> pd.Series:
    """Source values as trimmed text; blanks become null (numbers become their digits)."""
    text = values.astype("string").str.strip()
    return text.mask(text == "").astype("str")


def normalise_recipients(chunk: pd.DataFrame, first_row: int) -> pd.DataFrame:
    """Index columns of one source chunk, with reject columns; ``first_row`` numbers its rows.

    Raises:
        ValueError: When the chunk lacks a source column the index needs.
    """
    missing = [c for c in SOURCE_COLUMNS if c not in chunk.columns]
    if missing:
        raise ValueError(f"recipient source lacks column(s) {missing}; it has {list(chunk)}")
    chunk = chunk.reset_index(drop=True)
    text = {column: _text(chunk[column]) for column in SOURCE_COLUMNS}
    state = text["state"].str.upper()
    frame = pd.DataFrame({
        "recipient_hash": text["recipient_hash"],
        "uei": normalise_uei(text["uei"]).astype("str"),
        "duns": normalise_duns(text["duns"]).astype("str"),
        "parent_uei": normalise_uei(text["parent_uei"]).astype("str"),
        "name": text["legal_business_name"],
        "name_norm": normalise_name(text["legal_business_name"]).astype("str"),
        "state": state.where(state.str.fullmatch(STATE_PATTERN).fillna(False).astype(bool)),
        "source_row": np.arange(first_row, first_row + len(chunk), dtype="int64"),
    })
    no_hash = frame["recipient_hash"].isna()
    no_key = frame[["name_norm", "uei", "duns"]].isna().all(axis=1)
    field = np.select([no_hash, no_key], ["recipient_hash", "legal_business_name"], "")
    reason = np.select([no_hash, no_key], [NO_HASH, NO_KEY], "")
    rejected = no_hash | no_key
    frame["reject_field"] = pd.Series(field, dtype="str").where(rejected.to_numpy())
    frame["reject_reason"] = pd.Series(reason, dtype="str").where(rejected.to_numpy())
    frame["uei_raw"] = text["uei"].where(rejected)
    frame["duns_raw"] = text["duns"].where(rejected)
    return frame


def no_rejected_rows() -> pd.DataFrame:
    """An empty rejects frame, typed like any other."""
    return pd.DataFrame({
        column: pd.Series(dtype="int64" if column == "source_row" else "str")
        for column in REJECTED_COLUMNS
    })


def index_rows(staged: pd.DataFrame, left_out: np.ndarray) -> pd.DataFrame:
    """The usable rows of a staged chunk, in the index's columns, but the ``left_out`` rows."""
    usable = staged["reject_field"].isna()
    if len(left_out):
        usable &= ~staged["source_row"].isin(left_out)
    return staged.loc[usable, list(INDEX_COLUMNS)].reset_index(drop=True)


def rejected_rows(staged: pd.DataFrame) -> pd.DataFrame:
    """The rejected rows of a staged chunk, with their raw name and identifiers and why."""
    rejected = staged.loc[staged["reject_field"].notna()]
    frame = pd.DataFrame({
        "source_row": rejected["source_row"],
        "recipient_hash": rejected["recipient_hash"],
        "legal_business_name": rejected["name"],
        "uei": rejected["uei_raw"],
        "duns": rejected["duns_raw"],
        "reject_field": rejected["reject_field"],
        "reject_reason": rejected["reject_reason"],
    })
    return frame[list(REJECTED_COLUMNS)].reset_index(drop=True)


_MIX = np.uint64(0x9E3779B97F4A7C15)


def key_hashes(keys: pa.Array) -> np.ndarray:
    """A 64-bit hash of each (non-null) key: equal keys hash equal, unequal ones rarely do.

    Keys of one width (USAspending's recipient_hash is a UUID) are read in place from Arrow's
    buffer, a few vector operations for millions of keys; other keys are hashed by pandas.
    """
    offset_type = np.int64 if pa.types.is_large_string(keys.type) else np.int32
    offsets = np.frombuffer(keys.buffers()[1], dtype=offset_type)[
        keys.offset: keys.offset + len(keys) + 1] if len(keys) else np.zeros(1, offset_type)
    widths = np.diff(offsets)
    width = int(widths[0]) if len(widths) else 0
    if not width or (widths != width).any():
        return pd.util.hash_array(keys.to_numpy(zero_copy_only=False).astype(object))
    words, tail = divmod(width, 8)
    layout = np.dtype({"names": [f"b{i}" for i in range(words + tail)],
                       "formats": ["<u8"] * words + ["u1"] * tail,
                       "offsets": [8 * i for i in range(words)] + [8 * words + i
                                                                    for i in range(tail)],
                       "itemsize": width})
    records = np.ndarray(len(keys), dtype=layout, buffer=keys.buffers()[2],
                         offset=int(offsets[0]))
    hashes = np.full(len(keys), width, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for name in layout.names:
            hashes = (hashes ^ records[name].astype(np.uint64)) * _MIX
            hashes ^= hashes >> np.uint64(29)
    return hashes


class RecipientKeys:
    """Hashes of every usable row's ``recipient_hash``, in source order, to find repeated keys.

    Memory is 16 bytes a row (3.4M rows: 54 MB); one sort of the hashes shows whether any two
    rows may share a key, and only such candidates are compared exactly (``duplicate_rows``).
    """

    def __init__(self) -> None:
        """Start with no rows."""
        self._hashes: list[np.ndarray] = []
        self._rows: list[np.ndarray] = []
        self._partitions: list[str] = []

    def add(self, partition_id: str, staged: pd.DataFrame) -> None:
        """Note the usable rows of one staged partition (partitions come in source order)."""
        usable = staged["reject_field"].isna().to_numpy()
        keys = pa.array(staged["recipient_hash"], from_pandas=True)
        if isinstance(keys, pa.ChunkedArray):  # pandas' Arrow-backed strings
            keys = keys.combine_chunks()
        if keys.null_count:  # a row without a key is rejected: hash only the usable ones
            self._hashes.append(key_hashes(keys.filter(pa.array(usable))))
        else:
            self._hashes.append(key_hashes(keys)[usable])
        self._rows.append(staged["source_row"].to_numpy()[usable])
        self._partitions.append(partition_id)

    def candidates(self) -> dict[str, np.ndarray]:
        """Source rows whose hash another row shares, by partition (empty: no key repeats)."""
        ordered = np.sort(np.concatenate([np.zeros(0, np.uint64), *self._hashes]))
        shared = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
        if not len(shared):
            return {}
        found = {pid: rows[np.isin(hashes, shared)]
                 for pid, hashes, rows in zip(self._partitions, self._hashes, self._rows,
                                              strict=True)}
        return {pid: rows for pid, rows in found.items() if len(rows)}


def duplicate_rows(staged: dict[str, Callable[[], pd.DataFrame]],
                   candidates: dict[str, np.ndarray]) -> pd.DataFrame:
    """Rejected-recipient rows for the candidates that repeat an earlier row's key exactly."""
    if not candidates:
        return no_rejected_rows()
    rows = pd.concat(staged[pid]().set_index("source_row").loc[source_rows]
                     for pid, source_rows in candidates.items())
    repeated = rows["recipient_hash"].duplicated().to_numpy()
    kept = rows.index.to_series().groupby(rows["recipient_hash"].to_numpy()).transform("first")
    duplicates = rows[repeated]
    frame = pd.DataFrame({
        "source_row": duplicates.index.to_numpy(),
        "recipient_hash": duplicates["recipient_hash"].to_numpy(),
        "legal_business_name": duplicates["name"].to_numpy(),
        "uei": duplicates["uei"].to_numpy(),
        "duns": duplicates["duns"].to_numpy(),
        "reject_field": "recipient_hash",
        "reject_reason": [DUPLICATE.format(row=row) for row in kept.to_numpy()[repeated]],
    })
    return frame.astype({c: "str" for c in REJECTED_COLUMNS if c != "source_row"})[
        list(REJECTED_COLUMNS)]


def stage_chunk(batches: SubBatches, partition_id: str, first_row: int,
                chunk: pd.DataFrame) -> pd.DataFrame:
    """One source chunk normalised (its rows numbered from ``first_row``), in ``batches``."""
    staged = batches.apply(chunk, partial(_normalised, first_row=first_row), partition_id)
    return staged.reset_index(drop=True)


def _normalised(part: pd.DataFrame, start: int, first_row: int) -> pd.DataFrame:
    return normalise_recipients(part, first_row + start)
