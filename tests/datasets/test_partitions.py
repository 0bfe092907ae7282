"""ChunkedPartitionedDataset: streamed, atomic, resumable saves behind a completion manifest."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from kedro.io.core import DatasetError

from sbir_enrichment.datasets.partitions import MANIFEST_NAME, ChunkedPartitionedDataset


def _dataset(path: Path, **kwargs) -> ChunkedPartitionedDataset:
    return ChunkedPartitionedDataset(
        path=str(path), dataset="pandas.ParquetDataset", filename_suffix=".parquet", **kwargs
    )


def _frame(i: int) -> pd.DataFrame:
    return pd.DataFrame({"chunk": [i, i], "value": [f"a{i}", f"b{i}"]})


def test_streamed_pairs_round_trip_in_order(tmp_path: Path) -> None:
    ds = _dataset(tmp_path / "parts")
    ds.save((f"part-{i:03d}", _frame(i)) for i in range(3))
    loaded = ds.load()
    assert list(loaded) == ["part-000", "part-001", "part-002"]
    assert loaded["part-002"]().equals(_frame(2))


def test_prune_removes_partitions_of_an_earlier_larger_save(tmp_path: Path) -> None:
    ds = _dataset(tmp_path / "parts")
    ds.save({f"p{i}": _frame(i) for i in range(4)})
    ds.save({"p0": _frame(9)})
    assert list(ds.load()) == ["p0"]
    assert sorted(p.name for p in (tmp_path / "parts").iterdir()) == [MANIFEST_NAME, "p0.parquet"]


def test_a_completed_save_of_no_partitions_loads_as_empty(tmp_path: Path) -> None:
    # An empty source (zero recipient chunks) is a completed save, not a missing one.
    ds = _dataset(tmp_path / "parts")
    ds.save({"p0": _frame(0)})
    ds.save(iter(()))
    assert ds.load() == {}
    assert [p.name for p in (tmp_path / "parts").iterdir()] == [MANIFEST_NAME]
    fresh = _dataset(tmp_path / "never_written")
    fresh.save({})
    assert fresh.load() == {}


def test_failed_save_leaves_no_manifest_and_load_refuses(tmp_path: Path) -> None:
    ds = _dataset(tmp_path / "parts")
    ds.save({"p0": _frame(0)})

    def chunks():
        yield "p0", _frame(0)
        raise RuntimeError("source broke mid-stream")

    with pytest.raises(DatasetError, match="source broke mid-stream"):
        ds.save(chunks())
    with pytest.raises(DatasetError, match="last save did not complete"):
        ds.load()


def test_skip_existing_does_not_recompute_finished_partitions(tmp_path: Path) -> None:
    ds = _dataset(tmp_path / "parts", skip_existing=True)
    calls: list[str] = []

    def lazy(pid: str, i: int):
        def compute() -> pd.DataFrame:
            calls.append(pid)
            return _frame(i)
        return compute

    ds.save({"p0": lazy("p0", 0), "p1": lazy("p1", 1)})
    ds.save({"p0": lazy("p0", 0), "p1": lazy("p1", 1), "p2": lazy("p2", 2)})
    assert calls == ["p0", "p1", "p2"]
    assert list(ds.load()) == ["p0", "p1", "p2"]


def test_duplicate_partition_ids_in_a_stream_are_refused(tmp_path: Path) -> None:
    ds = _dataset(tmp_path / "parts")
    with pytest.raises(DatasetError, match="saved twice"):
        ds.save([("p0", _frame(0)), ("p0", _frame(1))])


def test_half_written_temp_file_is_ignored_and_cleaned(tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "p0.parquet.tmp").write_bytes(b"half-written")
    ds = _dataset(parts, skip_existing=True)
    assert ds.existing_partitions() == set()
    ds.save({"p0": _frame(0)})
    assert not (parts / "p0.parquet.tmp").exists()
    assert ds.load()["p0"]().equals(_frame(0))
