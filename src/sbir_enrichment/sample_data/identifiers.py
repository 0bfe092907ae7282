"""Made-up identifiers (UEI, DUNS, recipient hash) and the ways exports mangle them.

Identifiers are drawn as distinct integers, spelt in their alphabet, and returned as pyarrow
string arrays.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sbir_enrichment.sample_data.arrow import strings

# SAM UEIs: 12 characters, letters and digits without O and I (letters listed first).
UEI_CHARS = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"))
_DIGITS = np.array(list("0123456789"))
_HEX = np.array(list("0123456789abcdef"))
DUNS_LEADING_ZERO_SHARE = 0.30  # many old DUNS numbers start with 0


def _distinct(size: int, draw: Callable[[int], np.ndarray]) -> np.ndarray:
    """``size`` distinct integers from ``draw(n)``, in draw order."""
    found = draw(size + size // 100 + 8)
    while True:
        found = found[~pd.Series(found).duplicated().to_numpy()]
        if len(found) >= size:
            return found[:size]
        found = np.concatenate([found, draw(size - len(found) + 8)])


def _spell(numbers: np.ndarray, alphabet: np.ndarray, width: int) -> pa.Array:
    """Integers written in base ``len(alphabet)`` with ``width`` symbols, most significant first."""
    base = len(alphabet)
    digits = np.empty((len(numbers), width), dtype=numbers.dtype)
    rest = numbers.copy()
    for position in range(width - 1, -1, -1):
        rest, digits[:, position] = np.divmod(rest, base)
    chars = np.ascontiguousarray(alphabet[digits].astype("<U1"))
    return strings(chars.view(f"<U{width}").ravel())


def random_ueis(rng: np.random.Generator, size: int) -> pa.Array:
    """``size`` distinct UEIs, each starting with a letter as most do."""
    letters = len(UEI_CHARS) - 10  # the alphabet lists letters first
    limit = letters * len(UEI_CHARS) ** 11
    return _spell(_distinct(size, lambda n: rng.integers(0, limit, n)), UEI_CHARS, 12)


def random_duns(rng: np.random.Generator, size: int) -> pa.Array:
    """``size`` distinct 9-digit DUNS numbers, about 30% starting with 0."""
    def draw(n: int) -> np.ndarray:
        first = np.where(rng.random(n) < DUNS_LEADING_ZERO_SHARE, 0, rng.integers(1, 10, n))
        return first * 10**8 + rng.integers(0, 10**8, n)
    return _spell(_distinct(size, draw), _DIGITS, 9)


def random_hashes(rng: np.random.Generator, size: int) -> pa.Array:
    """``size`` distinct recipient hashes in UUID text form (``8-4-4-4-12`` hex digits)."""
    high = _spell(_distinct(size, lambda n: rng.integers(0, 16**15, n)), _HEX, 15)
    low = _spell(rng.integers(0, 16**16, size, dtype=np.uint64), _HEX, 16)
    raw = pc.binary_join_element_wise(high, low, strings(_HEX[rng.integers(0, 16, size)]), "")
    parts = [pc.utf8_slice_codeunits(raw, a, b) for a, b in
             ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32))]
    return pc.binary_join_element_wise(*parts, "-")


def strip_leading_zeros(duns: pa.Array) -> pa.Array:
    """DUNS as a number would print it (``012345678`` → ``12345678``)."""
    stripped = pc.utf8_ltrim(duns, "0")
    return pc.if_else(pc.equal(stripped, ""), "0", stripped)


def dashed_duns(duns: pa.Array) -> pa.Array:
    """DUNS formatted ``NN-NNN-NNNN``."""
    parts = [pc.utf8_slice_codeunits(duns, a, b) for a, b in ((0, 2), (2, 5), (5, 9))]
    return pc.binary_join_element_wise(*parts, "-")


def padded(text: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Text with a space or two before and/or after it."""
    n = len(text)
    before = strings(np.array(["", " ", "  "])[rng.integers(0, 3, n)])
    after = strings(np.array([" ", "  ", ""])[rng.integers(0, 3, n)])
    return pc.binary_join_element_wise(before, text, after, "")


def mistyped(text: pa.Array, rng: np.random.Generator, alphabet: str) -> pa.Array:
    """Each fixed-width text with one character replaced by another from ``alphabet``."""
    chars = np.sort(np.array(list(alphabet)))
    values = np.asarray(text.to_numpy(zero_copy_only=False), dtype=str)
    width = values.dtype.itemsize // 4
    grid = values.view("<U1").reshape(len(values), width).copy()
    pos = rng.integers(0, width, len(values))
    rows = np.arange(len(values))
    shift = rng.integers(1, len(chars), len(values))
    current = np.searchsorted(chars, grid[rows, pos])
    grid[rows, pos] = chars[(current + shift) % len(chars)]
    return strings(np.ascontiguousarray(grid).view(f"<U{width}").ravel())
