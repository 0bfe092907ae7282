"""OptionalDataset: the wrapped data when it exists, None when it does not; saves write it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sbir_enrichment.datasets.optional import OptionalDataset


def _dataset(path: Path) -> OptionalDataset:
    return OptionalDataset(dataset={"type": "pandas.CSVDataset", "filepath": str(path)})


def test_missing_file_loads_as_none(tmp_path: Path) -> None:
    dataset = _dataset(tmp_path / "match_truth.csv")
    assert not dataset.exists()
    assert dataset.load() is None


def test_existing_file_loads_through_the_wrapped_dataset(tmp_path: Path) -> None:
    path = tmp_path / "match_truth.csv"
    path.write_text("source_row,recipient_hash\n0,abc\n3,def\n")
    dataset = _dataset(path)
    assert dataset.exists()
    pd.testing.assert_frame_equal(dataset.load(), pd.DataFrame(
        {"source_row": [0, 3], "recipient_hash": ["abc", "def"]}))


def test_saving_writes_the_wrapped_dataset(tmp_path: Path) -> None:
    dataset = _dataset(tmp_path / "x.csv")
    assert dataset.load() is None
    dataset.save(pd.DataFrame({"a": [1, 2]}))
    pd.testing.assert_frame_equal(dataset.load(), pd.DataFrame({"a": [1, 2]}))
