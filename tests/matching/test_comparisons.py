"""Comparison levels of candidate pairs: names (by evidence and rarity), legal form, state,
identifiers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from enrichment_inputs import configured_settings, recipients_frame

from sbir_enrichment.matching import RecipientIndex
from sbir_enrichment.matching.comparisons import (
    COMPARISONS,
    NameBatch,
    compare_legal_forms,
    compare_names,
    compare_states,
    compare_uei,
)
from sbir_enrichment.matching.names import legal_form_codes, normalise_name

# Recipients: a few rare names, and a word (SYSTEMS) common enough to be "common".
NAMES = ["ERICSSON", "DELPHI", "PUMPILUS TECHNOLOGIES", "INTERNATIONAL BUSINESS MACHINES",
         "ACME ROBOTICS", "ACME ROBOTICS", "NORTHWIND DATA", "SAN DIEGO STATE UNIVERSITY",
         *(f"ZX{i} SYSTEMS" for i in range(150))]


@pytest.fixture(scope="module")
def index() -> RecipientIndex:
    rows = [(f"h{i}", None, None, name, "CA") for i, name in enumerate(NAMES)]
    return RecipientIndex.from_frames([recipients_frame(rows)], configured_settings())


def _level(index: RecipientIndex, award: str, recipient: int) -> str:
    batch = NameBatch.of(normalise_name(pd.Series([award])), index.name_ends)
    found = compare_names(batch, np.array([0]), np.array([recipient]), index,
                          configured_settings())
    return COMPARISONS["name"][found[0]]


@pytest.mark.parametrize(("award", "recipient", "expected"), [
    ("Ericsson AB", 0, "exact_rare"),  # legal form aside, the same name, held by one only
    ("ACME ROBOTICS LLC", 4, "exact_uncommon"),  # held by two recipients: not unique
    ("PUMPILUS TECHNOLOGIES", 2, "exact_rare"),
    ("PUMPILUZ TECHNOLOGIES", 2, "near_rare"),  # one letter off, sharing TECH (one holder)
    ("ERICSSONN", 0, "near_common"),  # one letter off, no word shared
    ("PUMPILUS TECHNOLGIES", 2, "exact_rare"),  # a common word misspelt is still that word
    ("DELPHIX", 1, "near_short"),  # one letter off a short one
    ("ERICSSON AUSTRALIA", 0, "contains_most_rare"),  # ERICSSON carries most of the bits
    ("ERICSSON FORMERLY NORTEL NETWORKS", 0, "contains_some_rare"),
    ("NORTHWIND", 6, "contains_most_rare"),
    ("SAN DIEGO STATE UNIVERSITY CALIFORNIA STATE UNIVERSITY", 7, "contains_most_rare"),
    ("QUORTAVELLON SYSTEMS", 8, "else"),  # only SYSTEMS (150 holders) is shared: no evidence
    ("IBM", 3, "initials"),
    ("NORTHWIND CLOUD", 6, "overlap_most_rare"),  # NORTHWIND is half of each name's bits
    ("NORTHWIND CLOUD PLATFORM SERVICES", 6, "overlap_some_rare"),
    ("ACME ROBOTICS", 0, "else"),
])
def test_name_levels(index: RecipientIndex, award: str, recipient: int, expected: str) -> None:
    assert _level(index, award, recipient) == expected


def test_legal_form_levels() -> None:
    award = legal_form_codes(pd.Series(["A INC", "A INC", "A INC", "A INC", "A", "A"]))
    recipient = legal_form_codes(pd.Series(["B INC", "B CORPORATION", "B LLC", "B", "B GMBH",
                                            "B"]))
    names = COMPARISONS["legal_form"]
    assert [names[k] for k in compare_legal_forms(award, recipient)] == [
        "same", "same_type", "differ", "one_missing", "one_missing", "both_missing"]


def test_state_and_identifier_levels() -> None:
    states = COMPARISONS["state"]
    assert [states[k] for k in compare_states(np.array([3, 3, -1]), np.array([3, 4, 4]))] == [
        "same", "differ", "missing"]
    uei = COMPARISONS["uei"]
    award, recipient, parent = np.array([7, 7, 7, 0]), np.array([7, 8, 8, 8]), np.array(
        [0, 7, 0, 0])
    assert [uei[k] for k in compare_uei(award, recipient, parent)] == [
        "same", "parent", "differ", "missing"]
