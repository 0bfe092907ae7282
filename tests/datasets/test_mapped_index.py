"""MappedIndexDataset: the recipient index saved once, opened by mapping in any process."""

from __future__ import annotations

import multiprocessing
import pickle
import uuid
from pathlib import Path

import numpy as np
import pytest
from enrichment_inputs import configured_settings, generated
from kedro.io.core import DatasetError
from matching_worlds import generated_model

from sbir_enrichment.datasets.mapped_index import CURRENT, IndexFiles, MappedIndexDataset
from sbir_enrichment.matching import RecipientIndex, link_awards


@pytest.fixture(scope="module")
def built() -> RecipientIndex:
    _, index_frame, _ = generated()
    return RecipientIndex.from_frames([index_frame], configured_settings())


def _links(index: RecipientIndex) -> bytes:
    awards, _, _ = generated()
    linked = link_awards(awards, index, generated_model(), configured_settings())
    return pickle.dumps(linked)


def _links_in_this_process(open_index: IndexFiles) -> bytes:
    return _links(open_index())


def test_a_saved_index_loads_mapped_and_links_like_the_built_one(
        tmp_path: Path, built: RecipientIndex) -> None:
    dataset = MappedIndexDataset(path=str(tmp_path / "lookup"))
    assert not dataset.exists()
    dataset.save(built)
    loaded = dataset.load()
    assert isinstance(loaded.compact.packed, np.memmap)
    assert loaded.recipients.equals(built.recipients)
    assert _links(loaded) == _links(built)
    assert isinstance(loaded.reopen, IndexFiles)
    assert loaded.reopen().recipients.equals(built.recipients)


def test_a_new_save_replaces_the_older_while_what_was_opened_stays_readable(
        tmp_path: Path, built: RecipientIndex) -> None:
    dataset = MappedIndexDataset(path=str(tmp_path / "lookup"))
    dataset.save(built)
    first = dataset.load()
    dataset.save(built)
    second = dataset.load()
    assert first.reopen != second.reopen
    kept = sorted(path.name for path in (tmp_path / "lookup").iterdir())
    assert kept == sorted([CURRENT, Path(second.reopen.url).name])
    assert first.recipients.equals(built.recipients)  # its files are gone, its mapping is not
    with pytest.raises(DatasetError, match="same path"):
        first.reopen()  # what another process asking for the older save is told


def test_another_process_opens_the_same_index_from_its_files(
        tmp_path: Path, built: RecipientIndex) -> None:
    dataset = MappedIndexDataset(path=str(tmp_path / "lookup"))
    dataset.save(built)
    reopen = dataset.load().reopen
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        assert pool.apply(_links_in_this_process, (reopen,)) == _links(built)


def test_an_index_on_a_remote_file_system_is_copied_then_mapped(built: RecipientIndex) -> None:
    root = f"memory:///lookup-{uuid.uuid4().hex}"
    dataset = MappedIndexDataset(path=root)
    dataset.save(built)
    loaded = dataset.load()
    assert loaded.reopen.url.startswith(root)
    assert isinstance(loaded.words.packed, np.memmap)
    assert _links(loaded) == _links(built)


def test_loading_before_any_save_names_the_path_and_the_node(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"lookup: no recipient index saved.*index_recipients"):
        MappedIndexDataset(path=str(tmp_path / "lookup")).load()
