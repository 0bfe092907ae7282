"""Blocking: which recipients are worth scoring against a name, found with sorted key tables.

Every normalised name yields keys (``NameKeys``):

- ``compact``: the whole name without spaces (the exact-name join: case, punctuation, suffix,
  abbreviation and THE variants already meet there);
- ``words``: each word; only a name's rarest words (by how many recipients carry them, and
  only below a cap) propose candidates, so ``TECH`` never does but ``PUMPILUS`` always does;
- ``ends``: for each ``(lead, trail)`` of the settings' ``name_ends``, the first ``lead`` and
  last ``trail`` letters of the space-free name (``(5, 0)`` is its prefix): one typo between
  them leaves the key intact. Keys from both ends keep their blocks small where a plain prefix
  or tail is shared by thousands of names (``...TECH``);
- ``head``: the first word's first two and last three letters (words of at least
  ``_SHORT_WORD`` letters): a typo in the middle of a short first word followed by common words;
- ``initials``: the first letters of a name of several words (``INTERNATIONAL BUSINESS
  MACHINES`` → ``IBM``), looked up among the space-free names of the other side (acronyms).

State is not a key: firms move, so state only adds or removes points when scoring.
A ``KeyTable`` holds ``key << 32 | row`` sorted in one ``uint64`` array; lookups are
``searchsorted`` over a whole batch of keys, and candidate pairs come out as arrays.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sbir_enrichment.matching.hashing import (
    PrefixSums,
    as_strings,
    byte_blocks,
    finalise,
    string_buffers,
)

_ROW_BITS = np.uint64(32)
_SPACE = ord(" ")
_SHORT_WORD = 6


@dataclass(frozen=True)
class KeyTable:
    """Rows by key: ``packed`` is ``key << 32 | row`` sorted; key 0 (missing) is never stored."""

    packed: np.ndarray

    @classmethod
    def build(cls, keys: np.ndarray, rows: np.ndarray | None = None,
              max_block: int | None = None) -> KeyTable:
        """Table of ``rows[i]`` (default ``i``) under ``keys[i]`` (``uint32``); key 0 dropped.

        With ``max_block``, keys held by more rows are left out: such a block never proposes
        candidates, so storing it would only cost memory (their ``sizes`` read 0).
        """
        packed = keys.astype(np.uint64)
        packed <<= _ROW_BITS
        rows = np.arange(len(keys), dtype=np.uint64) if rows is None else rows
        np.bitwise_or(packed, rows, out=packed, dtype=np.uint64, casting="unsafe")
        packed.sort()  # in place; key 0 (missing) sorts first and is cut off below
        table = cls(packed[int(np.searchsorted(packed, np.uint64(1) << _ROW_BITS)):])
        return table.capped(max_block) if max_block is not None else table.compacted()

    def compacted(self) -> KeyTable:
        """This table in memory of its own (a copy when it is a small view of a larger array)."""
        packed = self.packed
        if packed.base is not None and 8 * len(packed) < 7 * len(packed.base):
            return KeyTable(packed.copy())
        return self

    def capped(self, max_block: int) -> KeyTable:
        """The table without the keys held by more than ``max_block`` rows."""
        if len(self.packed) == 0:
            return self
        key = (self.packed >> _ROW_BITS).astype(np.uint32)
        starts = run_starts(key)
        del key
        sizes = np.diff(np.r_[starts, len(self.packed)])
        return KeyTable(self.packed[np.repeat(sizes <= max_block, sizes)]).compacted()

    def without(self, keys: np.ndarray) -> KeyTable:
        """The table without the rows of ``keys`` (sorted ``uint32``)."""
        if len(self.packed) == 0 or len(keys) == 0:
            return self
        key = (self.packed >> _ROW_BITS).astype(np.uint32)
        at = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
        return KeyTable(self.packed[keys[at] != key]).compacted()

    def ranges(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Start and stop positions in ``packed`` of each key's rows (empty for key 0).

        The keys are looked up in sorted order (about three times faster over a large table:
        successive searches walk the same cached path).
        """
        order = np.argsort(keys, kind="stable")
        base = keys[order].astype(np.uint64) << _ROW_BITS
        start, stop = np.empty(len(keys), dtype=np.int64), np.empty(len(keys), dtype=np.int64)
        start[order] = np.searchsorted(self.packed, base, side="left")
        stop[order] = np.searchsorted(self.packed, base + (np.uint64(1) << _ROW_BITS),
                                      side="left")
        stop = np.where(keys == 0, start, stop)
        return start, stop

    def sizes(self, keys: np.ndarray) -> np.ndarray:
        """How many rows carry each key (its block size)."""
        start, stop = self.ranges(keys)
        return stop - start

    def pairs(self, keys: np.ndarray, owners: np.ndarray,
              max_block: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(owner, row)`` for every row under each key; keys above ``max_block`` rows skipped."""
        start, stop = self.ranges(keys)
        size = stop - start
        if max_block is not None:
            size = np.where(size > max_block, 0, size)
        total = int(size.sum())
        first = np.cumsum(size) - size
        within = np.arange(total, dtype=np.int64) - np.repeat(first, size)
        position = np.repeat(start, size) + within
        rows = (self.packed[position] & np.uint64(0xFFFFFFFF)).astype(np.int64)
        return np.repeat(owners, size), rows


@dataclass(frozen=True)
class NameKeys:
    """Blocking keys of a batch of normalised names (see the module docstring)."""

    compact: np.ndarray
    ends: tuple[np.ndarray, ...]
    """One key per ``name_ends`` entry (0 when the name is not longer than lead + trail)."""
    head: np.ndarray
    """Key of the first word's first two and last three letters (0 when it is short)."""
    initials: np.ndarray
    """Key of the first letters of a name of two or more words (0 for one word)."""
    word: np.ndarray
    word_owner: np.ndarray
    """The name (position in the batch) each word belongs to (``uint32``)."""

    @classmethod
    def of(cls, names_norm: pd.Series | pa.Array | pa.ChunkedArray,
           name_ends: tuple[tuple[int, int], ...]) -> NameKeys:
        """Keys of each normalised name (missing names get key 0 and no words).

        Works on the Arrow bytes block by block: spaces located once, words are the runs
        between them, and the space-free name is the bytes that are not spaces.
        """
        text = as_strings(names_norm)
        offsets, data = string_buffers(text)
        with ThreadPoolExecutor(max_workers=pa.cpu_count()) as pool:
            parts = [list(part) for part in pool.map(
                lambda block: _block_name_keys(offsets[block[0] : block[1] + 1], data, block[0],
                                               name_ends),
                byte_blocks(offsets))]
        fields = []
        for i in range(5 + len(name_ends)):  # one field at a time, freeing its block parts
            fields.append(np.concatenate([np.zeros(0, dtype=np.uint32),
                                          *(part[i] for part in parts)]))
            for part in parts:
                part[i] = None
        compact, head, initials, word, word_owner, *ends = fields
        missing = pc.is_null(text).to_numpy(zero_copy_only=False)
        if missing.any():
            for name_keys in (compact, head, initials, *ends):
                name_keys[missing] = 0
            kept = ~missing[word_owner]
            word, word_owner = word[kept], word_owner[kept]
        return cls(compact, tuple(ends), head, initials, word, word_owner)


def _joined(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """One ``uint32`` key of two keys (order matters; never 0)."""
    keys = (finalise((first.astype(np.uint64) << _ROW_BITS) | second.astype(np.uint64))
            >> _ROW_BITS).astype(np.uint32)
    keys[keys == 0] = 1
    return keys


def _block_name_keys(offsets: np.ndarray, data: np.ndarray, first: int,
                     name_ends: tuple[tuple[int, int], ...]) -> tuple[np.ndarray, ...]:
    """Compact, head, initials and word keys (with owners), then the ``name_ends`` keys, of the
    names at ``offsets``."""
    base = offsets[0]
    local = offsets - base
    block = data[base : offsets[-1]]
    letter = block != _SPACE
    in_compact = np.zeros(len(block) + 1, dtype=np.int64)
    np.cumsum(letter, out=in_compact[1:])
    compact_data = block[letter]
    start, stop = in_compact[local[:-1]], in_compact[local[1:]]
    boundary = np.zeros(len(block) + 1, dtype=bool)
    boundary[local] = True
    before = np.r_[True, ~letter[:-1]] | boundary[:-1]
    after = np.r_[~letter[1:], True] | boundary[1:]
    word_starts = np.flatnonzero(letter & before)
    word_stops = np.flatnonzero(letter & after) + 1
    local_owner = np.searchsorted(local, word_starts, side="right") - 1
    words_per_name = np.bincount(local_owner, minlength=len(local) - 1)
    last_word = np.cumsum(words_per_name)
    initials = PrefixSums(block[word_starts]).keys(last_word - words_per_name, last_word)
    initials[words_per_name < 2] = 0
    block_sums = PrefixSums(block)
    head = np.zeros(len(words_per_name), dtype=np.uint32)
    named = np.flatnonzero(words_per_name > 0)
    first_word = (last_word - words_per_name)[named]
    word_start, word_stop = word_starts[first_word], word_stops[first_word]
    long_word = word_stop - word_start >= _SHORT_WORD
    at, word_start, word_stop = named[long_word], word_start[long_word], word_stop[long_word]
    head[at] = _joined(block_sums.keys(word_start, word_start + 2),
                       block_sums.keys(word_stop - 3, word_stop))
    compact_sums = PrefixSums(compact_data)
    ends = []
    for lead, trail in name_ends:
        keys = np.zeros(len(start), dtype=np.uint32)
        longer = np.flatnonzero(stop - start > lead + trail)
        keys[longer] = _joined(compact_sums.keys(start[longer], start[longer] + lead),
                               compact_sums.keys(stop[longer] - trail, stop[longer]))
        ends.append(keys)
    return (
        compact_sums.keys(start, stop),
        head,
        initials,
        block_sums.keys(word_starts, word_stops),
        (local_owner + first).astype(np.uint32),
        *ends,
    )


def run_starts(sorted_values: np.ndarray) -> np.ndarray:
    """First position of each run of equal values in a sorted array (none when it is empty)."""
    if len(sorted_values) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])


def run_ranks(sorted_values: np.ndarray) -> np.ndarray:
    """Position of each value within its run of equal values (0 for the first of a run)."""
    starts = run_starts(sorted_values)
    sizes = np.diff(np.r_[starts, len(sorted_values)])
    return np.arange(len(sorted_values)) - np.repeat(starts, sizes)


def distinct_pairs(owners: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``(owner, row)`` pairs, sorted by owner then row."""
    packed = (owners.astype(np.uint64) << _ROW_BITS) | rows.astype(np.uint64)
    packed.sort()
    keep = np.ones(len(packed), dtype=bool)
    keep[1:] = packed[1:] != packed[:-1]
    packed = packed[keep]
    return (packed >> _ROW_BITS).astype(np.int64), (packed & np.uint64(0xFFFFFFFF)).astype(np.int64)
