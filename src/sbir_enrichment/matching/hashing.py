"""Fast 32-bit keys of strings, computed from Arrow buffers with numpy (no Python loop per string).

Blocking and lookups compare keys, not strings: every string is reduced to a ``uint32`` key
(0 for missing, never 0 otherwise). Two different strings can share a key; lookups that must be
exact (identifiers) compare the strings of the few pairs found, and blocking only proposes
candidates that are scored on their real names anyway.

A key is a polynomial hash ``sum(byte[k] * P**k) mod 2**64`` taken from prefix sums over a
block of bytes (one multiply and one cumulative sum per byte, whatever the string lengths),
then mixed with the length and finalised (splitmix64); the top 32 bits are the key.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

BLOCK_BYTES = 1 << 20
_P = np.uint64(0x100000001B3)
_P_INVERSE = np.uint64(pow(int(_P), -1, 1 << 64))
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _powers(base: np.uint64, count: int) -> np.ndarray:
    powers = np.full(count, base, dtype=np.uint64)
    powers[0] = 1
    return np.cumprod(powers, dtype=np.uint64)


_POWERS = _powers(_P, BLOCK_BYTES + 1)
_INVERSE_POWERS = _powers(_P_INVERSE, BLOCK_BYTES + 1)


def as_large_strings(values: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous ``large_string`` Arrow array of the values (zero-copy where possible)."""
    if isinstance(values, pd.Series):
        values = pa.array(values, type=pa.large_string(), from_pandas=True)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], pa.large_string())
    return values.cast(pa.large_string())


def as_strings(values: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous ``string`` or ``large_string`` Arrow array of the values, as it comes
    (no copy of the bytes of a ``string`` array, unlike ``as_large_strings``)."""
    if isinstance(values, pa.ChunkedArray) and values.num_chunks == 1:
        values = values.chunk(0)
    if isinstance(values, pa.Array) and values.type in (pa.string(), pa.large_string()):
        return values
    return as_large_strings(values)


def finalise(value: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit moves every output bit."""
    value = (value ^ (value >> np.uint64(30))) * _MIX1
    value = (value ^ (value >> np.uint64(27))) * _MIX2
    return value ^ (value >> np.uint64(31))


class PrefixSums:
    """Prefix sums of ``byte[k] * P**k`` over one block of bytes, to key any of its substrings."""

    def __init__(self, data: np.ndarray) -> None:
        """Sum over ``data`` (at most ``BLOCK_BYTES`` bytes)."""
        self._sums = np.zeros(len(data) + 1, dtype=np.uint64)
        np.cumsum(data * _POWERS[: len(data)], out=self._sums[1:], dtype=np.uint64)

    def keys(self, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
        """Keys of the substrings ``[starts[i], stops[i])`` (never 0)."""
        poly = (self._sums[stops] - self._sums[starts]) * _INVERSE_POWERS[starts]
        lengths = (stops - starts).astype(np.uint64)
        keys = (finalise(poly ^ (lengths * _GOLDEN)) >> np.uint64(32)).astype(np.uint32)
        keys[keys == 0] = 1
        return keys


def string_buffers(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Absolute offsets (``int64``) and the byte buffer of a ``string`` or ``large_string``
    array (the bytes zero-copy)."""
    buffers = text.buffers()
    width = np.int64 if text.type == pa.large_string() else np.int32
    offsets = np.frombuffer(buffers[1], dtype=width)[text.offset : text.offset + len(text) + 1]
    offsets = offsets.astype(np.int64, copy=False)
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None \
        else np.zeros(0, dtype=np.uint8)
    return offsets, data


def byte_blocks(offsets: np.ndarray) -> Iterator[tuple[int, int]]:
    """``(first, stop)`` string ranges whose bytes fit in ``BLOCK_BYTES`` (at least one string)."""
    first = 0
    while first < len(offsets) - 1:
        limit = offsets[first] + BLOCK_BYTES
        stop = max(first + 1, int(np.searchsorted(offsets, limit, side="right")) - 1)
        if offsets[stop] - offsets[first] > BLOCK_BYTES:
            raise ValueError(f"a string of {offsets[stop] - offsets[first]} bytes is too long")
        yield first, stop
        first = stop


def string_keys(values: pd.Series | pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A ``uint32`` key per string: equal strings share a key; missing → 0; others never 0."""
    text = as_strings(values)
    offsets, data = string_buffers(text)
    out = np.zeros(len(text), dtype=np.uint32)
    for first, stop in byte_blocks(offsets):
        base = offsets[first]
        sums = PrefixSums(data[base : offsets[stop]])
        out[first:stop] = sums.keys(offsets[first:stop] - base,
                                    offsets[first + 1 : stop + 1] - base)
    out[pc.is_null(text).to_numpy(zero_copy_only=False)] = 0
    return out
