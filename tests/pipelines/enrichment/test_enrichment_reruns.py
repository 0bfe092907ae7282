"""Reruns of the enrichment over damaged or stale files: they heal, or refuse naming the cause."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_session

pytestmark = pytest.mark.slow

SAMPLE = {"sample_data": {"n_awards": 300, "n_recipients": 3000, "seed": 11}}
CHUNKS = Path("data/02_intermediate/enriched_chunks")
ENRICHED = Path("data/03_primary/enriched_sbir_awards.parquet")


@pytest.fixture
def enriched_project(project_copy: Path) -> Path:
    """A project after sample_data, ingestion and an enrichment in 3 chunks of 100 awards."""
    run_session(project_copy, ["sample_data"], params=SAMPLE)
    run_session(project_copy, ["ingestion"])
    run_session(project_copy, ["enrichment"], params={"enrichment": {"chunk_size": 100}})
    return project_copy


def test_a_damaged_finished_chunk_is_recomputed_not_trusted(
        enriched_project: Path, caplog: pytest.LogCaptureFixture) -> None:
    before = pd.read_parquet(enriched_project / ENRICHED)
    chunks = sorted((enriched_project / CHUNKS).glob("chunk-*.parquet"))
    assert len(chunks) == 3
    chunks[0].write_bytes(chunks[0].read_bytes()[:1000])  # truncated (e.g. a full disk)
    wrong = pd.read_parquet(chunks[1])
    matched = wrong["match_method"] != "unmatched"
    wrong.loc[matched, "recipient_hash"] = wrong.loc[matched, "recipient_hash"].iloc[::-1].values
    wrong.to_parquet(chunks[1])  # valid parquet, wrong links
    with caplog.at_level(logging.WARNING):
        run_session(enriched_project, ["enrichment"], params={"enrichment": {"chunk_size": 100}})
    for chunk in chunks[:2]:
        assert f"partition {chunk.stem} does not match the digest" in caplog.text
    pd.testing.assert_frame_equal(pd.read_parquet(enriched_project / ENRICHED), before)
