"""A recipient index split into partitions links every award exactly as the whole index does."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from enrichment_inputs import configured_settings
from matching_worlds import sample, variant_model

from sbir_enrichment.matching import MatchSettings, RecipientIndex, link_awards
from sbir_enrichment.matching.blocking import NameKeys
from sbir_enrichment.matching.candidates import Candidates, find_candidates
from sbir_enrichment.matching.linker import decide_links
from sbir_enrichment.matching.partitions import (
    SharedStatistics,
    partition_index,
    partition_rows,
)

# Small caps, so that many keys are too common in the whole table but not in one partition.
TIGHT = {"max_word_block": 4, "max_affix_block": 3, "max_initials_block": 2}


@cache
def _tables() -> list[pa.Table]:
    """The recipient table of the variant sample, in three parts of unequal size."""
    _, frame, _ = sample("company_aliases")
    table = RecipientIndex.table_of(frame)
    return [table.slice(0, 5000), table.slice(5000, 20000), table.slice(25000)]


def _awards() -> pd.DataFrame:
    awards, _, _ = sample("company_aliases")
    return awards.iloc[:3000].reset_index(drop=True)


def _partitions(settings: MatchSettings, partitions: int) -> list[RecipientIndex]:
    shared = SharedStatistics.of((t.column("name_norm") for t in _tables()), settings)
    return [partition_index(_tables(), settings, shared=shared, partitions=partitions,
                            partition=p) for p in range(partitions)]


def _merged(awards: pd.DataFrame, parts: list[RecipientIndex],
            settings: MatchSettings) -> pd.DataFrame:
    found = Candidates.merge([find_candidates(awards, part, settings) for part in parts])
    return decide_links(awards, found, variant_model(), settings)


def test_partition_rows_put_every_row_in_one_partition_in_order() -> None:
    parts = [partition_rows(7, 20, 3, p) + 7 for p in range(3)]
    assert np.array_equal(np.sort(np.concatenate(parts)), np.arange(7, 27))
    assert all(np.all(np.diff(part) > 0) for part in parts)
    assert [part[0] for part in parts] == [9, 7, 8]  # row r in partition r mod 3


@pytest.mark.parametrize("overrides", [{}, TIGHT], ids=["configured", "tight caps"])
@pytest.mark.parametrize("partitions", [1, 2, 5])
def test_merged_partitions_link_exactly_as_the_whole_index(overrides: dict,
                                                           partitions: int) -> None:
    settings = configured_settings(**overrides)
    awards = _awards()
    whole = RecipientIndex.from_tables(_tables(), settings)
    expected = link_awards(awards, whole, variant_model(), settings)
    got = _merged(awards, _partitions(settings, partitions), settings)
    pd.testing.assert_frame_equal(got, expected)
    assert (expected["match_method"] != "unmatched").mean() > 0.5  # a real linkage


def test_partitions_need_the_shared_statistics() -> None:
    # Partitions indexed on their own count words and blocks locally: other candidates,
    # other rarity bands, another prior; the shared statistics are what makes them exact.
    settings = configured_settings(**TIGHT)
    awards = _awards()
    whole = RecipientIndex.from_tables(_tables(), settings)
    expected = link_awards(awards, whole, variant_model(), settings)
    table = pa.concat_tables(_tables())
    alone = []
    for p in range(2):
        rows = partition_rows(0, table.num_rows, 2, p)
        alone.append(RecipientIndex(table.take(pa.array(rows)), settings, rows=rows))
    got = _merged(awards, alone, settings)
    assert not got["match_reason"].equals(expected["match_reason"])


def test_shared_statistics_are_the_whole_index_counts() -> None:
    settings = configured_settings(**TIGHT)
    shared = SharedStatistics.of((t.column("name_norm") for t in _tables()), settings)
    whole = RecipientIndex.from_tables(_tables(), settings)
    assert shared.recipients == len(whole)
    assert np.array_equal(shared.word_counts(shared.word_keys),
                          whole.word_counts(shared.word_keys))
    names = pa.concat_tables(_tables()).column("name_norm")
    keys = NameKeys.of(names, settings.name_ends)
    assert np.array_equal(
        shared.compact_block_sizes(keys.compact, np.zeros(len(keys.compact), np.int64)),
        np.where(whole.compact.sizes(keys.compact) > 1, whole.compact.sizes(keys.compact), 0))
    # Exactly the keys the whole index's capped tables leave out.
    head = keys.head[keys.head != 0]
    dropped = np.unique(head[whole.head.sizes(head) == 0])
    assert np.array_equal(shared.oversized_head, dropped)
    assert len(dropped) > 0


def test_merge_keeps_a_pair_found_twice_once_and_refuses_other_awards() -> None:
    settings = configured_settings()
    awards = _awards().iloc[:200]
    whole = RecipientIndex.from_tables(_tables(), settings)
    found = find_candidates(awards, whole, settings)
    twice = Candidates.merge([found, found])
    assert np.array_equal(twice.pairs.position, found.pairs.position)
    assert np.array_equal(twice.pairs.row, found.pairs.row)
    assert np.array_equal(twice.recipients.rows, found.recipients.rows)
    other = find_candidates(awards.iloc[::-1], whole, settings)
    with pytest.raises(ValueError, match="different awards"):
        Candidates.merge([found, other])
