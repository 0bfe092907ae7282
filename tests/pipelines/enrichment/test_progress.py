"""Progress lines: chunks done (counting those kept from an earlier run), awards/s, ETA."""

from __future__ import annotations

import logging

import pytest

from sbir_enrichment.pipelines.enrichment.progress import ChunkProgress


def test_progress_counts_kept_chunks_rate_and_time_remaining(
        caplog: pytest.LogCaptureFixture) -> None:
    progress = ChunkProgress(total_chunks=5)
    with caplog.at_level(logging.INFO, logger="sbir_enrichment.pipelines.enrichment.progress"):
        # Chunks 0 and 1 were finished by an earlier run: the first call is for position 2.
        progress.chunk_done(2, "chunk-00002-a", awards=100, seconds=0.5)
        progress.chunk_done(3, "chunk-00003-b", awards=300, seconds=1.5)
    first, second = (record.getMessage() for record in caplog.records)
    assert "chunk-00002-a: 100 awards in 0.50 s | 3/5 chunks done (2 kept" in first
    assert "| 200 awards/s | ETA 1 s" in first
    assert "4/5 chunks done (2 kept" in second
    assert "| 200 awards/s | ETA 1 s" in second  # (5 - 4) chunks x 1.0 s mean
