"""A partitioned dataset whose saves are atomic, resumable, streamed and content-checked.

``ChunkedPartitionedDataset`` extends kedro-datasets' ``PartitionedDataset``:

- ``save`` takes a mapping ``{partition_id: data or callable}`` *or* an iterable of
  ``(partition_id, data)`` pairs, so a node can stream chunks of unknown count in bounded memory;
- each partition is written to a temporary file and renamed into place, so a killed run never
  leaves a half-written partition that looks finished;
- each finished partition's SHA-256 (over its file's bytes, as written) is recorded: in a
  journal (``_WRITTEN.jsonl``) just before it is renamed into place, then in the manifest;
- with ``skip_existing: true`` a partition whose file exists and still has its recorded digest
  is neither computed nor written again (resume after an interruption: partition ids carry a
  fingerprint of their inputs); a file that does not match (truncated, rewritten) or has no
  recorded digest is computed again, with a warning;
- a mapping of callables with a ``prefetch`` method is told which partitions the save will
  compute before any is, and given a ``PartitionWriter``: it may have them computed and written
  elsewhere (``enrichment.on_cluster``: Dask workers), its callables then returning the
  ``WrittenPartition``; the save journals each and moves it into place, as its own. A stream
  with a ``write_with`` method is given the writer the same way, and may yield
  ``(partition_id, WrittenPartition)`` pairs (``ingestion.on_cluster``);
- a manifest (``_MANIFEST.json``) listing the partitions of the last *completed* save, with their
  digests, is written last; ``load`` returns exactly those partitions, refuses a directory whose
  last save did not complete, and each loader checks its file against the digest before
  reading it (once per file and process: a file this process wrote or checked, and whose size
  and modification time are unchanged, is not hashed again).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from copy import deepcopy
from dataclasses import dataclass
from functools import partial
from typing import Any

from kedro.io.core import DatasetError
from kedro_datasets.partitions import PartitionedDataset

logger = logging.getLogger(__name__)

MANIFEST_NAME = "_MANIFEST.json"
JOURNAL_NAME = "_WRITTEN.jsonl"
_TMP_SUFFIX = ".tmp"


@dataclass(frozen=True)
class WrittenPartition:
    """A partition written to a temporary file beside its place, with the file's SHA-256."""

    partition_id: str
    tmp_path: str
    sha256: str


@dataclass(frozen=True)
class PartitionWriter:
    """Writes partitions of one save as the dataset would, from any process that sees its
    storage (it pickles: a Dask worker can call it); the save moves them into place."""

    filesystem: Any
    dataset_type: type
    dataset_config: dict[str, Any]
    filepath_arg: str
    directory: str
    """The dataset's directory, without its storage protocol."""
    separator: str
    filename_suffix: str
    protocol_prefix: str
    """``"s3://"`` and the like when the dataset's path has one, else empty."""

    def __call__(self, partition_id: str, value: Any) -> WrittenPartition:
        """Write ``value`` to a temporary file of its own (a retried task writes another)."""
        # As PartitionedDataset._partition_to_path places it (where the save moves it to).
        path = self.separator.join([self.directory, partition_id.lstrip(self.separator)]
                                   ) + self.filename_suffix
        suffix = f".{uuid.uuid4().hex[:12]}{_TMP_SUFFIX}"
        kwargs = deepcopy(self.dataset_config)
        kwargs[self.filepath_arg] = self.protocol_prefix + path + suffix
        self.dataset_type(**kwargs).save(value)
        with self.filesystem.open(path + suffix, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        return WrittenPartition(partition_id, path + suffix, digest)


class ChunkedPartitionedDataset(PartitionedDataset):
    """``PartitionedDataset`` with atomic, resumable, streamed, digest-checked saves."""

    def __init__(
        self, *, skip_existing: bool = False, prune: bool = True, written_by: str | None = None,
        **kwargs: Any
    ) -> None:
        """Create the dataset.

        Args:
            skip_existing: Keep partitions whose file exists (with its recorded digest) instead
                of recomputing them.
            prune: After a completed save, delete partition files not part of that save.
            written_by: The pipeline that writes it, named when a load finds no complete save.
            **kwargs: ``PartitionedDataset`` arguments (``path``, ``dataset``, ``filename_suffix``).
        """
        if kwargs.get("overwrite"):
            raise DatasetError("ChunkedPartitionedDataset replaces 'overwrite' with 'prune'.")
        super().__init__(**kwargs)
        if not self._filename_suffix:
            raise DatasetError("ChunkedPartitionedDataset needs a 'filename_suffix' ('.parquet').")
        self._skip_existing = skip_existing
        self._prune = prune
        self._written_by = written_by
        self._checked: dict[str, tuple[Any, ...]] = {}  # path -> file state known to match

    def _in_directory(self, name: str) -> str:
        return f"{self._normalized_path.rstrip(self._sep)}{self._sep}{name}"

    @property
    def _manifest_path(self) -> str:
        return self._in_directory(MANIFEST_NAME)

    def _read_manifest(self) -> dict[str, Any] | None:
        fs = self._filesystem
        if not fs.exists(self._manifest_path):
            return None
        with fs.open(self._manifest_path, "r") as handle:
            return json.load(handle)

    def _read_journal(self) -> dict[str, str]:
        """Digests of partitions renamed into place by a save that did not complete."""
        path, digests = self._in_directory(JOURNAL_NAME), {}
        if self._filesystem.exists(path):
            with self._filesystem.open(path, "r") as handle:
                for line in handle:
                    try:
                        entry = json.loads(line)
                    except json.JSONDecodeError:
                        continue  # a line torn by a kill
                    digests[entry["id"]] = entry["sha256"]
        return digests

    def _file_state(self, path: str) -> tuple[Any, ...]:
        info = self._filesystem.info(path)
        return info.get("size"), info.get("mtime"), info.get("ino")

    def _digest(self, path: str) -> str:
        with self._filesystem.open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()

    def _writer(self) -> PartitionWriter:
        """A writer of this dataset's partitions."""
        directory = self._filesystem._strip_protocol(self._normalized_path).rstrip(self._sep)
        prefix = f"{self._protocol}://"
        return PartitionWriter(self._filesystem, self._dataset_type, self._dataset_config,
                               self._filepath_arg, directory, self._sep, self._filename_suffix,
                               prefix if self._path.startswith(prefix) else "")

    def _matches(self, partition_id: str, expected: str | None) -> bool:
        """Whether the partition's file has the digest ``expected`` (checked once a state)."""
        path = self._partition_to_path(partition_id)
        if expected is None:
            return False
        state = self._file_state(path)
        if self._checked.get(path) == (*state, expected):
            return True
        if self._digest(path) != expected:
            return False
        self._checked[path] = (*state, expected)
        return True

    def load(self) -> dict[str, Callable[[], Any]]:
        """Lazy loaders of the partitions written by the last completed save."""
        self._invalidate_caches()
        manifest = self._read_manifest()
        if manifest is None:
            rerun = (f"run `kedro run --pipelines {self._written_by}`" if self._written_by
                     else "re-run the node that writes it")
            raise DatasetError(
                f"'{self._path}' has no {MANIFEST_NAME}: its last save did not complete "
                f"(or it was never written); {rerun}."
            )
        listed = manifest["partitions"]
        loaders = super().load() if listed else {}  # a completed save of zero partitions
        missing = sorted(set(listed) - set(loaders))
        if missing:
            raise DatasetError(f"'{self._path}' lists partitions that are missing: {missing[:5]}")
        digests = manifest.get("sha256")
        if digests is None:
            logger.warning("%s: written by an older version, without partition digests; their "
                           "content is not checked until the node that writes it runs again",
                           self._path)
            return {pid: loaders[pid] for pid in listed}
        return {pid: partial(self._checked_load, pid, digests.get(pid), loaders[pid])
                for pid in listed}

    def _checked_load(self, partition_id: str, expected: str | None,
                      load: Callable[[], Any]) -> Any:
        if not self._matches(partition_id, expected):
            raise DatasetError(
                f"'{self._path}': partition '{partition_id}' does not match the digest recorded "
                f"when it was written (truncated or changed since); run the node that writes it "
                f"again (it checks its finished partitions and recomputes such ones)."
            )
        return load()

    def existing_partitions(self) -> set[str]:
        """Partition ids whose files exist now, complete or not listed in a manifest."""
        self._invalidate_caches()
        return {self._path_to_partition(path) for path in self._list_partitions()}

    def _recorded_digests(self) -> dict[str, str]:
        """Digests of finished partitions: the last completed save's, then an unfinished one's."""
        manifest = self._read_manifest() or {}
        return {**manifest.get("sha256", {}), **self._read_journal()}

    def _finished(self, partition_id: str, existing: set[str], recorded: dict[str, str]) -> bool:
        """Whether the partition's file exists with its recorded digest (it is kept)."""
        if partition_id not in existing:
            return False
        expected = recorded.get(partition_id)
        if self._matches(partition_id, expected):
            return True
        if expected is not None:
            logger.warning("%s: partition %s does not match the digest recorded when it was "
                           "written (truncated or changed since); computing it again",
                           self._path, partition_id)
        return False

    def save(self, data: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        """Write every partition atomically, then the manifest of this save.

        A mapping with a ``prefetch(partition_ids, writer)`` method is told, before any is
        computed, which of its partitions this save will compute, in order (so it can start them
        ahead), and given their ``PartitionWriter``; its callables may return what it wrote. A
        stream with a ``write_with(writer)`` method is given the writer before it is read; it
        may yield what it wrote.
        """
        fs = self._filesystem
        recorded = self._recorded_digests() if self._skip_existing else {}
        fs.makedirs(self._normalized_path, exist_ok=True)
        journal = self._in_directory(JOURNAL_NAME)
        with fs.open(journal + _TMP_SUFFIX, "w") as handle:  # what this save may still keep
            handle.writelines(json.dumps({"id": pid, "sha256": digest}) + "\n"
                              for pid, digest in recorded.items())
        fs.mv(journal + _TMP_SUFFIX, journal)
        if fs.exists(self._manifest_path):
            fs.rm(self._manifest_path)
        items = sorted(data.items()) if isinstance(data, Mapping) else data
        existing = self.existing_partitions() if self._skip_existing else set()
        planned: Iterable[tuple[str, Any, bool]] = (
            (pid, value, self._finished(pid, existing, recorded)) for pid, value in items)
        if isinstance(data, Mapping) and hasattr(data, "prefetch"):
            planned = list(planned)
            computed = [pid for pid, _, finished in planned if not finished]
            data.prefetch(computed, self._writer())
        elif hasattr(data, "write_with"):
            data.write_with(self._writer())
        written: dict[str, str] = {}
        kept = unrecorded = 0
        started = time.perf_counter()
        for partition_id, partition_data, finished in planned:
            if partition_id in written:
                raise DatasetError(f"Partition '{partition_id}' saved twice to '{self._path}'.")
            if finished:
                written[partition_id] = recorded[partition_id]
                kept += 1
                continue
            unrecorded += partition_id in existing and partition_id not in recorded
            value = partition_data() if callable(partition_data) else partition_data
            written[partition_id] = self._save_partition_atomically(partition_id, value)
        if kept:
            logger.info("%s: kept %d finished partition(s) of an earlier run", self._path, kept)
        if unrecorded:
            logger.warning("%s: computed %d existing partition(s) again: no digest was recorded "
                           "for them (an older version wrote them)", self._path, unrecorded)
        if self._prune:
            self._remove_partitions_except(set(written))
        with fs.open(self._manifest_path, "w") as handle:
            json.dump({"partitions": list(written), "sha256": written}, handle, indent=1)
        fs.rm(journal)
        self._invalidate_caches()
        logger.info(
            "%s: %d partition(s) complete (%d written) in %.1f s",
            self._path, len(written), len(written) - kept, time.perf_counter() - started,
        )

    def _save_partition_atomically(self, partition_id: str, value: Any) -> str:
        """Write one partition via a temporary file (unless it was written elsewhere: a
        ``WrittenPartition``) and move it into place; returns its digest, also journalled."""
        written = value if isinstance(value, WrittenPartition) \
            else self._writer()(partition_id, value)
        if written.partition_id != partition_id or not self._filesystem.exists(written.tmp_path):
            raise DatasetError(f"'{self._path}': partition '{partition_id}' was not written "
                               f"({written.tmp_path} is missing)")
        final_path = self._partition_to_path(partition_id)
        # Journalled before the move: a file in place always has its digest recorded, even
        # when the run is killed between the two (a digest without its file is never kept).
        with self._filesystem.open(self._in_directory(JOURNAL_NAME), "a") as handle:
            handle.write(json.dumps({"id": partition_id, "sha256": written.sha256}) + "\n")
        self._filesystem.mv(written.tmp_path, final_path)
        self._checked[final_path] = (*self._file_state(final_path), written.sha256)
        return written.sha256

    def _remove_partitions_except(self, keep: set[str]) -> None:
        fs = self._filesystem
        for partition_id in self.existing_partitions() - keep:
            fs.rm(self._partition_to_path(partition_id))
        if fs.exists(self._normalized_path):
            for path in fs.find(self._normalized_path):
                if path.endswith(_TMP_SUFFIX):
                    fs.rm(path)
