"""Company-name normalisation, vectorised over unique values.

``normalise_name`` maps the many spellings of one firm to one key: upper case, ``&`` → AND,
punctuation dropped, a leading or trailing THE dropped, common words abbreviated one way
(TECHNOLOGIES → TECH), and legal suffixes (INC, LLC, CORP...) removed from the end.
``legal_suffix`` returns the removed suffix in canonical form, to tell look-alikes apart.
"""

from __future__ import annotations

import re

import pandas as pd

# Legal-form words, canonical form first; removed from the end of a name.
LEGAL_SUFFIXES: dict[str, tuple[str, ...]] = {
    "INC": ("INC", "INCORPORATED", "INCORPORATION"),
    "LLC": ("LLC", "L L C"),
    "CORP": ("CORP", "CORPORATION"),
    "CO": ("CO", "COMPANY"),
    "LTD": ("LTD", "LIMITED"),
    "LP": ("LP", "L P"),
    "LLP": ("LLP",),
    "PLLC": ("PLLC",),
    "PC": ("PC",),
    "PBC": ("PBC",),
}

# Word → canonical abbreviation, so both spellings meet in one key.
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
    "MANUFACTURING": "MFG",
    "SYSTEMS": "SYS",
    "SYSTEM": "SYS",
    "SOLUTIONS": "SOL",
    "SCIENCES": "SCI",
    "SCIENCE": "SCI",
    "SCIENTIFIC": "SCI",
    "RESEARCH": "RES",
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
    "AND": "",
}

_SUFFIX_TO_CANON = {v: k for k, vs in LEGAL_SUFFIXES.items() for v in vs}
_SUFFIX_TO_CANON.update({v.replace(" ", ""): k for k, vs in LEGAL_SUFFIXES.items() for v in vs})
_SUFFIX_ALTERNATION = "|".join(sorted(map(re.escape, _SUFFIX_TO_CANON), key=len, reverse=True))
_TRAILING_SUFFIXES = re.compile(rf"(?:\s(?:{_SUFFIX_ALTERNATION}))+$")
_LAST_SUFFIX = re.compile(rf"\s({_SUFFIX_ALTERNATION})$")
_ABBREV = re.compile(r"\b(" + "|".join(sorted(ABBREVIATIONS, key=len, reverse=True)) + r")\b")


def _basic_clean(names: pd.Series) -> pd.Series:
    """Upper case, ``&`` → AND, punctuation → space, THE at either end dropped, spaces folded."""
    text = names.astype("string").str.upper()
    text = text.str.replace("&", " AND ", regex=False)
    text = text.str.replace(r"(?<=\b[A-Z])\.(?=[A-Z]\b)", "", regex=True)  # U.S.A → USA
    text = text.str.replace(r"[^A-Z0-9 ]+", " ", regex=True)
    text = text.str.replace(r"\s+", " ", regex=True).str.strip()
    return text.str.replace(r"^THE |(?: THE)$", "", regex=True).str.strip()


def _apply_unique(names: pd.Series, func) -> pd.Series:
    """Apply a vectorised ``func`` over the unique values only, then map back."""
    values = names.astype("string")
    uniques = pd.Series(values.dropna().unique(), dtype="string")
    mapped = pd.Series(func(uniques).array, index=uniques.array)
    return values.map(mapped).astype("string")


def _normalise_unique(names: pd.Series) -> pd.Series:
    text = _basic_clean(names)
    text = text.str.replace(_TRAILING_SUFFIXES, "", regex=True)
    text = text.str.replace(_ABBREV, lambda m: ABBREVIATIONS[m.group(1)], regex=True)
    text = text.str.replace(r"\s+", " ", regex=True).str.strip()
    return text.mask(text == "")


def _suffix_unique(names: pd.Series) -> pd.Series:
    found = _basic_clean(names).str.extract(_LAST_SUFFIX, expand=False)
    last = found.str.replace(" ", "", regex=False)
    return last.map(_SUFFIX_TO_CANON).astype("string")


def normalise_name(names: pd.Series) -> pd.Series:
    """Normalised matching key of each company name (missing stays missing)."""
    return _apply_unique(names, _normalise_unique)


def legal_suffix(names: pd.Series) -> pd.Series:
    """Canonical legal suffix at the end of each name (``INC``, ``LLC``...), or missing."""
    return _apply_unique(names, _suffix_unique)
