"""A versioned dataset that also keeps its newest save at a stable path.

``LatestCopyDataset`` wraps the config of any file dataset (``text.TextDataset``,
``json.JSONDataset``...). With ``versioned: true`` on its catalog entry, a save writes a new
version as the wrapped dataset would (``<filepath>/<version>/<name>``) and then the same data
to ``latest``, a plain file that always holds the newest report (e.g.
``data/08_reporting/latest/quality_report.html``); loads read the versions, as usual.
"""

from __future__ import annotations

from typing import Any

from kedro.io.core import AbstractDataset, Version, parse_dataset_definition


class LatestCopyDataset(AbstractDataset[Any, Any]):
    """Versions of a file dataset, plus a copy of the newest at ``latest``."""

    def __init__(self, *, dataset: dict[str, Any], latest: str, version: Version | None = None,
                 metadata: dict[str, Any] | None = None) -> None:
        """Wrap ``dataset`` (its config) and keep the newest save at ``latest``.

        Args:
            dataset: Config of the wrapped dataset: ``type``, ``filepath`` and its other
                arguments (without ``versioned``: set that on this entry).
            latest: Path of the stable copy.
            version: Load and save version, given by Kedro when the entry is versioned.
            metadata: Free-form metadata, ignored by Kedro.
        """
        dataset_type, config = parse_dataset_definition(dict(dataset))
        self._versions = dataset_type(**config, version=version) if version is not None \
            else dataset_type(**config)
        self._latest = dataset_type(**{**config, "filepath": latest})
        self._latest_path = latest
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {**self._versions._describe(), "latest": self._latest_path}  # noqa: SLF001

    def load(self) -> Any:
        """The requested (by default the newest) version."""
        return self._versions.load()

    def save(self, data: Any) -> None:
        """Write a new version, then the stable copy."""
        self._versions.save(data)
        self._latest.save(data)

    def _exists(self) -> bool:
        return self._versions.exists()
