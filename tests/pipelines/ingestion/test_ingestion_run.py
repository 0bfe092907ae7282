"""The ingestion pipeline run for real (KedroSession) in a throw-away copy of the project."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import run_session
from ingestion_inputs import messy_awards_csv
from kedro.validation.exceptions import ParameterValidationError

from sbir_enrichment.datasets.partitions import MANIFEST_NAME

SMALL_SAMPLE = {"sample_data": {"n_awards": 300, "n_recipients": 2500}}


def _index(project: Path) -> tuple[list[str], pd.DataFrame]:
    folder = project / "data" / "02_intermediate" / "recipient_index"
    parts = json.loads((folder / MANIFEST_NAME).read_text())["partitions"]
    frame = pd.concat([pd.read_parquet(folder / f"{p}.parquet") for p in parts],
                      ignore_index=True)
    return parts, frame


@pytest.mark.slow
def test_ingestion_runs_on_generated_data_and_switches_recipient_source(
        project_copy: Path) -> None:
    run_session(project_copy, ["sample_data"], params=SMALL_SAMPLE)
    raw = project_copy / "data" / "01_raw"
    run_session(project_copy, ["ingestion"],
                params={"recipient_chunk_rows": 1000, "awards_chunk_rows": 70})

    inter = project_copy / "data" / "02_intermediate"
    awards_in = pd.read_csv(raw / "sbir_awards.csv", dtype=str, keep_default_na=False)
    accepted = pd.read_parquet(inter / "sbir_awards.parquet")
    rejected = pd.read_parquet(inter / "sbir_awards_rejected.parquet")
    assert sorted([*accepted["source_row"], *rejected["source_row"]]) == list(
        range(len(awards_in)))
    assert (accepted.set_index("source_row")["company"]
            == awards_in["Company"].str.strip()[accepted["source_row"]].to_numpy()).all()

    lookup = pq.read_table(raw / "usaspending" / "recipient_lookup.parquet").to_pandas(
        ignore_metadata=True)  # the file's pandas metadata names Arrow list dtypes
    parts, index = _index(project_copy)
    recipients_rejected = pd.read_parquet(inter / "recipients_rejected.parquet")
    assert parts == ["part-00000", "part-00001", "part-00002"]  # 2,500 rows in 1,000-row chunks
    assert sorted([*index["source_row"], *recipients_rejected["source_row"]]) == list(
        range(len(lookup)))
    assert (index["recipient_hash"] == lookup["recipient_hash"][index["source_row"]]
            .to_numpy()).all()

    summary = json.loads((project_copy / "data" / "08_reporting" /
                          "ingestion_summary.json").read_text())
    assert summary["awards"]["rows_read"] == len(awards_in)
    assert summary["awards"]["accepted"] == len(accepted)
    assert summary["recipients"] == {
        "rows_read": len(lookup), "accepted": len(index),
        "rejected": len(recipients_rejected),
        "rejected_by_field": recipients_rejected["reject_field"].value_counts().to_dict(),
        "duplicate_recipient_hashes": 0,
    }

    # Same recipients as CSV, read through the conf switch; messy awards this time.
    scalars = [c for c in lookup.columns if lookup[c].dtype != object]
    lookup[scalars].to_csv(raw / "usaspending" / "recipient_lookup.csv", index=False)
    outcomes = messy_awards_csv(raw / "sbir_awards.csv")
    run_session(project_copy, ["ingestion"],
                params={"recipient_source": "csv", "recipient_chunk_rows": 1500})

    csv_parts, csv_index = _index(project_copy)
    assert csv_parts == ["part-00000", "part-00001"]  # the third partition was pruned
    assert sorted(p.name for p in (inter / "recipient_index").iterdir()) == [
        MANIFEST_NAME, "part-00000.parquet", "part-00001.parquet"]
    pd.testing.assert_frame_equal(csv_index, index)
    accepted = pd.read_parquet(inter / "sbir_awards.parquet")
    rejected = pd.read_parquet(inter / "sbir_awards_rejected.parquet")
    assert len(accepted) == outcomes.count("accepted")
    assert sorted([*accepted["source_row"], *rejected["source_row"]]) == list(
        range(len(outcomes)))


def test_a_wrong_parameter_fails_before_the_run_naming_it(project_copy: Path) -> None:
    bad = {"ingestion": {"awards": {"required_fields": ["agency", "award_year"]}}}
    with pytest.raises(ParameterValidationError, match=r"ingestion\.awards(.|\n)*'company'"):
        run_session(project_copy, ["ingestion"], params=bad)
    assert not (project_copy / "data" / "02_intermediate" / "sbir_awards.parquet").exists()
