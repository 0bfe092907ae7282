"""Award column parsers: the spellings real exports use, and what counts as unparseable."""

from __future__ import annotations

import pandas as pd
import pytest

from sbir_enrichment.pipelines.ingestion import awards_parsing as ap

FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%d-%b-%Y", "%b %d, %Y"]


def _one(parsed: tuple[pd.Series, pd.Series]) -> tuple[object, object]:
    value, problem = (series.iloc[0] for series in parsed)
    return (None if pd.isna(value) else value), (None if pd.isna(problem) else problem)


def _text(value: str | None) -> pd.Series:
    return ap.clean_text(pd.Series([value], dtype="str"), ["N/A", "NONE"])


@pytest.mark.parametrize(("raw", "expected"), [
    ("2021-06-01", "2021-06-01"),
    ("06/01/2021", "2021-06-01"),
    ("6/1/21", "2021-06-01"),
    ("01-JUN-2021", "2021-06-01"),
    ("Jun 1, 2021", "2021-06-01"),
    ("2021-06-01 00:00:00", "2021-06-01"),
    ("2021-06-01T13:45:00.000Z", "2021-06-01"),
    ("06/01/2021 3:15 PM", "2021-06-01"),
])
def test_dates_in_accepted_formats(raw: str, expected: str) -> None:
    assert _one(ap.parse_dates(_text(raw), FORMATS)) == (pd.Timestamp(expected), None)


@pytest.mark.parametrize("raw", ["2021-13-01", "31/31/2020", "soon"])
def test_unparseable_dates_are_named(raw: str) -> None:
    assert _one(ap.parse_dates(_text(raw), FORMATS)) == (None, "not a date in any accepted format")


@pytest.mark.parametrize("raw", ["", "  ", "N/A", "none", None])
def test_blanks_are_null_without_a_problem(raw: str | None) -> None:
    text = _text(raw)
    assert text.isna().all()
    assert _one(ap.parse_dates(text, FORMATS)) == (None, None)
    assert _one(ap.parse_amount(text)) == (None, None)


@pytest.mark.parametrize(("raw", "expected"), [
    ("$1,234,567.89", 1_234_567.89), ("149950", 149_950.0), ("$ 99", 99.0), ("0", 0.0),
    ("-5", None), ("TBD", None), ("1.2.3", None),
])
def test_amounts(raw: str, expected: float | None) -> None:
    value, problem = _one(ap.parse_amount(_text(raw)))
    assert value == expected
    assert (problem is None) == (expected is not None)


@pytest.mark.parametrize(("raw", "reason"), [
    ("inf", "not a finite dollar amount"),
    ("Infinity", "not a finite dollar amount"),
    ("-inf", "not a finite dollar amount"),
    ("1e400", "not a finite dollar amount"),  # overflows to infinity
    ("1,2,3", "thousands commas misplaced (groups of three digits expected, e.g. 1,234,567)"),
    ("$12,34.00", "thousands commas misplaced (groups of three digits expected, e.g. 1,234,567)"),
    ("1,2345", "thousands commas misplaced (groups of three digits expected, e.g. 1,234,567)"),
    ("NaN", "not a non-negative dollar amount"),
])
def test_infinite_amounts_and_misplaced_commas_are_refused_with_a_reason(raw: str,
                                                                         reason: str) -> None:
    assert _one(ap.parse_amount(_text(raw))) == (None, reason)


@pytest.mark.parametrize(("raw", "expected"), [
    ("1,234", 1_234.0), ("-0", 0.0), ("$1,000,000", 1_000_000.0), ("1.5e5", 150_000.0),
    ("149,950.", 149_950.0),
])
def test_well_formed_amounts_still_parse(raw: str, expected: float) -> None:
    assert _one(ap.parse_amount(_text(raw))) == (expected, None)


@pytest.mark.parametrize(("raw", "expected"), [
    ("Phase I", "Phase I"), ("PHASE II", "Phase II"), ("phase 2", "Phase II"), ("ii", "Phase II"),
    ("Ph-III", "Phase III"), ("Phase IIB", "Phase II"), ("3", "Phase III"),
    ("Phase IV", None), ("Phase", None),
])
def test_phases(raw: str, expected: str | None) -> None:
    value, problem = _one(ap.parse_phase(_text(raw)))
    assert value == expected
    assert (problem is None) == (expected is not None)


@pytest.mark.parametrize(("raw", "expected"), [
    ("2021", 2021), ("2021.0", 2021), ("1982", 1982), ("1981", None), ("21", None), ("20x1", None),
])
def test_years(raw: str, expected: int | None) -> None:
    assert _one(ap.parse_year(_text(raw)))[0] == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("12", 12), ("1,200", 1200), ("25.0", 25), ("10-50", None), ("-3", None),
])
def test_employee_counts(raw: str, expected: int | None) -> None:
    assert _one(ap.parse_count(_text(raw)))[0] == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("Y", True), ("yes", True), ("N", False), ("false", False), ("U", None),
])
def test_flags(raw: str, expected: bool | None) -> None:
    assert _one(ap.parse_flag(_text(raw)))[0] == expected


def test_parse_columns_keeps_text_columns_and_has_a_problem_frame() -> None:
    text = pd.DataFrame({"company": ["  Acme "], "abstract": ["a\nb"], "state": ["tx"]},
                        dtype="str")
    cleaned = pd.DataFrame({c: ap.clean_text(text[c], []) for c in text})
    values, problems = ap.parse_columns(cleaned, FORMATS)
    assert values.iloc[0].tolist() == ["Acme", "a\nb", "TX"]
    assert problems.isna().all().all()
