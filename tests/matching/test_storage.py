"""The array store: arrays kept in memory or in unlinked, mapped files, and an index built both
ways links identically."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from enrichment_inputs import configured_settings, generated
from matching_worlds import generated_model

from sbir_enrichment.matching import RecipientIndex, link_awards
from sbir_enrichment.matching.storage import ArrayStore

PARTS = [
    pa.array(["ACME", None, "", "BETA LABS"]),
    pa.array(["x" * 300, "GAMMA", None]).slice(1),  # a slice: offsets do not start at 0
    pa.chunked_array([pa.array(["DELTA"]), pa.array([], pa.string())]),
    pa.array([], pa.string()),
]


def _expected() -> pa.Array:
    return pa.chunked_array([*PARTS[:2], *PARTS[2].chunks, PARTS[3]]).combine_chunks()


@pytest.mark.parametrize("mapped", [False, True])
def test_strings_are_one_contiguous_array_of_the_parts(tmp_path: Path, mapped: bool) -> None:
    store = ArrayStore(tmp_path if mapped else None)
    column = store.strings()
    for part in PARTS:
        column.append(part)
    built = column.finish()
    assert built.equals(_expected())
    assert built.null_count == 2
    assert store.mapped == mapped
    assert (store.bytes_mapped > 0) == mapped


def test_mapped_arrays_are_read_only_copies_whose_files_are_gone(tmp_path: Path) -> None:
    store = ArrayStore(tmp_path)
    values = np.arange(100_000, dtype=np.uint64) * 7
    kept = store.keep(values)
    assert isinstance(kept, np.memmap)
    np.testing.assert_array_equal(kept, values)
    with pytest.raises(ValueError, match="read-only"):
        kept[0] = 1
    assert list(store.directory.iterdir()) == []  # unlinked once mapped
    store.close()
    assert list(tmp_path.iterdir()) == []
    np.testing.assert_array_equal(kept, values)  # the mapping outlives its file and directory


def test_in_memory_store_keeps_the_array_itself() -> None:
    values = np.arange(10)
    assert ArrayStore().keep(values) is values


def test_directories_of_dead_processes_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    stale = tmp_path / f"recipient-index-{dead.stdout.strip()}-abc"
    stale.mkdir()
    (stale / "0001.bin").write_bytes(b"left by a killed run")
    live = tmp_path / f"recipient-index-{os.getppid()}-def"
    live.mkdir()
    ArrayStore(tmp_path)
    assert not stale.exists()
    assert live.exists()


def test_index_spilled_to_mapped_files_links_exactly_like_the_in_memory_one(
        tmp_path: Path) -> None:
    awards, index_frame, _ = generated()
    settings = configured_settings()
    model = generated_model()
    half = len(index_frame) // 2
    frames = [index_frame.iloc[:half], index_frame.iloc[half:]]
    in_memory = RecipientIndex.from_frames(frames, settings)
    mapped = RecipientIndex.from_frames(frames, settings, ArrayStore(tmp_path))
    assert in_memory.mapped_bytes == 0
    assert mapped.mapped_bytes > 0
    assert isinstance(mapped.compact.packed, np.memmap)
    assert mapped.recipients.equals(in_memory.recipients)
    assert list(tmp_path.iterdir()) == []  # nothing left on disk
    linked = link_awards(awards, in_memory, model, settings)
    assert linked.equals(link_awards(awards, mapped, model, settings))
