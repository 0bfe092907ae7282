"""VersionHistoryDataset: every saved version of a versioned dataset, oldest first, lazily."""

from __future__ import annotations

from pathlib import Path

import pytest
from kedro.io.core import DatasetError, Version
from kedro_datasets.json import JSONDataset

from sbir_enrichment.datasets.version_history import VersionHistoryDataset


def _save(path: Path, version: str, data: dict) -> None:
    JSONDataset(filepath=str(path), version=Version(None, version)).save(data)


def test_no_versions_loads_empty(tmp_path):
    history = VersionHistoryDataset(
        dataset={"type": "json.JSONDataset", "filepath": str(tmp_path / "report.json")})
    assert history.load() == {}
    assert not history.exists()


def test_loads_each_version_oldest_first(tmp_path):
    path = tmp_path / "report.json"
    _save(path, "2026-01-02T00.00.00.000Z", {"run": 2})
    _save(path, "2026-01-01T00.00.00.000Z", {"run": 1})
    (tmp_path / "report.json" / "notes.txt").write_text("not a version")
    history = VersionHistoryDataset(dataset={"type": "json.JSONDataset", "filepath": str(path)})
    loaded = history.load()
    assert list(loaded) == ["2026-01-01T00.00.00.000Z", "2026-01-02T00.00.00.000Z"]
    assert [load() for load in loaded.values()] == [{"run": 1}, {"run": 2}]
    assert history.exists()


def test_is_read_only_and_needs_a_filepath(tmp_path):
    history = VersionHistoryDataset(
        dataset={"type": "json.JSONDataset", "filepath": str(tmp_path / "r.json")})
    with pytest.raises(DatasetError, match="read-only"):
        history.save({})
    with pytest.raises(DatasetError, match="'type' and 'filepath'"):
        VersionHistoryDataset(dataset={"type": "json.JSONDataset"})
