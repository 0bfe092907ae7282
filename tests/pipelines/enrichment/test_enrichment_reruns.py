"""Reruns of the enrichment over damaged or stale files: they heal, or refuse naming the cause."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_session
from enrichment_inputs import configured_params

from sbir_enrichment.pipelines.enrichment.provenance import StaleOutputError

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


def test_the_enriched_output_records_its_run_and_parameters(enriched_project: Path) -> None:
    for name in ("enriched_sbir_awards", "match_review_candidates"):
        attrs = pd.read_parquet(enriched_project / f"data/03_primary/{name}.parquet",
                                columns=["source_row"]).attrs
        run_dir = enriched_project / "data/08_reporting/runs" / attrs["run"]["run_id"]
        report = json.loads((run_dir / "run_report.json").read_text())
        assert report["pipelines"] == ["enrichment"] and report["status"] == "success"
        assert attrs["enrichment"]["matching"] == configured_params()["matching"]


def test_quality_refuses_an_output_built_with_other_parameters(enriched_project: Path) -> None:
    reports = enriched_project / "data/08_reporting/quality/quality_report.json"
    with pytest.raises(StaleOutputError, match=r"matching\.accept_probability: built with 0\.9, "
                                               r"given 0\.8\)"):
        run_session(enriched_project, ["quality"],
                    params={"enrichment": {"matching": {"accept_probability": 0.8}}})
    assert not reports.exists()  # nothing was certified
    run_session(enriched_project, ["enrichment", "quality"],
                params={"enrichment": {"chunk_size": 100,
                                       "matching": {"accept_probability": 0.8}}})
    report = json.loads(next(reports.glob("*/quality_report.json")).read_text())
    assert report["thresholds"]["score_thresholds"]["accept"] == 80.0
    enriched = pd.read_parquet(enriched_project / ENRICHED, columns=["source_row"])
    assert report["enriched"]["run_id"] == enriched.attrs["run"]["run_id"]
