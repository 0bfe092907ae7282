"""Name normalisation: each rule, and the legal form a name ends with (any country's)."""

from __future__ import annotations

import pandas as pd
import pytest

from sbir_enrichment.matching.names import (
    NO_FORM,
    legal_form_codes,
    legal_form_names,
    legal_form_types,
    normalise_name,
)


def _norm(*names: str | None) -> list[str | None]:
    result = normalise_name(pd.Series(list(names), dtype="object"))
    return [None if pd.isna(v) else v for v in result]


def _form(*names: str | None) -> list[str | None]:
    codes = legal_form_codes(pd.Series(list(names), dtype="object"))
    return list(legal_form_names(codes))


@pytest.mark.parametrize(("variants", "key"), [
    (["Acme Robotics", "ACME ROBOTICS", "acme robotics"], "ACME ROBOTICS"),  # case
    (["Acme, Robotics.", "ACME  ROBOTICS", " Acme-Robotics "], "ACME ROBOTICS"),  # punctuation
    (["Smith & Jones", "SMITH AND JONES", "Smith&Jones"], "SMITH JONES"),  # & / AND
    (["O'Brien Labs", "OBRIEN LABS", "O\u2019Brien Labs"], "OBRIEN LABS"),  # apostrophes
    (["U.S. Optics", "US OPTICS"], "US OPTICS"),  # initials
    (["Soci\u00e9t\u00e9 G\u00e9n\u00e9rale", "SOCIETE GENERALE"], "SOCIETE GENERALE"),  # accents
])
def test_spelling_variants_meet_in_one_key(variants: list[str], key: str) -> None:
    assert _norm(*variants) == [key] * len(variants)


@pytest.mark.parametrize("name", [
    "Acme Inc", "Acme, Inc.", "ACME INCORPORATED", "Acme LLC", "Acme, L.L.C.", "Acme L L C",
    "Acme Corp.", "Acme Corporation", "Acme Co", "Acme Company", "Acme Ltd", "Acme Limited",
    "Acme LP", "Acme PLLC", "Acme PBC", "Acme Co., Inc.",
    # Other countries' forms, as real exports write them (company_aliases_dev.csv spellings).
    "ACME SP Z O O", "Acme Sp. z o.o.", "ACME AB", "ACME OY", "ACME GMBH", "Acme S.p.A.",
    "ACME S P A", "ACME S A", "ACME SA", "ACME PTY LTD", "ACME PTY", "ACME PVT", "Acme B.V.",
])
def test_legal_forms_are_removed_from_the_end(name: str) -> None:
    assert _norm(name) == ["ACME"]


def test_suffix_words_inside_a_name_are_kept() -> None:
    assert _norm("Inc Research Co") == ["INC RES"]
    assert _norm("LLC") == ["LLC"]  # a name that is only a suffix keeps it


@pytest.mark.parametrize(("long", "short"), [
    ("Acme Technologies", "Acme Tech"), ("Acme Technology", "ACME TECH"),
    ("Acme Laboratories", "Acme Labs"), ("Acme Engineering", "Acme Engr"),
    ("Acme Research", "Acme Rsch"), ("Acme Systems", "Acme Sys"),
    ("Acme International", "Acme Intl"), ("Acme Manufacturing", "Acme Mfg"),
])
def test_abbreviations_meet_in_one_key(long: str, short: str) -> None:
    assert _norm(long) == _norm(short)


@pytest.mark.parametrize(("misspelt", "short"), [
    ("Acme Technolgies", "Acme Tech"), ("Acme Laboratoreis", "Acme Labs"),
    ("Acme Rsearch", "Acme Res"), ("Acme Instrumentts", "Acme Instr"),
])
def test_a_long_common_word_one_typo_off_is_that_word(misspelt: str, short: str) -> None:
    assert _norm(misspelt) == _norm(short)


def test_other_words_near_a_common_word_are_kept() -> None:
    # RATIONAL is one letter from NATIONAL but starts differently; MEDICA is too short to tell.
    assert _norm("Rational Software", "Medica", "Acme Tecnology") == [
        "RATIONAL SOFTWARE", "MEDICA", "ACME TECH"]


def test_leading_or_trailing_the_is_dropped() -> None:
    assert _norm("The Acme Group", "ACME GROUP, THE", "Acme Group") == ["ACME GROUP"] * 3
    assert _norm("Breathe") == ["BREATHE"]  # THE inside a word stays


def test_missing_and_empty_names_stay_missing() -> None:
    assert _norm(None, "", "  ", "--") == [None, None, None, None]


def test_normalise_keeps_index_and_is_consistent_for_repeats() -> None:
    names = pd.Series(["Acme Inc", "acme inc.", None], index=[10, 20, 30])
    result = normalise_name(names)
    assert list(result.index) == [10, 20, 30]
    assert result.iloc[0] == result.iloc[1] == "ACME"


def test_the_legal_form_is_the_outermost_one_and_only_at_the_end() -> None:
    assert _form("Acme Incorporated", "ACME, INC.", "Acme L.L.C.", "Acme L L C",
                 "Acme Co., Inc.", "ERICSSON AUSTRALIA PTY", "VEM SISTEMI S P A", "Acme",
                 "Inc Research", "ACME INC, THE", None) == [
        "INCORPORATED", "INC", "LLC", "LLC", "INC", "PTY", "SPA", None, None, "INC", None]


def test_spellings_of_one_form_share_its_type_and_other_forms_do_not() -> None:
    codes = legal_form_codes(pd.Series(["Acme Inc", "Acme Incorporated", "Acme Corporation",
                                        "Acme LLC", "Acme GmbH", "Acme"]))
    types = legal_form_types(codes)
    assert types[0] == types[1] == types[2]  # corporations, however written
    assert len({types[0], types[3], types[4]}) == 3  # a corporation, an LLC, a GmbH
    assert codes[5] == types[5] == NO_FORM


def test_look_alikes_share_a_key_but_not_a_legal_form() -> None:
    names = ["ACME ROBOTICS INC", "Acme Robotics, LLC"]
    assert _norm(*names) == ["ACME ROBOTICS", "ACME ROBOTICS"]
    assert _form(*names) == ["INC", "LLC"]
