"""Read every saved version of a versioned dataset: the history behind trend charts and baselines.

``VersionHistoryDataset`` wraps the config of a versioned dataset (``json.JSONDataset``...) and
loads as ``{version: loader}`` over the ``<filepath>/<version>/<name>`` layout Kedro writes,
oldest first; each loader reads that one version. No versions yet loads as ``{}``, so a first
run (no past reports, no stored baseline) needs no special case. It is read-only: the wrapped
dataset's own catalog entry, with ``versioned: true``, writes new versions.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

import fsspec
from kedro.io.core import (
    AbstractDataset,
    DatasetError,
    Version,
    get_protocol_and_path,
    parse_dataset_definition,
)


class VersionHistoryDataset(AbstractDataset[Any, dict[str, Callable[[], Any]]]):
    """All versions of a versioned dataset as lazy loaders keyed by version string."""

    def __init__(self, *, dataset: dict[str, Any], metadata: dict[str, Any] | None = None
                 ) -> None:
        """Create the history over the versions of ``dataset``.

        Args:
            dataset: Config of the versioned dataset: ``type`` and ``filepath`` (the same
                ``filepath`` as the entry that writes the versions), plus its other arguments.
            metadata: Free-form metadata, ignored by Kedro.
        """
        if "filepath" not in dataset or "type" not in dataset:
            raise DatasetError("VersionHistoryDataset needs 'type' and 'filepath' in 'dataset'.")
        self._dataset_type, self._dataset_config = parse_dataset_definition(dict(dataset))
        protocol, path = get_protocol_and_path(self._dataset_config["filepath"])
        self._fs = fsspec.filesystem(protocol)
        self._path = PurePosixPath(path)
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"dataset_type": self._dataset_type.__name__, "filepath": str(self._path)}

    def versions(self) -> list[str]:
        """Saved version strings, oldest first."""
        pattern = str(self._path / "*" / self._path.name)
        return sorted(PurePosixPath(match).parent.name for match in self._fs.glob(pattern))

    def _loader(self, version: str) -> Callable[[], Any]:
        """A function that loads one version."""
        dataset = self._dataset_type(**self._dataset_config, version=Version(version, None))
        return dataset.load

    def load(self) -> dict[str, Callable[[], Any]]:
        """``{version: loader}`` for every saved version, oldest first; ``{}`` when none."""
        return {version: self._loader(version) for version in self.versions()}

    def save(self, data: Any) -> None:
        """Refuse: versions are written by the wrapped dataset's own catalog entry."""
        raise DatasetError("VersionHistoryDataset is read-only; save through the versioned entry.")

    def _exists(self) -> bool:
        return bool(self.versions())
