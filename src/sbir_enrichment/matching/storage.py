"""Where the recipient index keeps its large arrays: in memory, or in files mapped into memory.

Pages of a mapped file belong to the page cache: under memory pressure the kernel drops them
and reads them back when they are touched again, where anonymous memory must fit or the
process is killed. A mapped store writes each array to a file in a fresh directory, maps it
read-only and unlinks it at once, so a run that is killed leaves at most the file being
written; directories of processes that are gone are removed when the next store opens.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sbir_enrichment.matching.hashing import string_buffers

_PREFIX = "recipient-index-"
_MAX_OFFSET = np.iinfo(np.int32).max


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale(directory: Path) -> None:
    """Remove the store directories of processes that no longer run."""
    for stale in directory.glob(f"{_PREFIX}*"):
        pid = stale.name[len(_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


class _FileArray:
    """One array written part by part to a file, mapped when finished."""

    def __init__(self, store: ArrayStore, path: Path, dtype: type) -> None:
        self._store = store
        self._path = path
        self._dtype = np.dtype(dtype)
        self._file = open(path, "wb")  # noqa: SIM115 (closed by finish)
        self.length = 0

    def append(self, values: np.ndarray) -> None:
        values = np.ascontiguousarray(values, dtype=self._dtype)
        self.length += len(values)
        self._file.write(memoryview(values).cast("B"))

    def finish(self) -> np.ndarray:
        self._file.close()
        return self._store.map(self._path, self._dtype, self.length)


class ArrayStore:
    """Keeps arrays in memory (``directory=None``) or in unlinked, mapped files under it."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory: Path | None = None
        self.bytes_mapped = 0
        self._files = 0
        if directory is not None:
            root = Path(directory)
            root.mkdir(parents=True, exist_ok=True)
            _remove_stale(root)
            self.directory = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-", dir=root))

    @property
    def mapped(self) -> bool:
        """Whether arrays kept here live in mapped files."""
        return self.directory is not None

    def new_path(self) -> Path | None:
        """A fresh file name in the store's directory (``None`` in memory)."""
        if self.directory is None:
            return None
        self._files += 1
        return self.directory / f"{self._files:04d}.bin"

    def map(self, path: Path, dtype: np.dtype, length: int) -> np.ndarray:
        """``length`` values of ``dtype`` in ``path``, mapped read-only; the file is unlinked."""
        if length == 0:
            path.unlink()
            return np.zeros(0, dtype)
        mapped = np.memmap(path, dtype=dtype, mode="r", shape=(length,))
        path.unlink()
        self.bytes_mapped += mapped.nbytes
        return mapped

    def keep(self, array: np.ndarray) -> np.ndarray:
        """``array`` as the store keeps it (itself in memory; a read-only mapped copy)."""
        path = self.new_path()
        if path is None:
            return array
        np.ascontiguousarray(array).tofile(path)
        return self.map(path, array.dtype, len(array))

    def strings(self) -> StringAppender:
        """A ``string`` array to be written part by part, kept here."""
        return StringAppender(self)

    def close(self) -> None:
        """Remove the store's (by now empty) directory; mapped arrays stay readable."""
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)


class StringAppender:
    """One contiguous ``string`` array built part by part (``append``, then ``finish``).

    In memory the parts are kept and combined at the end; mapped, their offsets (shifted) and
    bytes are written to files as they come, so only one part is held at a time.
    """

    def __init__(self, store: ArrayStore) -> None:
        self._store = store
        self._chunks: list[pa.Array] = []
        self._valid: list[np.ndarray] = []
        self._size = 0
        if store.mapped:
            self._offsets = _FileArray(store, store.new_path(), np.int32)
            self._offsets.append(np.zeros(1, np.int32))
            self._data = _FileArray(store, store.new_path(), np.uint8)

    def append(self, part: pa.Array | pa.ChunkedArray) -> None:
        """Add the strings of ``part`` after those already appended."""
        chunks = part.chunks if isinstance(part, pa.ChunkedArray) else [part]
        if not self._store.mapped:
            self._chunks.extend(chunks)
            return
        for chunk in chunks:
            offsets, data = string_buffers(chunk)
            size = int(offsets[-1] - offsets[0])
            if self._size + size > _MAX_OFFSET:
                raise ValueError("a recipient column holds more than 2 GiB of text")
            self._offsets.append(offsets[1:] - offsets[0] + self._size)
            self._data.append(data[offsets[0] : offsets[-1]])
            self._size += size
            self._valid.append(pc.is_valid(chunk).to_numpy(zero_copy_only=False))

    def finish(self) -> pa.Array:
        """The array of every part appended."""
        if not self._store.mapped:
            chunks, self._chunks = self._chunks, []
            return pa.chunked_array(chunks, pa.string()).combine_chunks()
        valid = np.concatenate([np.zeros(0, bool), *self._valid])
        self._valid = []
        nulls = int(len(valid) - valid.sum())
        bitmap = pa.py_buffer(self._store.keep(np.packbits(valid, bitorder="little"))) \
            if nulls else None
        return pa.Array.from_buffers(
            pa.string(), len(valid),
            [bitmap, pa.py_buffer(self._offsets.finish()), pa.py_buffer(self._data.finish())],
            null_count=nulls)
