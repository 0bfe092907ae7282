"""The recipient index saved once as files, then mapped by every process that loads it.

Under ``kedro run --env dask`` the driver builds the index once (``index_recipients_node``),
this dataset saves it, and every Dask worker opens the same files (``IndexFiles``) instead of
building an index of its own: opening maps them (``matching.snapshot``), which takes
milliseconds, and processes on one machine share the pages.

Layout under ``path``: a directory per save, named by a fresh id, and ``CURRENT``, the id of the
newest. A save writes its directory, then replaces ``CURRENT``, then removes the older
directories (a process that has their files open keeps reading them). A local path, or a file
system every host mounts, is mapped in place; from any other fsspec URL (``s3://…``) a loading
process copies the files to a local temporary directory, maps them and removes the copies.
"""

from __future__ import annotations

import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import fsspec
from fsspec.implementations.local import LocalFileSystem
from kedro.io.core import AbstractDataset, DatasetError, get_protocol_and_path

from sbir_enrichment.matching import RecipientIndex
from sbir_enrichment.matching.snapshot import VALUES_FILE, open_index, save_index

CURRENT = "CURRENT"


@dataclass(frozen=True)
class IndexFiles:
    """One saved index; calling this opens it (in any process that can reach ``url``)."""

    url: str
    """The save's directory: a path, or an fsspec URL."""
    storage_options: dict[str, Any] = field(default_factory=dict, repr=False)

    def __call__(self) -> RecipientIndex:
        """The index, its files mapped; ``reopen`` of it is this."""
        fs, path = fsspec.core.url_to_fs(self.url, **self.storage_options)
        if isinstance(fs, LocalFileSystem):
            if not Path(path, VALUES_FILE).exists():  # written last: the save is complete
                raise DatasetError(
                    f"{path}: no saved recipient index here. A Dask worker must see the "
                    "driver's files at the same path (docs/scaling.md).")
            index = open_index(Path(path))
        else:
            with tempfile.TemporaryDirectory(prefix="recipient-index-") as local:
                for name in fs.ls(path, detail=False):
                    fs.get_file(name, str(Path(local, PurePosixPath(name).name)))
                index = open_index(Path(local))  # the mappings outlive the removed copies
        index.reopen = self
        return index


class MappedIndexDataset(AbstractDataset[RecipientIndex, RecipientIndex]):
    """A ``RecipientIndex`` saved as files under ``path`` and loaded by mapping them.

    Example catalog entry (``conf/dask/catalog.yml``)::

        recipient_lookup:
          type: sbir_enrichment.datasets.mapped_index.MappedIndexDataset
          path: data/02_intermediate/recipient_lookup
    """

    def __init__(self, *, path: str, credentials: dict[str, Any] | None = None,
                 fs_args: dict[str, Any] | None = None,
                 metadata: dict[str, Any] | None = None) -> None:
        """Create the dataset.

        Args:
            path: Directory of the saves (any fsspec protocol; mapped in place when local).
            credentials: fsspec storage options (e.g. keys for a cloud store).
            fs_args: Extra fsspec filesystem arguments.
            metadata: Free-form metadata, ignored by Kedro.
        """
        self._protocol, root = get_protocol_and_path(path)
        self._storage_options = {**(credentials or {}), **(fs_args or {})}
        self._fs = fsspec.filesystem(self._protocol, **self._storage_options)
        self._root = PurePosixPath(root)
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"path": str(self._root), "protocol": self._protocol}

    def _files(self, save_id: str) -> IndexFiles:
        path = str(self._root / save_id)
        url = path if self._protocol == "file" else f"{self._protocol}://{path}"
        return IndexFiles(url, self._storage_options)

    def save(self, data: RecipientIndex) -> None:
        """Write ``data`` as a new save, make it the current one, remove the older ones."""
        save_id = uuid.uuid4().hex
        target = self._root / save_id
        if isinstance(self._fs, LocalFileSystem):
            Path(target).mkdir(parents=True)
            save_index(data, Path(target))
        else:
            with tempfile.TemporaryDirectory(prefix="recipient-index-") as local:
                save_index(data, Path(local))
                for written in sorted(Path(local).iterdir(), key=lambda f: f.name == VALUES_FILE):
                    self._fs.put_file(str(written), str(target / written.name))
        pending = str(self._root / f".{CURRENT}.{save_id}")
        self._fs.pipe_file(pending, save_id.encode())
        self._fs.mv(pending, str(self._root / CURRENT))
        for entry in self._fs.ls(str(self._root), detail=False):
            if PurePosixPath(entry).name not in (CURRENT, save_id):
                self._fs.rm(entry, recursive=True)

    def load(self) -> RecipientIndex:
        """The current save, mapped (a copy of a remote one, mapped)."""
        current = str(self._root / CURRENT)
        if not self._fs.exists(current):
            raise DatasetError(f"{self._root}: no recipient index saved here yet; "
                               "index_recipients_node saves it.")
        return self._files(self._fs.cat_file(current).decode().strip())()

    def _exists(self) -> bool:
        return self._fs.exists(str(self._root / CURRENT))
