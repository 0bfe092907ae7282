"""Sub-batches: a chunk processed in parts when the memory budget is short, with the same
result."""

from __future__ import annotations

import logging

import pandas as pd
import pytest
from enrichment_inputs import configured_settings, generated
from matching_worlds import generated_model

from sbir_enrichment.matching import RecipientIndex, link_awards
from sbir_enrichment.memory.budget import MemoryBudget
from sbir_enrichment.memory.sub_batches import SubBatches


@pytest.fixture(scope="module")
def linking():
    awards, index_frame, _ = generated()
    settings = configured_settings()
    index = RecipientIndex.from_frames([index_frame], settings)
    model = generated_model()
    sizes: list[int] = []
    starts: list[int] = []

    def link(batch: pd.DataFrame, first: int = 0) -> pd.DataFrame:
        sizes.append(len(batch))
        starts.append(first)
        return link_awards(batch, index, model, settings)

    return awards, link, sizes, starts


def test_a_short_budget_links_in_sub_batches_with_the_same_result(linking, caplog) -> None:
    awards, link, sizes, starts = linking
    whole = link(awards)
    # A budget below what the process holds already: after the probe, the smallest sub-batches.
    batches = SubBatches(MemoryBudget(1.0, "parameter", "test budget"), "awards")
    sizes.clear()
    starts.clear()
    with caplog.at_level(logging.WARNING):
        first = batches.apply(awards, link, "chunk-00000-a")
        second = batches.apply(awards, link, "chunk-00001-b")
    assert first.equals(whole)
    assert second.equals(whole)
    assert sizes[0] < len(awards)  # the probe: nothing is known before the first link
    assert sizes == [1000, 250, 250] + [250] * 6
    assert sum(sizes) == 2 * len(awards)
    assert [a["chunk"] for a in batches.adaptations] == ["chunk-00000-a", "chunk-00001-b"]
    assert batches.adaptations[1]["sub_batches"] > 1
    assert starts[:3] == [0, 1000, 1250]  # each call told where its sub-batch starts
    assert "chunk-00001-b (1,500 awards) processed in" in caplog.text
    assert "test budget" in caplog.text


def test_a_large_budget_links_whole_chunks_without_a_probe(linking) -> None:
    awards, link, sizes, _ = linking
    batches = SubBatches(MemoryBudget(1e9, "parameter", "plenty"), "awards")
    sizes.clear()
    first = batches.apply(awards, link, "chunk-00000-a")
    batches.apply(awards, link, "chunk-00001-b")
    assert first.equals(link(awards))
    assert sizes[:2] == [len(awards), len(awards)]
    assert batches.adaptations == []
    assert batches.bytes_per_row is not None and batches.bytes_per_row >= 0


def test_an_empty_chunk_is_linked_once(linking) -> None:
    awards, link, _, _ = linking
    batches = SubBatches(MemoryBudget(1.0, "parameter", "tiny"), "awards")
    assert batches.apply(awards.iloc[:0], link, "chunk-00000-e").empty
    assert batches.adaptations == []
