"""UEI and DUNS normalisation: the ways real exports mangle identifiers, and what is repaired."""

from __future__ import annotations

import pandas as pd
import pytest

from sbir_enrichment.matching.identifiers import (
    duns_problem,
    normalise_duns,
    normalise_uei,
    uei_problem,
)

DUNS_CASES = [
    ("123456789", "123456789"),
    ("12345678", "012345678"),  # leading zero lost in a spreadsheet
    ("1234567", "001234567"),
    ("12-345-6789", "123456789"),  # dashed
    (" 123 456 789 ", "123456789"),  # spaces inside and around
    ("12345678.0", "012345678"),  # float export
    ("1234567890", None),  # 10 digits: not a DUNS
    ("12345678901234", None),  # 14 digits (DUNS+4 run together and more)
    ("12345678A", None),  # not digits
    ("", None),
    ("   ", None),
    (None, None),
]

UEI_CASES = [
    ("ABC123DEF456", "ABC123DEF456"),
    ("abc123def456", "ABC123DEF456"),  # lower case
    ("  ABC123DEF456  ", "ABC123DEF456"),  # padded
    ("ABC1-23DE-F456", "ABC123DEF456"),  # dashed
    ("ABC123DEF45", None),  # 11 characters
    ("ABC123DEF4567", None),  # 13 characters
    ("ABC123DEF45!", None),  # not alphanumeric
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), DUNS_CASES, ids=[repr(c[0]) for c in DUNS_CASES])
def test_normalise_duns(raw: str | None, expected: str | None) -> None:
    result = normalise_duns(pd.Series([raw], dtype="str")).iloc[0]
    assert (None if pd.isna(result) else result) == expected


@pytest.mark.parametrize(("raw", "expected"), UEI_CASES, ids=[repr(c[0]) for c in UEI_CASES])
def test_normalise_uei(raw: str | None, expected: str | None) -> None:
    result = normalise_uei(pd.Series([raw], dtype="str")).iloc[0]
    assert (None if pd.isna(result) else result) == expected


def test_problems_name_only_present_values_that_cannot_be_repaired() -> None:
    duns = pd.Series(["12345678", "12345678901234", None, "12-345-6789"], dtype="str")
    problems = duns_problem(duns)
    assert problems.isna().tolist() == [True, False, True, True]
    assert "12345678901234" in problems.iloc[1] and "9 digits" in problems.iloc[1]

    uei = pd.Series(["abc123def456", "ABC123", ""], dtype="str")
    problems = uei_problem(uei)
    assert problems.isna().tolist() == [True, False, True]
    assert "ABC123" in problems.iloc[1] and "12" in problems.iloc[1]


def test_index_is_kept_and_works_on_object_and_numeric_input() -> None:
    raw = pd.Series([12345678, None, 123456789], index=[10, 20, 30], dtype="Int64")
    assert normalise_duns(raw).tolist()[0] == "012345678"
    assert list(normalise_duns(raw).index) == [10, 20, 30]
    objects = pd.Series(["abc123def456", None], dtype=object)
    assert normalise_uei(objects).iloc[0] == "ABC123DEF456"
