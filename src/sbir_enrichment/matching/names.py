"""Company-name normalisation, vectorised over Arrow buffers and word arrays.

``normalise_name`` maps the many spellings of one firm to one key: accents folded, upper case,
periods and apostrophes dropped (``L.L.C.`` → LLC, ``O'BRIEN`` → OBRIEN), other punctuation
(``&`` included) → space, a leading or trailing THE dropped, common words written one way
(TECHNOLOGIES → TECH, ENGR → ENG; a long one also when misspelt by one letter,
TECHNOLGIES → TECH), AND dropped, and legal forms of any country (INC, LLC, GMBH,
S.P.A., PTY LTD: ``legal_forms``) removed from the end. ``legal_form_codes`` returns the form a
name ends with, to tell look-alikes apart. Characters are mapped with a byte table in numpy and
words with Arrow's hash lookups, so 3 million names take seconds, not minutes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import process
from rapidfuzz.distance import OSA

from sbir_enrichment.matching.hashing import as_large_strings
from sbir_enrichment.matching.legal_forms import legal_forms
from sbir_enrichment.matching.text import Words, clean_text

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
    "SERVICES": "SVCS",
    "MATERIALS": "MATL",
    "INSTRUMENTS": "INSTR",
    "AMERICA": "AMER",
    "AMERICAN": "AMER",
    "CENTER": "CTR",
    "MEDICAL": "MED",
    "NATIONAL": "NATL",
    "AND": "",
}
_ABBREV_FROM = pa.array(list(ABBREVIATIONS), pa.large_string())
_ABBREV_TO = pa.array(list(ABBREVIATIONS.values()), pa.large_string())
_MISSPELT_CHARS = 7
"""Words of at least this many letters one typo (OSA edit) from a common word of as many are
that word misspelt: long words are far apart, and the first letter must agree (RATIONAL is not
NATIONAL misspelt)."""
_LONG_WORDS = [word for word in ABBREVIATIONS if len(word) >= _MISSPELT_CHARS]
_STRIP_PASSES = 3  # ``ACME CO., INC.``: forms stacked at the end are removed one per pass
NO_FORM = -1
_EMPTY = pa.scalar("", pa.large_string())


def _without_the(words: Words) -> Words:
    """Drop a THE that starts or ends a name of several words."""
    the = pc.equal(words.words, "THE").to_numpy(zero_copy_only=False)
    edge = (words.position == 0) | words.is_last()
    return words.take(~(the & edge & (words.count[words.owner] > 1)))


def _corrected(words: pa.Array) -> pa.Array:
    """``words`` with each misspelt long common word (``_MISSPELT_CHARS``) spelt right."""
    distinct = pc.unique(words.filter(pc.greater_equal(pc.utf8_length(words), _MISSPELT_CHARS)))
    candidates = distinct.filter(pc.invert(pc.is_in(distinct, value_set=_ABBREV_FROM)))
    if len(candidates) == 0:
        return words
    distance = process.cdist(candidates.to_pylist(), _LONG_WORDS, scorer=OSA.distance,
                             score_cutoff=1, dtype=np.int8, workers=pa.cpu_count())
    closest = distance.argmin(axis=1)
    initials = pc.utf8_slice_codeunits(candidates, 0, 1).to_numpy(zero_copy_only=False)
    misspelt = (distance.min(axis=1) <= 1) & (
        initials == np.array([word[0] for word in _LONG_WORDS])[closest])
    if not misspelt.any():
        return words
    right = pa.array(np.array(_LONG_WORDS)[closest[misspelt]], pa.large_string())
    found = pc.index_in(words, value_set=candidates.filter(pa.array(misspelt)))
    return pc.if_else(pc.is_valid(found), pc.take(right, found), words)


def _abbreviated(words: Words) -> Words:
    """Each word in its canonical short form (misspelt or not); words mapped to "" (AND)
    dropped."""
    words = words.replaced(_corrected(words.words))
    found = pc.index_in(words.words, value_set=_ABBREV_FROM)
    mapped = pc.if_else(pc.is_valid(found), pc.take(_ABBREV_TO, found), words.words)
    kept = pc.not_equal(mapped, "").to_numpy(zero_copy_only=False)
    return words.replaced(mapped).take(kept)


def _ending_forms(words: Words, names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For the names at ``names``: how many final words form a legal form (0: none), and which.

    The longest form wins (``PTY LTD`` over ``LTD``); a name's first word is never a form.
    """
    forms = legal_forms()
    ends = words.ends()[names]
    count = words.count[names]
    span = np.zeros(len(names), dtype=np.int64)
    code = np.full(len(names), NO_FORM, dtype=np.int32)
    for k in range(1, forms.max_words + 1):
        at = np.flatnonzero(count > k)
        if len(at) == 0:
            break
        parts = [words.words.take(pa.array(ends[at] - j)) for j in range(k, 0, -1)]
        found = forms.codes(pc.binary_join_element_wise(*parts, _EMPTY) if k > 1 else parts[0])
        hit = found >= 0
        span[at[hit]] = k
        code[at[hit]] = found[hit]
    return span, code


def _without_legal_forms(words: Words) -> tuple[Words, np.ndarray]:
    """Words without the legal forms that end each name, and the outermost form's code."""
    outer = np.full(len(words.count), NO_FORM, dtype=np.int32)
    todo = np.arange(len(words.count))
    for _ in range(_STRIP_PASSES):
        span, code = _ending_forms(words, todo)
        stripped = span > 0
        if not stripped.any():
            break
        todo, span, code = todo[stripped], span[stripped], code[stripped]
        outer[todo] = np.where(outer[todo] == NO_FORM, code, outer[todo])
        drop = np.zeros(len(words.count), dtype=np.int64)
        drop[todo] = span
        words = words.take(words.position < (words.count - drop)[words.owner])
    return words, outer


def _analysed(names: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Normalised key and legal-form code of each name."""
    words = _abbreviated(_without_the(Words.split(clean_text(names))))
    words, forms = _without_legal_forms(words)
    return words.join(pc.is_valid(names)), forms


def _apply_unique(names: pd.Series | pa.Array | pa.ChunkedArray,
                  func: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """Apply an Arrow ``func`` to the distinct values only, then spread back to every row."""
    encoded = pc.dictionary_encode(as_large_strings(names))
    return pc.take(func(encoded.dictionary), encoded.indices)


def normalise_name(names: pd.Series) -> pd.Series:
    """Normalised matching key of each company name (missing stays missing)."""
    result = _apply_unique(names, lambda text: _analysed(text)[0])
    return pd.Series(pd.arrays.ArrowStringArray(result), index=names.index, name=names.name)


def legal_form_codes(names: pd.Series | pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Position in ``legal_forms().compact`` of the form each name ends with (-1: none)."""
    result = _apply_unique(names, lambda text: pa.array(_analysed(text)[1]))
    return pc.fill_null(result, NO_FORM).to_numpy(zero_copy_only=False).astype(np.int32)


def legal_form_types(codes: np.ndarray) -> np.ndarray:
    """The type (position in ``legal_forms().types``) of each form code (-1 stays -1)."""
    types = legal_forms().type_code
    return np.where(codes >= 0, types[np.maximum(codes, 0)], NO_FORM).astype(np.int32)


def legal_form_names(codes: np.ndarray) -> np.ndarray:
    """The space-free spelling of each form code (``None`` for -1), as an object array."""
    spelled = np.asarray(legal_forms().compact.to_pylist() + [None], dtype=object)
    return spelled[np.where(codes >= 0, codes, -1)]
