"""The recipient index split into partitions, so that no worker holds every recipient.

Each recipient lives in one partition: row ``r`` of the whole recipient table in partition
``r mod partitions`` (``partition_rows``). Each partition is searched for every award and
proposes the candidates among its own recipients (``candidates.find_candidates``); the
candidates of all partitions together (``Candidates.merge``) are then exactly the whole index's,
and the decision is taken on them as always (``linker.decide_links``).

That needs what a search reads beyond the pairs it finds: ``SharedStatistics``, counted once
over the whole table and given to every partition. How many recipients there are (the prior, a
word's information); how many carry each word (its information, and which words of a name are
rarest: only those propose candidates); how many carry each space-free name held by more than
one (the rarity band of an exact name, and whether an acronym's block is small enough); and
which spelling, head and acronym keys too many recipients carry to propose anything.

Why not route by blocking key instead (the partition of each key holding every recipient with
that key)? A recipient and an award each carry about ten keys (identifiers, the space-free name,
words, spelling ends, head, initials), which hash to different partitions: a recipient would be
copied to most of them and an award sent to most of them (docs/scaling.md has the counts).
Splitting the recipients and sending every award to every partition divides the index by the
number of partitions; the awards of a chunk are small beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from sbir_enrichment.matching.blocking import NameKeys, distinct_pairs
from sbir_enrichment.matching.index import RecipientIndex
from sbir_enrichment.matching.settings import MatchSettings
from sbir_enrichment.matching.storage import ArrayStore


def partition_rows(first_row: int, rows: int, partitions: int, partition: int) -> np.ndarray:
    """Which of ``rows`` rows starting at row ``first_row`` of the whole table belong to
    ``partition`` (positions, increasing)."""
    return np.flatnonzero((np.arange(first_row, first_row + rows) % partitions) == partition)


def _counted(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct non-zero keys and how often each occurs."""
    return np.unique(keys[keys != 0], return_counts=True)


def _summed(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Keys and counts of several ``_counted`` parts, counts of one key added."""
    keys = np.concatenate([np.zeros(0, np.uint32), *(part[0] for part in parts)])
    counts = np.concatenate([np.zeros(0, np.int64), *(part[1] for part in parts)])
    order = np.argsort(keys, kind="stable")
    keys, counts = keys[order], counts[order]
    if len(keys) == 0:
        return keys, counts
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[starts], np.add.reduceat(counts, starts)


def _lookup(keys: np.ndarray, values: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray,
                                                                               np.ndarray]:
    """``values`` of each wanted key (0 when absent) and whether it is present."""
    if len(keys) == 0:
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=bool)
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    found = keys[at] == wanted
    return np.where(found, values[at], 0).astype(np.int64), found


@dataclass(frozen=True)
class SharedStatistics:
    """What every partition reads of the whole recipient table (keys sorted, ``uint32``)."""

    recipients: int
    word_keys: np.ndarray
    word_rows: np.ndarray
    """Recipients carrying each word."""
    word_blocks: np.ndarray
    """Occurrences of each word (a word twice in one name counts twice, as in the word table)."""
    compact_keys: np.ndarray
    compact_sizes: np.ndarray
    """Recipients carrying each space-free name that more than one carries."""
    oversized_ends: tuple[np.ndarray, ...]
    """Per ``name_ends`` entry, the keys carried by more than ``max_affix_block`` recipients."""
    oversized_head: np.ndarray
    oversized_initials: np.ndarray
    """Acronym keys carried by more than ``max_initials_block`` recipients."""

    @classmethod
    def of(cls, names: Iterable[pa.Array | pa.ChunkedArray],
           settings: MatchSettings) -> SharedStatistics:
        """Count over the normalised names of the whole table, one part at a time."""
        recipients = 0
        counts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {
            field: [] for field in ("compact", "head", "initials", "word", "word_rows",
                                    *(f"ends{i}" for i in range(len(settings.name_ends))))}
        for part in names:
            keys = NameKeys.of(part, settings.name_ends)
            recipients += len(keys.compact)
            for field in ("compact", "head", "initials", "word"):
                counts[field].append(_counted(getattr(keys, field)))
            for i, ends in enumerate(keys.ends):
                counts[f"ends{i}"].append(_counted(ends))
            _, distinct_words = distinct_pairs(keys.word_owner, keys.word)
            counts["word_rows"].append(_counted(distinct_words.astype(np.uint32)))
        totals = {field: _summed(parts) for field, parts in counts.items()}
        word_keys, word_blocks = totals["word"]
        _, word_rows = totals["word_rows"]
        compact_keys, compact_sizes = totals["compact"]
        shared = compact_sizes > 1

        def oversized(field: str, cap: int) -> np.ndarray:
            keys, sizes = totals[field]
            return keys[sizes > cap]

        return cls(
            recipients=recipients, word_keys=word_keys, word_rows=word_rows,
            word_blocks=word_blocks, compact_keys=compact_keys[shared],
            compact_sizes=compact_sizes[shared],
            oversized_ends=tuple(oversized(f"ends{i}", settings.max_affix_block)
                                 for i in range(len(settings.name_ends))),
            oversized_head=oversized("head", settings.max_affix_block),
            oversized_initials=oversized("initials", settings.max_initials_block))

    def word_counts(self, keys: np.ndarray) -> np.ndarray:
        """Recipients carrying each word (0 for a word none carries)."""
        return _lookup(self.word_keys, self.word_rows, keys)[0]

    def word_block_sizes(self, keys: np.ndarray, max_block: int) -> np.ndarray:
        """Occurrences of each word in the whole word table, 0 above ``max_block``."""
        sizes = _lookup(self.word_keys, self.word_blocks, keys)[0]
        return np.where(sizes > max_block, 0, sizes)

    def common_words(self, max_block: int) -> np.ndarray:
        """Words occurring more than ``max_block`` times (sorted)."""
        return self.word_keys[self.word_blocks > max_block]

    def compact_block_sizes(self, keys: np.ndarray, local: np.ndarray) -> np.ndarray:
        """Recipients carrying each space-free name: the shared count of names more than one
        recipient carries, else ``local`` (a partition's own count, exact for those)."""
        sizes, found = _lookup(self.compact_keys, self.compact_sizes, keys)
        return np.where(found, sizes, local)


def partition_index(tables: Iterable[pa.Table], settings: MatchSettings, *,
                    shared: SharedStatistics, partitions: int, partition: int,
                    store: ArrayStore | None = None) -> RecipientIndex:
    """The index of one partition of the recipient table given as ``RecipientIndex.table_of``
    tables (in order), read one table at a time."""
    rows: list[np.ndarray] = []

    def parts() -> Iterator[pa.Table]:
        first = 0
        for table in tables:
            kept = partition_rows(first, table.num_rows, partitions, partition)
            rows.append(kept + first)
            first += table.num_rows
            yield table.take(pa.array(kept, pa.int64()))

    store = store or ArrayStore()
    recipients = RecipientIndex.recipients_of(parts(), store)
    return RecipientIndex(recipients, settings, store, shared,
                          np.concatenate([np.zeros(0, np.int64), *rows]))
