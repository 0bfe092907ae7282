"""Column parsers for SBIR.gov award text, each vectorised over a whole column.

Every parser takes cleaned text (trimmed, blanks as null) and returns ``(values, problem)``:
the parsed column, and a column that names what is wrong where a value is present but unusable
(null where the value is fine or absent). The node decides what a problem costs: a rejected row
for a required field or an identifier, a null for any other field.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from sbir_enrichment.matching.identifiers import (
    duns_problem,
    normalise_duns,
    normalise_uei,
    uei_problem,
)
from sbir_enrichment.schemas import FIRST_AWARD_YEAR, LAST_AWARD_YEAR, STATE_PATTERN

Parsed = tuple[pd.Series, pd.Series]

DATE_COLUMNS = (
    "proposal_award_date", "contract_end_date", "solicitation_close_date",
    "proposal_receipt_date", "date_of_notification",
)
YEAR_COLUMNS = ("solicitation_year", "award_year")
FLAG_COLUMNS = ("hubzone_owned", "socially_and_economically_disadvantaged", "woman_owned")

_TIME_OF_DAY = (  # " 00:00:00", "T12:30", " 3:15 PM", "T00:00:00.000Z", "T10:00+05:00"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)$"
)
_PHASE = r"^(?:PHASE|PH)?[\s._-]*(III|II|I|3|2|1)(?:[\s-]*[AB])?$"
_PHASE_NAMES = {"I": "Phase I", "1": "Phase I", "II": "Phase II", "2": "Phase II",
                "III": "Phase III", "3": "Phase III"}
_GROUPED_DIGITS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?"
_AMOUNT_COMMAS = "thousands commas misplaced (groups of three digits expected, e.g. 1,234,567)"
_FLAGS = {"Y": True, "YES": True, "TRUE": True, "T": True, "1": True,
          "N": False, "NO": False, "FALSE": False, "F": False, "0": False}


def clean_text(raw: pd.Series, blank_tokens: list[str]) -> pd.Series:
    """Trim whitespace; empty strings and ``blank_tokens`` (any case) become null."""
    text = raw.astype("str").str.strip()
    blank = (text == "") | text.str.upper().isin([t.strip().upper() for t in blank_tokens])
    return text.mask(blank)


def _problem(value: pd.Series, present: pd.Series, reason: str) -> pd.Series:
    """``reason`` where a present value failed to parse, null elsewhere."""
    return pd.Series(reason, index=value.index, dtype="str").where(present & value.isna())


def _on_uniques(text: pd.Series, parse: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply ``parse`` to the distinct values only (dates and codes repeat a lot), then map back."""
    codes, uniques = pd.factorize(text)  # code -1 marks a null
    parsed = parse(pd.Series(uniques, dtype="str"))
    with_null = pd.concat([parsed, pd.Series([None], dtype=parsed.dtype)], ignore_index=True)
    return pd.Series(with_null.to_numpy()[codes], index=text.index, dtype=parsed.dtype)


def parse_dates(text: pd.Series, formats: list[str]) -> Parsed:
    """Dates in the first of ``formats`` that fits; a trailing time of day is dropped."""

    def parse(values: pd.Series) -> pd.Series:
        day = values.str.replace(_TIME_OF_DAY, "", regex=True).str.strip()
        out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
        for fmt in formats:
            todo = out.isna()
            if not todo.any():
                break
            out[todo] = pd.to_datetime(day[todo], format=fmt, errors="coerce").astype(out.dtype)
        return out

    values = _on_uniques(text, parse)
    return values, _problem(values, text.notna(), "not a date in any accepted format")


def parse_amount(text: pd.Series) -> Parsed:
    """Dollar amounts: ``$`` and spaces dropped, thousands commas in groups of three.

    Negative, infinite (``inf``, ``1e400``) and comma-garbled (``1,2,3``) values are not amounts.
    """
    compact = text.str.replace(r"[$\s]", "", regex=True)
    has_commas = compact.str.contains(",", regex=False).fillna(False).astype(bool)
    bad_commas = has_commas & ~compact.str.fullmatch(_GROUPED_DIGITS).fillna(False).astype(bool)
    number = pd.to_numeric(compact.str.replace(",", "", regex=False), errors="coerce")
    infinite = np.isinf(number.to_numpy(dtype="float64", na_value=np.nan))
    values = number.where((number >= 0) & ~infinite & ~bad_commas).astype("float64")
    reason = np.select([bad_commas.to_numpy(), infinite],
                       [_AMOUNT_COMMAS, "not a finite dollar amount"],
                       "not a non-negative dollar amount")
    return values, pd.Series(reason, index=text.index, dtype="str").where(
        text.notna() & values.isna())


def _whole_number(text: pd.Series) -> pd.Series:
    """Digits, with thousands commas and a ``.0`` tail allowed; anything else is null."""
    digits = text.str.replace(",", "", regex=False).str.replace(r"\.0+$", "", regex=True)
    ok = digits.str.fullmatch(r"[0-9]{1,12}").fillna(False).astype(bool)
    return pd.to_numeric(digits.where(ok), errors="coerce").astype("Int64")


def parse_year(text: pd.Series) -> Parsed:
    """Four-digit years within the SBIR program's lifetime."""
    year = _whole_number(text)
    values = year.where(year.between(FIRST_AWARD_YEAR, LAST_AWARD_YEAR)).astype("Int64")
    reason = f"not a year from {FIRST_AWARD_YEAR} to {LAST_AWARD_YEAR}"
    return values, _problem(values, text.notna(), reason)


def parse_count(text: pd.Series) -> Parsed:
    """Whole, non-negative counts such as the number of employees."""
    values = _whole_number(text)
    return values, _problem(values, text.notna(), "not a whole number")


def parse_phase(text: pd.Series) -> Parsed:
    """``Phase I``/``II``/``III`` from spellings like ``PHASE 2``, ``ii``, ``Ph-III``, ``IIB``."""
    numeral = text.str.upper().str.extract(_PHASE, expand=False)
    values = numeral.map(_PHASE_NAMES).astype("str")
    return values, _problem(values, text.notna(), "not a phase (I, II or III)")


def parse_flag(text: pd.Series) -> Parsed:
    """Yes/no flags (``Y``, ``N``, ``Yes``, ``true``, ``1``...) as nullable booleans."""
    values = text.str.upper().map(_FLAGS).astype("boolean")
    return values, _problem(values, text.notna(), "not a yes/no flag")


def parse_state(text: pd.Series) -> Parsed:
    """Two-letter state codes, upper-cased."""
    upper = text.str.upper()
    values = upper.where(upper.str.fullmatch(STATE_PATTERN).fillna(False).astype(bool))
    return values, _problem(values, text.notna(), "not a two-letter state code")


def parse_uei(text: pd.Series) -> Parsed:
    """UEI as 12 upper-case letters or digits (``matching.identifiers``)."""
    return normalise_uei(text).astype("str"), uei_problem(text).astype("str")


def parse_duns(text: pd.Series) -> Parsed:
    """DUNS as 9 digits, lost leading zeros restored (``matching.identifiers``)."""
    return normalise_duns(text).astype("str"), duns_problem(text).astype("str")


def parse_company(text: pd.Series) -> Parsed:
    """A company name must hold at least one letter or digit."""
    named = text.str.contains(r"[^\W_]", regex=True).fillna(False).astype(bool)
    values = text.where(named)
    return values, _problem(values, text.notna(), "has no letters or digits")


def parse_columns(text: pd.DataFrame, date_formats: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parse every award column of cleaned ``text``; returns ``(values, problems)`` frames.

    Columns without a parser (titles, addresses, contacts...) are text and have no problems.
    """
    parsers: dict[str, Callable[[pd.Series], Parsed]] = {
        "company": parse_company,
        "phase": parse_phase,
        "award_amount": parse_amount,
        "uei": parse_uei,
        "duns": parse_duns,
        "number_employees": parse_count,
        "state": parse_state,
        **dict.fromkeys(YEAR_COLUMNS, parse_year),
        **dict.fromkeys(FLAG_COLUMNS, parse_flag),
        **{c: (lambda s: parse_dates(s, date_formats)) for c in DATE_COLUMNS},
    }
    values, problems = {}, {}
    for column in text.columns:
        parser = parsers.get(column)
        if parser is None:
            values[column] = text[column]
            problems[column] = pd.Series(np.nan, index=text.index, dtype="str")
        else:
            values[column], problems[column] = parser(text[column])
    return pd.DataFrame(values, index=text.index), pd.DataFrame(problems, index=text.index)
