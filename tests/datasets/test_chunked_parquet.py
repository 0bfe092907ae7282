"""ChunkedParquetDataset: a parquet file streamed as bounded DataFrame chunks."""

from __future__ import annotations

import inspect
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from kedro.io.core import DatasetError

from sbir_enrichment.datasets.chunked_parquet import ChunkedParquetDataset


@pytest.fixture
def table(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    frame = pd.DataFrame({
        "recipient_hash": [f"h{i}" for i in range(10)],
        "name": [f"FIRM {i}" for i in range(10)],
        "score": [float(i) for i in range(10)],
    })
    path = tmp_path / "recipients.parquet"
    frame.to_parquet(path, row_group_size=4)
    return path, frame


def test_loads_chunks_of_chunk_rows_in_file_order(table) -> None:
    path, frame = table
    chunks = ChunkedParquetDataset(filepath=str(path), chunk_rows=3).load()
    assert inspect.isgenerator(chunks)
    chunks = list(chunks)
    assert [len(c) for c in chunks] == [3, 3, 3, 1]
    assert pd.concat(chunks, ignore_index=True).equals(frame)


def test_selects_columns(table) -> None:
    path, _ = table
    chunks = list(ChunkedParquetDataset(filepath=str(path), columns=["name"]).load())
    assert [list(c.columns) for c in chunks] == [["name"]]


def test_missing_column_or_file_fails_at_load_with_names(table, tmp_path: Path) -> None:
    path, _ = table
    with pytest.raises(DatasetError, match=r"no column\(s\) \['uei'\]"):
        ChunkedParquetDataset(filepath=str(path), columns=["name", "uei"]).load()
    with pytest.raises(DatasetError, match="not found"):
        ChunkedParquetDataset(filepath=str(tmp_path / "absent.parquet")).load()


def test_save_then_load_round_trips(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": ["x", None, "z"], "b": [1, 2, 3]})
    dataset = ChunkedParquetDataset(filepath=str(tmp_path / "out" / "t.parquet"), chunk_rows=2)
    dataset.save(frame)
    assert dataset.exists()
    assert pd.concat(dataset.load(), ignore_index=True).equals(frame)


def test_rejects_non_positive_chunk_rows(table) -> None:
    with pytest.raises(DatasetError, match="chunk_rows"):
        ChunkedParquetDataset(filepath=str(table[0]), chunk_rows=0)


def test_array_columns_arrive_as_lists_even_with_arrow_dtypes_in_pandas_metadata(
        tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "recipient_hash": ["a", "b", "c"],
        "alternate_names": pd.Series([["X", "Y"], None, []],
                                     dtype=pd.ArrowDtype(pa.list_(pa.string()))),
    })
    path = tmp_path / "lists.parquet"
    frame.to_parquet(path)
    only_scalars = next(ChunkedParquetDataset(filepath=str(path), columns=["recipient_hash"])
                        .load())
    assert only_scalars["recipient_hash"].tolist() == ["a", "b", "c"]
    loaded = next(ChunkedParquetDataset(filepath=str(path)).load())
    assert loaded["alternate_names"].tolist() == [["X", "Y"], None, []]
