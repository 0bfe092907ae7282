"""The recipient index: built once per run from the recipient-index frames, searched per chunk.

It keeps the recipient columns the output needs as one Arrow table (no copy per chunk), a few
per-row numpy arrays the scoring reads (name length, legal form, state, identifier and name
keys), and sorted key tables for every lookup: exact UEI, exact DUNS, exact normalised name and
the blocking keys of ``blocking.NameKeys``. A chunk asks with arrays and gets arrays of
``(position, recipient row)`` pairs back; strings are fetched only for the rows it scores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sbir_enrichment.matching.blocking import (
    KeyTable,
    NameKeys,
    distinct_pairs,
    run_ranks,
    run_starts,
)
from sbir_enrichment.matching.hashing import as_large_strings, string_keys
from sbir_enrichment.matching.names import legal_form_codes
from sbir_enrichment.matching.settings import MatchSettings
from sbir_enrichment.matching.storage import ArrayStore

if TYPE_CHECKING:
    from sbir_enrichment.matching.partitions import SharedStatistics

# Recipient-index columns the linkage reads (docs/architecture.md, "Recipient index").
RECIPIENT_COLUMNS: tuple[str, ...] = (
    "recipient_hash", "uei", "duns", "parent_uei", "name", "name_norm", "state",
)
# 32-bit offsets: half the offset memory of large_string for 3 million rows per column.
_SCHEMA = pa.schema([(name, pa.string()) for name in RECIPIENT_COLUMNS])
MISSING_STATE = -1
UNKNOWN_STATE = -2  # an award state no recipient has: known, and equal to none
_NOT_YET = -2  # legal form not read yet (it is read on first use, for candidate rows only)
_STATISTICS_SLICE = 1 << 21
# What a whole table's index is made of besides its recipients (``saved``, ``from_saved``).
_ARRAYS = ("name_length", "uei_key", "duns_key", "parent_uei_key", "state_code", "_word_keys",
           "_word_rows", "name_bits", "compact_key")
_KEY_TABLES = ("uei", "duns", "words", "compact", "head", "initials")


def duns_keys(duns: pd.Series | pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Exact ``uint32`` keys of 9-digit DUNS (the number plus one; missing → 0)."""
    numbers = pc.cast(as_large_strings(duns), pa.int64())
    return (pc.fill_null(numbers, -1).to_numpy(zero_copy_only=False) + 1).astype(np.uint32)


def text_lengths(text: pd.Series | pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Characters of each string (0 for missing), ``int32``."""
    lengths = pc.utf8_length(as_large_strings(text))
    return pc.fill_null(lengths, 0).to_numpy(zero_copy_only=False).astype(np.int32)


def column_values(table: pa.Table, name: str, rows: np.ndarray,
                  missing: str | None = None) -> np.ndarray:
    """One column of ``table`` at ``rows`` as an object array (missing values → ``missing``)."""
    values = table.column(name).take(pa.array(rows, pa.int64()))
    if missing is not None:
        values = pc.fill_null(values, missing)
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=object)


def word_bits(counts: np.ndarray, recipients: int) -> np.ndarray:
    """Information of a word carried by ``counts`` of ``recipients`` (``log2(N / count)``)."""
    return np.log2(max(recipients, 1) / np.maximum(counts, 1)).astype(np.float64)


def _word_statistics(words: KeyTable, recipients: int, shared: SharedStatistics | None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct word keys, how many recipients carry each, and each recipient's name bits.

    ``words.packed`` is sorted by word then row, so a word repeated within a name is adjacent.
    The counts are the ``shared`` ones when given (a partition), else counted here.
    Rows are summed a slice at a time, so the temporaries stay small next to the table itself.
    """
    packed = words.packed
    distinct = np.ones(len(packed), dtype=bool)
    distinct[1:] = packed[1:] != packed[:-1]
    if shared is not None:
        keys, counts, everyone = shared.word_keys, shared.word_rows, shared.recipients
    else:
        word = (packed >> np.uint64(32)).astype(np.uint32)
        first = run_starts(word)
        keys, everyone = word[first], recipients
        del word
        counts = np.add.reduceat(distinct, first, dtype=np.int64) if len(first) else np.zeros(
            0, np.int64)
    bits = word_bits(counts, everyone)
    name_bits = np.zeros(recipients, dtype=np.float64)
    for start in range(0, len(packed), _STATISTICS_SLICE):
        stop = start + _STATISTICS_SLICE
        part = packed[start:stop][distinct[start:stop]]
        weights = bits[np.searchsorted(keys, (part >> np.uint64(32)).astype(np.uint32))]
        rows = (part & np.uint64(0xFFFFFFFF)).astype(np.intp)
        name_bits += np.bincount(rows, weights=weights, minlength=recipients)
    return keys.astype(np.uint32), counts.astype(np.int32), name_bits.astype(np.float32)


def _kept(table: KeyTable, keep: Callable[[np.ndarray], np.ndarray]) -> KeyTable:
    return KeyTable(keep(table.packed))


class RecipientIndex:
    """Recipients and their lookup tables; rows are positions in ``recipients``."""

    def __init__(self, recipients: pa.Table, settings: MatchSettings,
                 store: ArrayStore | None = None, shared: SharedStatistics | None = None,
                 rows: np.ndarray | None = None) -> None:
        """Build every key table over ``recipients`` (columns ``RECIPIENT_COLUMNS``).

        Blocking tables keep only blocks small enough to propose candidates under
        ``settings`` (the word frequencies are kept apart, for every word). Every array that
        lives as long as the index is kept by ``store`` (in memory by default).

        A partition of a larger table (``partitions``) is given the ``shared`` statistics of
        the whole table and the ``rows`` (increasing) its recipients have there; its searches
        then propose and compare pairs exactly as the whole table's index does.
        """
        store = store or ArrayStore()
        keep = store.keep
        self.recipients = recipients
        self.reopen: Callable[[], RecipientIndex] | None = None
        """How another process opens this same index (set by whatever loaded it from files)."""
        self._rows = None if rows is None else keep(np.asarray(rows, dtype=np.int64))
        self.recipient_count = recipients.num_rows if shared is None else shared.recipients
        """Recipients in the whole table."""
        self._shared = shared
        self.mapped_bytes = store.bytes_mapped
        self.name_ends = settings.name_ends  # the award side must use the same keys
        name_norm = recipients.column("name_norm")
        self.name_length = keep(text_lengths(name_norm).astype(np.int16))
        self.uei_key = keep(string_keys(recipients.column("uei")))
        self.duns_key = keep(duns_keys(recipients.column("duns")))
        self.parent_uei_key = keep(string_keys(recipients.column("parent_uei")))
        self._legal_form = np.full(recipients.num_rows, _NOT_YET, dtype=np.int16)
        states = pc.dictionary_encode(recipients.column("state").combine_chunks())
        self.states = pd.Index(states.dictionary.to_pylist(), dtype="object")
        self.state_code = keep(pc.fill_null(states.indices, MISSING_STATE).to_numpy(
            zero_copy_only=False).astype(np.int16))
        del states
        self.uei = _kept(KeyTable.build(self.uei_key), keep)
        self.duns = _kept(KeyTable.build(self.duns_key), keep)
        # Each key array is dropped as soon as its table is built (the peak stays low).
        keys = NameKeys.of(name_norm, self.name_ends)
        pending = {name: getattr(keys, name) for name in NameKeys.__dataclass_fields__}
        ends = list(pending.pop("ends"))
        del keys
        every_word = KeyTable.build(pending.pop("word"), pending.pop("word_owner"))
        word_keys, word_rows, name_bits = _word_statistics(every_word, recipients.num_rows,
                                                           shared)
        self._word_keys, self._word_rows, self.name_bits = (
            keep(word_keys), keep(word_rows), keep(name_bits))
        self.words = _kept(every_word.capped(settings.max_word_block) if shared is None
                           else every_word.without(shared.common_words(settings.max_word_block)),
                           keep)
        del every_word
        self.compact_key = keep(pending.pop("compact"))
        self.compact = _kept(KeyTable.build(self.compact_key), keep)
        affix, acronym = settings.max_affix_block, settings.max_initials_block
        oversized_ends = (None,) * len(ends) if shared is None else shared.oversized_ends
        self.ends = [self._table(ends.pop(0), affix, oversized, keep)
                     for oversized in oversized_ends]
        self.head = self._table(pending.pop("head"), affix,
                                None if shared is None else shared.oversized_head, keep)
        self.initials = self._table(pending.pop("initials"), acronym,
                                    None if shared is None else shared.oversized_initials, keep)
        self.mapped_bytes = store.bytes_mapped
        store.close()

    def saved(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """What ``from_saved`` makes this index again from: its arrays by name (the key
        tables' ``packed``, the ``ends`` ones as ``ends.0``, ``ends.1``…) and plain values.

        Only the index of a whole table: a partition's depends on statistics shared by others.
        """
        if self._shared is not None:
            raise ValueError("only the index of a whole recipient table can be saved")
        arrays = {name: getattr(self, name) for name in _ARRAYS}
        arrays |= {name: getattr(self, name).packed for name in _KEY_TABLES}
        arrays |= {f"ends.{i}": table.packed for i, table in enumerate(self.ends)}
        return arrays, {"states": self.states.tolist(),
                        "name_ends": [list(ends) for ends in self.name_ends]}

    @classmethod
    def from_saved(cls, recipients: pa.Table, arrays: dict[str, np.ndarray],
                   values: dict[str, Any]) -> RecipientIndex:
        """The index ``saved`` gave ``arrays`` and ``values`` of, over its ``recipients``
        (used as they are: mapped arrays stay mapped)."""
        index = cls.__new__(cls)
        index.recipients = recipients
        index.reopen = None
        index._rows, index._shared, index.mapped_bytes = None, None, 0
        index.recipient_count = recipients.num_rows
        index.name_ends = tuple(tuple(ends) for ends in values["name_ends"])
        index.states = pd.Index(values["states"], dtype="object")
        index._legal_form = np.full(recipients.num_rows, _NOT_YET, dtype=np.int16)
        for name in _ARRAYS:
            setattr(index, name, arrays[name])
        for name in _KEY_TABLES:
            setattr(index, name, KeyTable(arrays[name]))
        index.ends = [KeyTable(arrays[f"ends.{i}"]) for i in range(len(index.name_ends))]
        return index

    @staticmethod
    def _table(keys: np.ndarray, max_block: int, oversized: np.ndarray | None,
               keep: Callable[[np.ndarray], np.ndarray]) -> KeyTable:
        """A capped key table, without the ``oversized`` keys of the whole table if given."""
        table = KeyTable.build(keys, max_block=max_block)
        return _kept(table if oversized is None else table.without(oversized), keep)

    @staticmethod
    def table_of(frame: pd.DataFrame) -> pa.Table:
        """The columns of a recipient-index frame the index keeps, as an Arrow table."""
        table = pa.Table.from_pandas(frame[list(RECIPIENT_COLUMNS)], preserve_index=False)
        return table.replace_schema_metadata(None).cast(_SCHEMA)

    @staticmethod
    def recipients_of(tables: Iterable[pa.Table], store: ArrayStore) -> pa.Table:
        """The recipient table of ``table_of`` tables (one per partition), in the order given.

        The tables are read one at a time: each column is appended to one contiguous array
        kept by ``store`` (lookups by row are several times faster on one chunk than on many),
        so at most one table and the columns built so far are held.
        """
        columns = {name: store.strings() for name in RECIPIENT_COLUMNS}
        for table in tables:
            for name, column in columns.items():
                column.append(table.column(name))
            del table
        return pa.table({name: column.finish() for name, column in columns.items()},
                        schema=_SCHEMA)

    @classmethod
    def from_tables(cls, tables: Iterable[pa.Table], settings: MatchSettings,
                    store: ArrayStore | None = None) -> RecipientIndex:
        """Index over ``table_of`` tables (one per partition), rows in the order given."""
        store = store or ArrayStore()
        return cls(cls.recipients_of(tables, store), settings, store)

    @classmethod
    def from_frames(cls, frames: Iterable[pd.DataFrame], settings: MatchSettings,
                    store: ArrayStore | None = None) -> RecipientIndex:
        """Index built from recipient-index frames, rows in the order given."""
        return cls.from_tables((cls.table_of(frame) for frame in frames), settings, store)

    def __len__(self) -> int:
        return self.recipients.num_rows

    def table_rows(self, rows: np.ndarray) -> np.ndarray:
        """The rows of the whole recipient table that ``rows`` of this index are."""
        return rows if self._rows is None else self._rows[rows]

    def column(self, name: str, rows: np.ndarray, missing: str | None = None) -> np.ndarray:
        """One recipient column at ``rows`` as an object array (missing values → ``missing``)."""
        return column_values(self.recipients, name, rows, missing)

    def legal_forms(self, rows: np.ndarray) -> np.ndarray:
        """Legal-form code (``names.legal_form_codes``, -1 none) of each recipient in ``rows``.

        Read from the names on first use and remembered: only candidates ever need it.
        """
        codes = self._legal_form[rows]
        todo = np.unique(rows[codes == _NOT_YET])
        if len(todo):
            self._legal_form[todo] = legal_form_codes(self.recipients.column("name").take(
                pa.array(todo, pa.int64())))
            codes = self._legal_form[rows]
        return codes

    def word_counts(self, word_keys: np.ndarray) -> np.ndarray:
        """How many recipients carry each word (by key; 0 for a word none carries)."""
        if len(self._word_keys) == 0:
            return np.zeros(len(word_keys), dtype=np.int64)
        at = np.minimum(np.searchsorted(self._word_keys, word_keys), len(self._word_keys) - 1)
        return np.where(self._word_keys[at] == word_keys, self._word_rows[at], 0).astype(np.int64)

    def compact_sizes(self, keys: np.ndarray) -> np.ndarray:
        """How many recipients of the whole table carry each space-free name (by key).

        In a partition, exact for every name more than one recipient carries and for the names
        it holds (the only ones whose count is read).
        """
        sizes = self.compact.sizes(keys)
        return sizes if self._shared is None else self._shared.compact_block_sizes(keys, sizes)

    def _word_block_sizes(self, keys: np.ndarray, max_block: int) -> np.ndarray:
        """Occurrences of each word in the whole table's word table (0 above ``max_block``)."""
        if self._shared is None:
            return self.words.sizes(keys)
        return self._shared.word_block_sizes(keys, max_block)

    def state_codes(self, states: pd.Series) -> np.ndarray:
        """Award states coded like the recipients' (missing −1, a state no recipient has −2)."""
        text = states.astype("string").str.strip().str.upper()
        codes = self.states.get_indexer(text.fillna("").to_numpy(dtype=object))
        codes = np.where(codes < 0, UNKNOWN_STATE, codes)
        return np.where(text.isna() | (text == ""), MISSING_STATE, codes).astype(np.int16)

    def uei_pairs(self, uei: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """``(position, row)`` of every recipient whose UEI equals the award's (exact)."""
        owners, rows = self.uei.pairs(string_keys(uei), np.arange(len(uei)))
        award_uei = pa.array(uei.iloc[owners], type=pa.large_string(), from_pandas=True)
        found = self.recipients.column("uei").take(pa.array(rows, pa.int64())).combine_chunks()
        keep = pc.fill_null(pc.equal(award_uei, found), False).to_numpy(zero_copy_only=False)
        return owners[keep], rows[keep]

    def duns_pairs(self, duns: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """``(position, row)`` of every recipient whose DUNS equals the award's (exact)."""
        return self.duns.pairs(duns_keys(duns), np.arange(len(duns)))

    def _rarest_words(self, keys: NameKeys, settings: MatchSettings) -> np.ndarray:
        """Positions in ``keys.word`` of each name's rarest words held by few enough recipients."""
        sizes = self._word_block_sizes(keys.word, settings.max_word_block)
        usable = np.flatnonzero((sizes > 0) & (sizes <= settings.max_word_block))
        order = np.lexsort((sizes[usable], keys.word_owner[usable]))
        rank = run_ranks(keys.word_owner[usable][order])
        return usable[order[rank < settings.rare_words]]

    def name_pairs(self, keys: NameKeys, settings: MatchSettings
                   ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """``(position, row)`` candidates of a batch of names: by words, and by spelling.

        By words: the same space-free name, the rarest words, and acronyms (the name's initials
        as a recipient's name, or the name as a recipient's initials). By spelling: the ends and
        head keys, which only catch typos, so their pairs are worth keeping only when the two
        names are spelt alike (``candidates`` checks). Each set is distinct.
        """
        chosen = self._rarest_words(keys, settings)
        positions = np.arange(len(keys.compact))
        acronyms, affixes = settings.max_initials_block, settings.max_affix_block
        by_words = [
            self.compact.pairs(keys.compact, positions),
            self.words.pairs(keys.word[chosen], keys.word_owner[chosen]),
            self.compact.pairs(np.where(self.compact_sizes(keys.initials) <= acronyms,
                                        keys.initials, 0), positions),
            self.initials.pairs(keys.compact, positions, acronyms),
        ]
        by_spelling = [table.pairs(name_keys, positions, affixes)
                       for table, name_keys in zip(self.ends, keys.ends, strict=True)]
        by_spelling.append(self.head.pairs(keys.head, positions, affixes))
        return tuple(distinct_pairs(np.concatenate([p[0] for p in parts]),
                                    np.concatenate([p[1] for p in parts]))
                     for parts in (by_words, by_spelling))
