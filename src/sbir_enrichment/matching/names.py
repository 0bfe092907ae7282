"""Company-name normalisation, vectorised over Arrow buffers and word arrays.

``normalise_name`` maps the many spellings of one firm to one key: accents folded, upper case,
periods and apostrophes dropped (``L.L.C.`` → LLC, ``O'BRIEN`` → OBRIEN), other punctuation
(``&`` included) → space, a leading or trailing THE dropped, common words written one way
(TECHNOLOGIES → TECH, ENGR → ENG), AND dropped, and legal suffixes (INC, LLC, CORP...) removed
from the end. ``legal_suffix`` returns the last legal suffix in canonical form, to tell look-alikes
apart. Characters are mapped with a byte table in numpy and words with Arrow's hash lookups, so
3 million names take seconds, not minutes.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sbir_enrichment.matching.hashing import as_large_strings

# Legal-form words, canonical form first; removed from the end of a name.
LEGAL_SUFFIXES: dict[str, tuple[str, ...]] = {
    "INC": ("INC", "INCORPORATED", "INCORPORATION"),
    "LLC": ("LLC",),
    "CORP": ("CORP", "CORPORATION"),
    "CO": ("CO", "COMPANY"),
    "LTD": ("LTD", "LIMITED"),
    "LP": ("LP",),
    "LLP": ("LLP",),
    "PLLC": ("PLLC",),
    "PC": ("PC",),
    "PBC": ("PBC",),
}
SUFFIX_FORMS: tuple[str, ...] = tuple(LEGAL_SUFFIXES)
# Legal forms written letter by letter (``L L C``), matched as the last words of a name.
SPELLED_SUFFIXES: dict[tuple[str, ...], str] = {("L", "L", "C"): "LLC", ("L", "P"): "LP"}

# Word → canonical short form, so every spelling meets in one key ("" drops the word).
ABBREVIATIONS: dict[str, str] = {
    "TECHNOLOGIES": "TECH",
    "TECHNOLOGY": "TECH",
    "TECHNOLOGICAL": "TECH",
    "TECHS": "TECH",
    "LABORATORIES": "LABS",
    "LABORATORY": "LAB",
    "INTERNATIONAL": "INTL",
    "ASSOCIATES": "ASSOC",
    "ENGINEERING": "ENG",
    "ENGR": "ENG",
    "ENGG": "ENG",
    "MANUFACTURING": "MFG",
    "SYSTEMS": "SYS",
    "SYSTEM": "SYS",
    "SOLUTIONS": "SOL",
    "SCIENCES": "SCI",
    "SCIENCE": "SCI",
    "SCIENTIFIC": "SCI",
    "RESEARCH": "RES",
    "RSCH": "RES",
    "DEVELOPMENT": "DEV",
    "INDUSTRIES": "IND",
    "ENTERPRISES": "ENT",
    "SERVICES": "SVCS",
    "MATERIALS": "MATL",
    "INSTRUMENTS": "INSTR",
    "AMERICA": "AMER",
    "AMERICAN": "AMER",
    "CENTER": "CTR",
    "MEDICAL": "MED",
    "NATIONAL": "NATL",
    "CORPORATE": "CORP",
    "AND": "",
}

_DROP, _SPACE = 0, ord(" ")
_BLOCK_ROWS = 1 << 15
_SUFFIX_TAIL = 24
_SUFFIX_WORDS = pa.array([v for vs in LEGAL_SUFFIXES.values() for v in vs], pa.large_string())
_SUFFIX_CANON = pa.array([k for k, vs in LEGAL_SUFFIXES.items() for _ in vs], pa.large_string())
_ABBREV_FROM = pa.array(list(ABBREVIATIONS), pa.large_string())
_ABBREV_TO = pa.array(list(ABBREVIATIONS.values()), pa.large_string())
_SPACE_SCALAR = pa.scalar(" ", pa.large_string())


def _byte_table() -> np.ndarray:
    """Byte → replacement: letters upper-cased, digits kept, ``. ' `` and non-ASCII dropped."""
    table = np.full(256, _SPACE, dtype=np.uint8)
    for char in string.ascii_uppercase + string.digits:
        table[ord(char)] = ord(char)
    for char in string.ascii_lowercase:
        table[ord(char)] = ord(char.upper())
    for char in ".'`":
        table[ord(char)] = _DROP
    table[128:] = _DROP  # accents (after NFKD) and typographic apostrophes
    return table


_BYTE_TABLE = _byte_table()


def _string_buffers(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (from 0) and bytes of a large_string array, zero-copy."""
    buffers = text.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[text.offset : text.offset + len(text) + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.empty(0)
    return offsets - offsets[0], data[offsets[0] : offsets[-1]]


def _clean_block(offsets: np.ndarray, data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map bytes, then drop dropped bytes and leading, repeated and trailing spaces."""
    owner = np.repeat(np.arange(len(offsets) - 1, dtype=np.int32), np.diff(offsets))
    mapped = _BYTE_TABLE[data]
    kept = mapped != _DROP
    mapped, owner = mapped[kept], owner[kept]
    space = mapped == _SPACE
    first = np.ones(len(mapped), dtype=bool)
    first[1:] = owner[1:] != owner[:-1]
    after_space = np.zeros(len(mapped), dtype=bool)
    after_space[1:] = space[:-1]
    kept = ~(space & (first | after_space))
    mapped, owner, space = mapped[kept], owner[kept], space[kept]
    last = np.ones(len(mapped), dtype=bool)
    last[:-1] = owner[:-1] != owner[1:]
    kept = ~(space & last)
    lengths = np.bincount(owner[kept], minlength=len(offsets) - 1)
    return lengths, mapped[kept]


def _decomposed(names: pa.Array) -> pa.Array:
    """NFKD-decompose the few non-ASCII names (``é`` → ``e`` + accent); ASCII is left as is."""
    other = pc.invert(pc.fill_null(pc.string_is_ascii(names), True))
    if not pc.any(other).as_py():
        return names
    decomposed = pc.utf8_normalize(pc.filter(names, other), "NFKD")
    return pc.replace_with_mask(names, other, decomposed)


def _clean_text(names: pa.Array) -> pa.Array:
    """Upper-case ASCII words separated by single spaces (see ``_byte_table``)."""
    text = _decomposed(names).cast(pa.large_string())
    offsets, data = _string_buffers(text)
    lengths, chunks = [], []
    for start in range(0, len(text), _BLOCK_ROWS):
        stop = min(start + _BLOCK_ROWS, len(text))
        block = offsets[start : stop + 1]
        block_lengths, block_data = _clean_block(block - block[0], data[block[0] : block[-1]])
        lengths.append(block_lengths)
        chunks.append(block_data)
    new_offsets = np.zeros(len(text) + 1, dtype=np.int64)
    np.cumsum(np.concatenate([np.zeros(0, np.int64), *lengths]), out=new_offsets[1:])
    data = np.concatenate([np.empty(0, np.uint8), *chunks])
    cleaned = pa.Array.from_buffers(pa.large_string(), len(text),
                                    [None, pa.py_buffer(new_offsets), pa.py_buffer(data)])
    return pc.if_else(pc.is_null(names), pa.scalar(None, pa.large_string()), cleaned)


@dataclass(frozen=True)
class _Words:
    """The words of many names: flat word array, owning name and position within the name."""

    words: pa.Array
    owner: np.ndarray
    position: np.ndarray
    count: np.ndarray

    @classmethod
    def split(cls, text: pa.Array) -> _Words:
        lists = pc.ascii_split_whitespace(text)
        count = pc.list_value_length(lists).fill_null(0).to_numpy().astype(np.int64)
        owner = np.repeat(np.arange(len(text), dtype=np.int64), count)
        starts = np.cumsum(count) - count
        position = np.arange(len(owner), dtype=np.int64) - starts[owner]
        return cls(pc.list_flatten(lists), owner, position, count)

    def is_last(self) -> np.ndarray:
        return self.position == self.count[self.owner] - 1

    def take(self, keep: np.ndarray) -> _Words:
        owner = self.owner[keep]
        count = np.bincount(owner, minlength=len(self.count))
        starts = np.cumsum(count) - count
        position = np.arange(len(owner), dtype=np.int64) - starts[owner]
        return _Words(self.words.filter(pa.array(keep)), owner, position, count)

    def join(self, valid: pa.Array) -> pa.Array:
        offsets = np.zeros(len(self.count) + 1, dtype=np.int32)
        np.cumsum(self.count, out=offsets[1:])
        lists = pa.ListArray.from_arrays(pa.array(offsets), self.words)
        text = pc.binary_join(lists, _SPACE_SCALAR)
        empty = pc.or_(pc.invert(valid), pc.equal(text, ""))
        return pc.if_else(empty, pa.scalar(None, pa.large_string()), text)


def _spell_out_suffixes(text: pa.Array) -> pa.Array:
    """``ACME L L C`` → ``ACME LLC`` (only the few names ending so go through the regex)."""
    for letters, form in SPELLED_SUFFIXES.items():
        ending = " " + " ".join(letters)
        mask = pc.fill_null(pc.ends_with(text, ending), False)
        if pc.any(mask).as_py():
            fixed = pc.replace_substring_regex(pc.filter(text, mask), f"{ending}$", f" {form}")
            text = pc.replace_with_mask(text, mask, fixed)
    return text


def _without_the(words: _Words) -> _Words:
    """Drop a THE that starts or ends a name of several words."""
    the = pc.equal(words.words, "THE").to_numpy(zero_copy_only=False)
    edge = (words.position == 0) | words.is_last()
    return words.take(~(the & edge & (words.count[words.owner] > 1)))


def _abbreviated(words: _Words) -> _Words:
    """Each word in its canonical short form; words mapped to "" (AND) dropped."""
    found = pc.index_in(words.words, value_set=_ABBREV_FROM)
    mapped = pc.if_else(pc.is_valid(found), pc.take(_ABBREV_TO, found), words.words)
    kept = pc.not_equal(mapped, "").to_numpy(zero_copy_only=False)
    return _Words(mapped, words.owner, words.position, words.count).take(kept)


def _is_suffix(words: _Words) -> np.ndarray:
    return pc.is_in(words.words, value_set=_SUFFIX_WORDS).to_numpy(zero_copy_only=False)


def _without_trailing_suffixes(words: _Words) -> _Words:
    """Drop the legal-form words that end a name (never its first word)."""
    core_position = np.where(_is_suffix(words), 0, words.position)
    last_core = np.zeros(len(words.count), dtype=np.int64)
    np.maximum.at(last_core, words.owner, core_position)
    return words.take(words.position <= last_core[words.owner])


def _prepared(names: pa.Array) -> _Words:
    return _without_the(_Words.split(_spell_out_suffixes(_clean_text(names))))


def _normalise_arrow(names: pa.Array) -> pa.Array:
    words = _without_trailing_suffixes(_abbreviated(_prepared(names)))
    return words.join(pc.is_valid(names))


def _suffix_arrow(names: pa.Array) -> pa.Array:
    words = _prepared(names)
    last = words.is_last() & (words.position > 0)
    tail = words.words.filter(pa.array(last))
    canon = pc.take(_SUFFIX_CANON, pc.index_in(tail, value_set=_SUFFIX_WORDS))
    has_last = np.bincount(words.owner[last], minlength=len(names)) > 0
    return pc.replace_with_mask(pa.nulls(len(names), pa.large_string()), pa.array(has_last), canon)


def _apply_unique(names: pd.Series, func: Callable[[pa.Array], pa.Array]) -> pd.Series:
    """Apply an Arrow ``func`` to the distinct values only, then spread back to every row."""
    encoded = pc.dictionary_encode(as_large_strings(names))
    result = pc.take(func(encoded.dictionary), encoded.indices)
    return pd.Series(pd.arrays.ArrowStringArray(result), index=names.index, name=names.name)


def normalise_name(names: pd.Series) -> pd.Series:
    """Normalised matching key of each company name (missing stays missing)."""
    return _apply_unique(names, _normalise_arrow)


def legal_suffix(names: pd.Series) -> pd.Series:
    """Canonical legal suffix at the end of each name (``INC``, ``LLC``...), or missing."""
    return _apply_unique(names, _suffix_arrow)


def suffix_codes(names: pd.Series | pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Position in ``SUFFIX_FORMS`` of each name's legal form, -1 for none (``int8``).

    Only the last ``_SUFFIX_TAIL`` characters are read, each distinct tail once: that is where
    a legal form sits, and tails repeat far more than whole names do.
    """
    text = as_large_strings(names)
    tails = pc.utf8_reverse(pc.utf8_slice_codeunits(pc.utf8_reverse(text), 0, _SUFFIX_TAIL))
    forms = legal_suffix(pd.Series(pd.arrays.ArrowStringArray(tails)))
    codes = pc.index_in(pa.array(forms, type=pa.large_string(), from_pandas=True),
                        value_set=pa.array(SUFFIX_FORMS, pa.large_string()))
    return pc.fill_null(codes, -1).to_numpy(zero_copy_only=False).astype(np.int8)
