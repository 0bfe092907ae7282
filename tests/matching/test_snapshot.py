"""The recipient index saved as files and opened again by mapping them links exactly like the
index it was saved from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from enrichment_inputs import configured_settings, generated
from matching_worlds import generated_model

from sbir_enrichment.matching import RecipientIndex, link_awards
from sbir_enrichment.matching.partitions import SharedStatistics, partition_index
from sbir_enrichment.matching.snapshot import VALUES_FILE, open_index, save_index


def test_an_opened_index_maps_its_files_and_links_like_the_saved_one(tmp_path: Path) -> None:
    awards, index_frame, _ = generated()
    settings = configured_settings()
    built = RecipientIndex.from_frames([index_frame], settings)
    save_index(built, tmp_path)
    opened = open_index(tmp_path)
    assert isinstance(opened.compact.packed, np.memmap)
    assert isinstance(opened.name_bits, np.memmap)
    assert opened.recipients.equals(built.recipients)
    assert all(column.num_chunks == 1 for column in opened.recipients.columns)
    assert list(opened.states) == list(built.states)
    assert opened.name_ends == built.name_ends
    for file in tmp_path.iterdir():  # the mappings outlive the files
        file.unlink()
    model = generated_model()
    assert link_awards(awards, opened, model, settings).equals(
        link_awards(awards, built, model, settings))


def test_an_index_of_no_recipients_saves_and_opens(tmp_path: Path) -> None:
    _, index_frame, _ = generated()
    built = RecipientIndex.from_frames([index_frame.iloc[:0]], configured_settings())
    save_index(built, tmp_path)
    opened = open_index(tmp_path)
    assert len(opened) == 0
    assert len(opened.words.packed) == 0


def test_an_interrupted_save_is_not_a_saved_index(tmp_path: Path) -> None:
    _, index_frame, _ = generated()
    save_index(RecipientIndex.from_frames([index_frame], configured_settings()), tmp_path)
    (tmp_path / VALUES_FILE).unlink()  # written last: a save killed before it has none
    with pytest.raises(FileNotFoundError):
        open_index(tmp_path)


def test_a_partitions_index_is_not_saved(tmp_path: Path) -> None:
    _, index_frame, _ = generated()
    settings = configured_settings()
    tables = [RecipientIndex.table_of(index_frame)]
    shared = SharedStatistics.of((t.column("name_norm") for t in tables), settings)
    partition = partition_index(tables, settings, shared=shared, partitions=2, partition=0)
    with pytest.raises(ValueError, match="whole recipient table"):
        save_index(partition, tmp_path)
