"""ChunkedPartitionedDataset: streamed, atomic, resumable saves behind a completion manifest."""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from kedro.io.core import DatasetError

from sbir_enrichment.datasets.partitions import (
    MANIFEST_NAME,
    ChunkedPartitionedDataset,
    PartitionWriter,
    WrittenPartition,
)


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


# --- Content digests: a finished partition is trusted by its bytes, not its name (issue 10) ----

def _lazy_counted(calls: list[str], frames: dict[str, pd.DataFrame]) -> dict:
    def compute(pid: str):
        def run() -> pd.DataFrame:
            calls.append(pid)
            return frames[pid]
        return run
    return {pid: compute(pid) for pid in frames}


def test_the_manifest_records_each_partition_digest(tmp_path: Path) -> None:
    ds = _dataset(tmp_path / "parts")
    ds.save({"p0": _frame(0), "p1": _frame(1)})
    manifest = json.loads((tmp_path / "parts" / MANIFEST_NAME).read_text())
    assert manifest["partitions"] == ["p0", "p1"]
    assert manifest["sha256"] == {
        pid: hashlib.sha256((tmp_path / "parts" / f"{pid}.parquet").read_bytes()).hexdigest()
        for pid in ("p0", "p1")}


@pytest.mark.parametrize("damage", ["truncated", "other content"])
def test_a_damaged_finished_partition_is_recomputed_with_a_warning(
        tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture) -> None:
    frames = {f"p{i}": _frame(i) for i in range(3)}
    ds = _dataset(tmp_path / "parts", skip_existing=True)
    calls: list[str] = []
    ds.save(_lazy_counted(calls, frames))
    p1 = tmp_path / "parts" / "p1.parquet"
    if damage == "truncated":
        p1.write_bytes(p1.read_bytes()[:100])
    else:
        _frame(99).to_parquet(p1)  # valid parquet, wrong content
    calls.clear()
    with caplog.at_level(logging.WARNING):
        ds.save(_lazy_counted(calls, frames))
    assert calls == ["p1"]  # only the damaged one is computed again
    assert "p1 does not match the digest recorded when it was written" in caplog.text
    assert ds.load()["p1"]().equals(_frame(1))


def test_load_refuses_a_partition_changed_after_its_save(tmp_path: Path) -> None:
    ds = _dataset(tmp_path / "parts")
    ds.save({"p0": _frame(0), "p1": _frame(1)})
    _frame(99).to_parquet(tmp_path / "parts" / "p1.parquet")
    loaded = _dataset(tmp_path / "parts").load()  # a later run: nothing verified yet
    assert loaded["p0"]().equals(_frame(0))
    with pytest.raises(DatasetError, match=r"partition 'p1' does not match the digest recorded "
                                           r"when it was written.*run the node that writes it"):
        loaded["p1"]()


def test_partitions_of_an_interrupted_save_are_kept_only_while_intact(tmp_path: Path) -> None:
    frames = {f"p{i}": _frame(i) for i in range(4)}
    ds = _dataset(tmp_path / "parts", skip_existing=True)

    def interrupted():
        yield "p0", frames["p0"]
        yield "p1", frames["p1"]
        raise RuntimeError("killed")

    with pytest.raises(DatasetError, match="killed"):
        ds.save(interrupted())
    assert not (tmp_path / "parts" / MANIFEST_NAME).exists()
    (tmp_path / "parts" / "p0.parquet").write_bytes(b"PAR1 torn")
    calls: list[str] = []
    _dataset(tmp_path / "parts", skip_existing=True).save(_lazy_counted(calls, frames))
    assert calls == ["p0", "p2", "p3"]  # p1 finished intact before the interruption: kept
    loaded = _dataset(tmp_path / "parts").load()
    assert all(loaded[pid]().equals(frame) for pid, frame in frames.items())


class _Prefetching(dict):
    """Partition functions that record what the dataset announces and what it calls."""

    def __init__(self, frames: dict[str, pd.DataFrame]) -> None:
        super().__init__({pid: (lambda pid=pid: self._call(pid)) for pid in frames})
        self.frames = frames
        self.events: list[tuple[str, object]] = []

    def prefetch(self, partition_ids: list[str], writer: PartitionWriter) -> None:
        self.events.append(("prefetch", partition_ids))
        self.writer = writer

    def _call(self, partition_id: str) -> pd.DataFrame:
        self.events.append(("call", partition_id))
        return self.frames[partition_id]


def test_prefetch_announces_only_the_partitions_to_compute_before_any(tmp_path: Path) -> None:
    ds = _dataset(tmp_path / "parts", skip_existing=True)
    ds.save({"p0": _frame(0), "p2": _frame(2)})
    data = _Prefetching({f"p{i}": _frame(i) for i in range(4)})
    ds.save(data)
    assert data.events == [("prefetch", ["p1", "p3"]), ("call", "p1"), ("call", "p3")]
    assert list(ds.load()) == ["p0", "p1", "p2", "p3"]
    written = data.writer("p9", _frame(9))  # the writer writes beside the partition's place
    assert written.tmp_path.startswith(str(tmp_path / "parts" / "p9.parquet."))


class _WrittenElsewhere(dict):
    """Partitions written by another process with the save's writer (as Dask workers do)."""

    def __init__(self, frames: dict[str, pd.DataFrame], pool: ProcessPoolExecutor) -> None:
        super().__init__({pid: (lambda pid=pid: self._written(pid)) for pid in frames})
        self.frames, self.pool = frames, pool

    def prefetch(self, partition_ids: list[str], writer: PartitionWriter) -> None:
        self.writer = writer

    def _written(self, partition_id: str) -> WrittenPartition:
        first = self.pool.submit(self.writer, partition_id, self.frames[partition_id]).result()
        if partition_id != "p1":
            return first
        # p1's task ran twice (a worker lost after writing): the second copy is the one kept
        again = self.pool.submit(self.writer, partition_id, self.frames[partition_id]).result()
        assert again.tmp_path != first.tmp_path and again.sha256 == first.sha256
        return again


def test_partitions_written_by_another_process_are_moved_into_place(tmp_path: Path) -> None:
    frames = {f"p{i}": _frame(i) for i in range(3)}
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        _dataset(tmp_path / "parts").save(_WrittenElsewhere(frames, pool))
    loaded = _dataset(tmp_path / "parts").load()  # digests recorded: each file is checked
    assert all(loaded[pid]().equals(frame) for pid, frame in frames.items())
    assert sorted(p.name for p in (tmp_path / "parts").iterdir()) == [
        MANIFEST_NAME, "p0.parquet", "p1.parquet", "p2.parquet"]  # no temporary file left
    calls: list[str] = []
    _dataset(tmp_path / "parts", skip_existing=True).save(_lazy_counted(calls, frames))
    assert calls == []  # a resumed run keeps them


class _StreamWrittenElsewhere:
    """A stream of partitions written by another process with the writer the save hands it
    (as the recipient staging's Dask tasks do)."""

    def __init__(self, frames: dict[str, pd.DataFrame], pool: ProcessPoolExecutor) -> None:
        self.frames, self.pool, self.writer = frames, pool, None

    def write_with(self, writer: PartitionWriter) -> None:
        self.writer = writer

    def __iter__(self):
        for pid, frame in self.frames.items():
            yield pid, self.pool.submit(self.writer, pid, frame).result()


def test_a_stream_written_by_another_process_is_moved_into_place(tmp_path: Path) -> None:
    frames = {f"part-{i:05d}": _frame(i) for i in range(3)}
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        _dataset(tmp_path / "parts").save(_StreamWrittenElsewhere(frames, pool))
    _dataset(tmp_path / "sequential").save(iter(frames.items()))
    loaded = _dataset(tmp_path / "parts").load()
    assert all(loaded[pid]().equals(frame) for pid, frame in frames.items())
    assert sorted(p.name for p in (tmp_path / "parts").iterdir()) == [
        MANIFEST_NAME, *(f"{pid}.parquet" for pid in frames)]  # no temporary file left
    for pid in frames:  # byte for byte what the dataset writes itself
        assert (tmp_path / "parts" / f"{pid}.parquet").read_bytes() == (
            tmp_path / "sequential" / f"{pid}.parquet").read_bytes()


def test_a_written_partition_whose_file_is_gone_fails_naming_it(tmp_path: Path) -> None:
    ds = _dataset(tmp_path / "parts")
    gone = WrittenPartition("p0", str(tmp_path / "parts" / "p0.parquet.x.tmp"), "0" * 64)
    with pytest.raises(DatasetError, match=r"partition 'p0' was not written .*p0\.parquet\.x"):
        ds.save({"p0": lambda: gone})
