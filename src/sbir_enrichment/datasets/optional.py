"""A dataset that may be absent: loads as ``None`` when the wrapped dataset does not exist.

``OptionalDataset`` wraps any dataset config (``pandas.CSVDataset``...). The enrichment's
``match_truth`` is one: generated samples carry a truth file, real exports do not, and the
accuracy report says ``has_truth: false`` instead of the run failing. ``frozen_match_model`` is
another: absent, the run estimates its model; present (``kedro run --pipelines
freeze_match_model`` writes it), the run reuses it.
"""

from __future__ import annotations

from typing import Any

from kedro.io.core import AbstractDataset, parse_dataset_definition


class OptionalDataset(AbstractDataset[Any, Any]):
    """The wrapped dataset's data, or ``None`` when it does not exist."""

    def __init__(self, *, dataset: dict[str, Any], metadata: dict[str, Any] | None = None
                 ) -> None:
        """Create the optional input.

        Args:
            dataset: Config of the wrapped dataset (``type`` plus its arguments).
            metadata: Free-form metadata, ignored by Kedro.
        """
        dataset_type, config = parse_dataset_definition(dict(dataset))
        self._dataset = dataset_type(**config)
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"optional": self._dataset._describe()}

    def load(self) -> Any:
        """The wrapped dataset's data, or ``None`` when it does not exist."""
        return self._dataset.load() if self._dataset.exists() else None

    def save(self, data: Any) -> None:
        """Write ``data`` to the wrapped dataset."""
        self._dataset.save(data)

    def _exists(self) -> bool:
        return self._dataset.exists()
