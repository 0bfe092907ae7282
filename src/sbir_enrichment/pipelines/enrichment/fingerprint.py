"""Content fingerprints: the keys that make finished chunks reusable, and only when still valid.

A chunk's output is kept under ``chunk-<number>-<fingerprint>``; the fingerprint hashes the
chunk's award rows, the recipient index, the matching settings and the matching code, so any
change to one of them gives new partition ids (recomputed) and an unchanged rerun finds the
finished files (kept). Digests are SHA-256 (hardware-accelerated here) over Arrow buffers
(offsets, bytes, validity), not Python objects, so a 3-million-row index costs about a second.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sbir_enrichment import matching

DIGEST_CHARS = 16
_STRING_OFFSETS = {pa.string(): np.int32, pa.binary(): np.int32,
                   pa.large_string(): np.int64, pa.large_binary(): np.int64}
_SIGNED = {8: pa.int8(), 16: pa.int16(), 32: pa.int32(), 64: pa.int64()}


def _update_array(digest: hashlib._Hash, array: pa.Array) -> None:
    """Feed one array's logical content (values and validity) to ``digest``."""
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    digest.update(np.packbits(array.is_null().to_numpy(zero_copy_only=False)).tobytes())
    offsets_type = _STRING_OFFSETS.get(array.type)
    if offsets_type is not None:
        buffers = array.buffers()
        offsets = np.frombuffer(buffers[1], dtype=offsets_type)[
            array.offset : array.offset + len(array) + 1].astype(np.int64)
        data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else b""
        digest.update((offsets - offsets[0]).tobytes())
        digest.update(data[offsets[0] : offsets[-1]] if len(offsets) else b"")
    elif pa.types.is_boolean(array.type):
        digest.update(pc.fill_null(array, False).to_numpy(zero_copy_only=False).tobytes())
    elif pa.types.is_integer(array.type) or pa.types.is_floating(array.type) \
            or pa.types.is_temporal(array.type):
        numbers = array.view(_SIGNED[array.type.bit_width])
        digest.update(pc.fill_null(numbers, 0).to_numpy(zero_copy_only=False).tobytes())
    else:
        digest.update(repr(array.to_pylist()).encode())


def table_digest(table: pa.Table) -> str:
    """Hex digest of a table's column names, types and values."""
    digest = hashlib.sha256()
    digest.update(str(table.schema.remove_metadata()).encode())
    for column in table.columns:
        _update_array(digest, column.combine_chunks())
    return digest.hexdigest()[:DIGEST_CHARS]


def frame_digest(frame: pd.DataFrame) -> str:
    """Hex digest of a frame's columns and values (the index is ignored)."""
    return table_digest(pa.Table.from_pandas(frame, preserve_index=False))


def combine(*parts: str) -> str:
    """One hex digest of several strings (order matters)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:DIGEST_CHARS]


def matching_code_digest() -> str:
    """Digest of the matching library's source and the versions of the libraries it calls."""
    sources = sorted(Path(matching.__file__).parent.glob("*.py"))
    versions = [f"{name}=={metadata.version(name)}" for name in ("rapidfuzz", "pyarrow", "pandas")]
    return combine(*versions, *(path.read_text(encoding="utf-8") for path in sources))
