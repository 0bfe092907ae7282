"""Recipient sources that are empty, repeat their keys or break mid-stream, in real runs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import run_session
from ingestion_inputs import messy_awards_csv, recipient_lookup
from kedro.io.core import DatasetError

from sbir_enrichment.datasets.partitions import MANIFEST_NAME

pytestmark = pytest.mark.slow

LOOKUP = Path("data/01_raw/usaspending/recipient_lookup.parquet")
INDEX = Path("data/02_intermediate/recipient_index")


def _ingest(project: Path, lookup: pd.DataFrame, **parquet_args: int) -> dict:
    """Run ingestion over ``lookup`` (chunks of 4 rows); returns the ingestion summary."""
    (project / LOOKUP).parent.mkdir(parents=True, exist_ok=True)
    lookup.to_parquet(project / LOOKUP, **parquet_args)
    run_session(project, ["ingestion"], params={"recipient_chunk_rows": 4})
    return json.loads((project / "data/08_reporting/ingestion_summary.json").read_text())


@pytest.fixture
def project(project_copy: Path) -> Path:
    messy_awards_csv(project_copy / "data" / "01_raw" / "sbir_awards.csv")
    return project_copy


def test_repeated_recipient_hashes_are_rejected_and_counted(project: Path) -> None:
    lookup = recipient_lookup(12)
    lookup.loc[[3, 8], "recipient_hash"] = "hash0001"
    summary = _ingest(project, lookup)
    index = pd.concat(pd.read_parquet(p) for p in sorted((project / INDEX).glob("*.parquet")))
    assert index["recipient_hash"].is_unique
    assert summary["recipients"]["duplicate_recipient_hashes"] == 2
    rejected = pd.read_parquet(project / "data/02_intermediate/recipients_rejected.parquet")
    assert rejected.loc[rejected["source_row"].isin([3, 8]), "reject_reason"].tolist() == [
        "duplicate: source_row 1 has the same recipient_hash and is kept"] * 2


@pytest.mark.parametrize(("rows", "message"), [
    ([], "the recipient source gave no rows"),
    ([2, 4, 5], "all 3 rows of the recipient source were rejected"),
])
def test_a_source_without_usable_recipients_fails_ingestion(project: Path, rows: list[int],
                                                           message: str) -> None:
    _ingest(project, recipient_lookup(12))  # a complete index from an earlier run
    assert (project / INDEX / MANIFEST_NAME).exists()
    with pytest.raises(DatasetError, match=message):
        _ingest(project, recipient_lookup(12).iloc[rows])
    assert not (project / INDEX / MANIFEST_NAME).exists()  # the old index is not taken as this one
    rejected = pd.read_parquet(project / "data/02_intermediate/recipients_rejected.parquet")
    assert sorted(rejected["source_row"]) == list(range(len(rows)))


def test_a_corrupt_source_parquet_is_named_in_the_error(project: Path) -> None:
    lookup = recipient_lookup(400)
    (project / LOOKUP).parent.mkdir(parents=True)
    lookup.to_parquet(project / LOOKUP, row_group_size=50)
    column = pq.ParquetFile(project / LOOKUP).metadata.row_group(5).column(1)
    data = bytearray((project / LOOKUP).read_bytes())
    data[column.data_page_offset:column.data_page_offset + 40] = b"\xff" * 40  # a page header
    (project / LOOKUP).write_bytes(bytes(data))
    with pytest.raises(DatasetError, match=rf"{LOOKUP}: unreadable after row 240: Couldn't "
                                           r"deserialize thrift"):
        run_session(project, ["ingestion"], params={"recipient_chunk_rows": 60})


def test_a_broken_csv_source_is_named_in_the_error(project: Path) -> None:
    lookup = recipient_lookup(30).drop(columns=["id", "source"])
    lines = lookup.to_csv(index=False).encode().splitlines()
    lines[22] = lines[22].replace(b"Firm", b"Caf\xe9")  # cp1252, in the third chunk of 10 rows
    source = project / LOOKUP.with_suffix(".csv")
    source.parent.mkdir(parents=True)
    source.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(DatasetError, match=r"usaspending_recipients: reading the recipient "
                                           r"source failed after row 20: 'utf-8' codec"):
        run_session(project, ["ingestion"], params={"recipient_source": "csv",
                                                    "recipient_chunk_rows": 10})
