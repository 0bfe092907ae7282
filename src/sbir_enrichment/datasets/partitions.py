"""A partitioned dataset whose saves are atomic, resumable and streamed.

``ChunkedPartitionedDataset`` extends kedro-datasets' ``PartitionedDataset``:

- ``save`` takes a mapping ``{partition_id: data or callable}`` *or* an iterable of
  ``(partition_id, data)`` pairs, so a node can stream chunks of unknown count in bounded memory;
- each partition is written to a temporary file and renamed into place, so a killed run never
  leaves a half-written partition that looks finished;
- with ``skip_existing: true`` a partition whose file already exists is neither computed nor
  written again (resume after an interruption: partition ids carry a fingerprint of their inputs);
- a manifest (``_MANIFEST.json``) listing the partitions of the last *completed* save is written
  last; ``load`` returns exactly those partitions and refuses a directory whose last save did not
  complete, so stale or partial output is never read as complete.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from copy import deepcopy
from typing import Any

from kedro.io.core import DatasetError
from kedro_datasets.partitions import PartitionedDataset

logger = logging.getLogger(__name__)

MANIFEST_NAME = "_MANIFEST.json"
_TMP_SUFFIX = ".tmp"


class ChunkedPartitionedDataset(PartitionedDataset):
    """``PartitionedDataset`` with atomic, resumable, streamed saves and a completion manifest."""

    def __init__(
        self, *, skip_existing: bool = False, prune: bool = True, **kwargs: Any
    ) -> None:
        """Create the dataset.

        Args:
            skip_existing: Keep partitions whose file exists instead of recomputing them.
            prune: After a completed save, delete partition files not part of that save.
            **kwargs: ``PartitionedDataset`` arguments (``path``, ``dataset``, ``filename_suffix``).
        """
        if kwargs.get("overwrite"):
            raise DatasetError("ChunkedPartitionedDataset replaces 'overwrite' with 'prune'.")
        super().__init__(**kwargs)
        if not self._filename_suffix:
            raise DatasetError("ChunkedPartitionedDataset needs a 'filename_suffix' ('.parquet').")
        self._skip_existing = skip_existing
        self._prune = prune

    @property
    def _manifest_path(self) -> str:
        return f"{self._normalized_path.rstrip(self._sep)}{self._sep}{MANIFEST_NAME}"

    def _read_manifest(self) -> list[str] | None:
        fs = self._filesystem
        if not fs.exists(self._manifest_path):
            return None
        with fs.open(self._manifest_path, "r") as handle:
            return json.load(handle)["partitions"]

    def load(self) -> dict[str, Callable[[], Any]]:
        """Lazy loaders of the partitions written by the last completed save."""
        self._invalidate_caches()
        listed = self._read_manifest()
        if listed is None:
            raise DatasetError(
                f"'{self._path}' has no {MANIFEST_NAME}: its last save did not complete "
                "(or it was never written). Re-run the node that writes it."
            )
        loaders = super().load() if listed else {}  # a completed save of zero partitions
        missing = sorted(set(listed) - set(loaders))
        if missing:
            raise DatasetError(f"'{self._path}' lists partitions that are missing: {missing[:5]}")
        return {pid: loaders[pid] for pid in listed}

    def existing_partitions(self) -> set[str]:
        """Partition ids whose files exist now, complete or not listed in a manifest."""
        self._invalidate_caches()
        return {self._path_to_partition(path) for path in self._list_partitions()}

    def save(self, data: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        """Write every partition atomically, then the manifest of this save."""
        fs = self._filesystem
        if fs.exists(self._manifest_path):
            fs.rm(self._manifest_path)
        items = sorted(data.items()) if isinstance(data, Mapping) else data
        existing = self.existing_partitions() if self._skip_existing else set()
        written: list[str] = []
        skipped = 0
        started = time.perf_counter()
        for partition_id, partition_data in items:
            if partition_id in written:
                raise DatasetError(f"Partition '{partition_id}' saved twice to '{self._path}'.")
            written.append(partition_id)
            if partition_id in existing:
                skipped += 1
                continue
            value = partition_data() if callable(partition_data) else partition_data
            self._save_partition_atomically(partition_id, value)
        if skipped:
            logger.info("%s: kept %d finished partition(s) of an earlier run", self._path, skipped)
        if self._prune:
            self._remove_partitions_except(set(written))
        fs.makedirs(self._normalized_path, exist_ok=True)  # no partition may have created it
        with fs.open(self._manifest_path, "w") as handle:
            json.dump({"partitions": written}, handle, indent=1)
        self._invalidate_caches()
        logger.info(
            "%s: %d partition(s) complete (%d written) in %.1f s",
            self._path, len(written), len(written) - skipped, time.perf_counter() - started,
        )

    def _save_partition_atomically(self, partition_id: str, value: Any) -> None:
        final_path = self._partition_to_path(partition_id)
        tmp_path = final_path + _TMP_SUFFIX
        kwargs = deepcopy(self._dataset_config)
        kwargs[self._filepath_arg] = self._join_protocol(tmp_path)
        self._dataset_type(**kwargs).save(value)  # type: ignore[misc]
        self._filesystem.mv(tmp_path, final_path)

    def _remove_partitions_except(self, keep: set[str]) -> None:
        fs = self._filesystem
        for partition_id in self.existing_partitions() - keep:
            fs.rm(self._partition_to_path(partition_id))
        if fs.exists(self._normalized_path):
            for path in fs.find(self._normalized_path):
                if path.endswith(_TMP_SUFFIX):
                    fs.rm(path)
