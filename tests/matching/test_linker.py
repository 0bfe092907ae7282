"""The linkage on real examples: each failure mode of the old rules, with a learned model.

Award names below are real aliases from ``company_aliases_dev.csv`` (the development half of a
crowd-labelled source of company-name variants); the model judging them was estimated from data,
not set by hand (``matching_worlds``).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from enrichment_inputs import configured_settings
from matching_worlds import generated_model, index_with, link, variant_model

from sbir_enrichment.matching import MATCH_COLUMNS, WEIGHT_COLUMNS, RecipientIndex, review_columns

RECIPIENTS = [
    ("h-ericsson", "ERICSSONUEI1", None, "ERICSSON", "NY"),
    ("h-att", "ATTUEI000001", None, "ATT", "TX"),
    ("h-nokia", None, None, "NOKIA", "TX"),
    ("h-vodafone", None, None, "VODAFONE", "NY"),
    ("h-linksys", None, None, "LINKSYS", "CA"),
    ("h-microsoft", "MSFTUEI00001", None, "MICROSOFT", "WA"),
    ("h-delphi", None, None, "DELPHI", "MI"),
    ("h-apptio", None, None, "APPTIO", "WA"),
    ("h-acme", "ACMEUEI00001", "111111111", "ACME ROBOTICS INC", "CA"),
    ("h-acme-llc", None, None, "ACME ROBOTICS LLC", "TX"),
    ("h-pump", "PUMPUEI00001", "222222222", "PUMPILUS TECHNOLOGIES INC", "MA"),
    ("h-pump-old", None, "222222222", "PUMPILUS TECHNOLOGIES, INCORPORATED", "MA"),
    ("h-zygo", "ZYGOUEI00001", "333333333", "ZYGOMAX LLC", "NY"),
    ("h-quant", None, "444444444", "QUANTOX INC", "OH"),
]


@cache
def _index() -> RecipientIndex:
    return index_with(RECIPIENTS)


def _one(company: str | None, state: str | None = None, uei: str | None = None,
         duns: str | None = None, model: str = "variant") -> pd.Series:
    chosen = variant_model() if model == "variant" else generated_model()
    return link([(company, state, uei, duns)], _index(), chosen).iloc[0]


def test_a_correct_uei_is_taken_although_the_name_has_extra_words() -> None:
    row = _one("ERICSSON FORMERLY NORTEL NETWORKS", "NY", uei="ERICSSONUEI1")
    assert (row["match_method"], row["recipient_hash"]) == ("uei_exact", "h-ericsson")
    assert "uei same" in row["match_reason"]


def test_a_correct_uei_is_taken_when_the_firm_was_renamed() -> None:
    # A rebrand shares no word with the registered name; no other candidate fits better.
    row = _one("CINGULAR WIRELESS FORMERLY T WIRELESS", "TX", uei="ATTUEI000001")
    assert (row["match_method"], row["recipient_hash"]) == ("uei_exact", "h-att")


@pytest.mark.parametrize(("company", "state", "expected"), [
    ("NOKIA NETWORKS FORMERLY NOKIA SIEMENS NETWORKS", "TX", "h-nokia"),  # formerly ...
    ("VODAFONE GHANA", "NY", "h-vodafone"),  # a country
    ("LINKSYS FORMERLY A DIVISION CISCO", "CA", "h-linksys"),  # a division
    ("MICROSOFT SERVICES INDIA CENTER PVT", "WA", "h-microsoft"),  # a unit, a legal form
])
def test_extra_words_do_not_hide_the_firm(company: str, state: str, expected: str) -> None:
    row = _one(company, state)
    assert (row["match_method"], row["recipient_hash"]) == ("name_fuzzy", expected), \
        row["match_reason"]


@pytest.mark.parametrize(("company", "state", "other"), [
    ("DELPHIX", "TX", "DELPHI"), ("APPTIM", "NY", "APPTIO")])
def test_a_short_name_one_letter_off_is_another_firm(company: str, state: str,
                                                     other: str) -> None:
    # DELPHI and DELPHIX, APPTIO and APPTIM are different companies of the source; here the
    # award of the absent one, filed from its own state, meets the other's row.
    row = _one(company, state)
    assert row["match_method"] == "unmatched", row["match_reason"]
    assert row["match_reason"].startswith(f"unmatched: best candidate '{other}'")


def test_one_letter_off_weighs_less_in_a_short_name_and_more_with_a_rare_word_shared() -> None:
    # Learned, not set: short names have dense neighbourhoods, so non-matches fall there; a
    # rare word shared besides the typo is evidence of its own.
    name = variant_model().comparisons["name"]
    assert name["near_short"].weight < name["near_common"].weight < name["near_rare"].weight


@pytest.mark.parametrize(("company", "state", "expected"), [
    ("MICROSOFT SP Z O O", "WA", "h-microsoft"), ("MICROSOFT AB", "WA", "h-microsoft"),
    ("MICROSOFT CHILE S A", "WA", "h-microsoft"), ("ERICSSON AUSTRALIA PTY", "NY", "h-ericsson"),
])
def test_foreign_legal_forms_are_recognised(company: str, state: str, expected: str) -> None:
    row = _one(company, state)
    assert row["recipient_hash"] == expected, row["match_reason"]
    assert "legal_form one_missing" in row["match_reason"]


def test_a_stale_identifier_of_another_firm_loses_to_the_named_firm() -> None:
    # The award is QUANTOX's but carries ZYGOMAX's UEI (an identifier copied from elsewhere).
    row = _one("Quantox, Inc.", "OH", uei="ZYGOUEI00001", model="generated")
    assert row["recipient_hash"] == "h-quant", row["match_reason"]
    assert row["match_method"] == "name_fuzzy"


def test_the_look_alike_with_another_legal_form_elsewhere_is_not_taken() -> None:
    row = _one("Acme Robotics, Inc.", "CA", model="generated")
    assert row["recipient_hash"] == "h-acme", row["match_reason"]


def test_a_shared_duns_resolves_to_the_firm_and_its_rows_do_not_compete() -> None:
    row = _one("Pumpilus Technologies Inc", "MA", duns="222222222", model="generated")
    assert (row["match_method"], row["recipient_hash"]) == ("duns_exact", "h-pump")
    assert row["match_weight_rivals"] == pytest.approx(0.0, abs=0.01)


def test_the_weights_of_every_row_add_up_to_its_probability() -> None:
    out = link([("ERICSSON AB", "NY", None, None), ("DELPHIX", "MI", None, None),
                ("Quantox Inc", "OH", None, "444444444"), ("ZZQX NOWHERE", "AK", None, None)],
               _index(), variant_model())
    weights = out[list(WEIGHT_COLUMNS)]
    scored = weights.notna().all(axis=1)
    log_odds = weights[scored].sum(axis=1)
    np.testing.assert_allclose(1 / (1 + np.exp2(-log_odds)), out.loc[scored, "match_probability"])
    assert (out.loc[~scored, "match_probability"] == 0).all()
    assert np.allclose(out["match_score"], 100 * out["match_probability"])
    settings = configured_settings()
    matched = out["match_method"] != "unmatched"
    assert (out.loc[matched, "match_probability"] >= settings.accept_probability).all()


def test_the_reason_names_every_comparison_and_the_probability() -> None:
    reason = _one("ERICSSON FORMERLY NORTEL NETWORKS", "NY", uei="ERICSSONUEI1")["match_reason"]
    assert reason.startswith("matched 'ERICSSON'")
    for part in ("name 'ERICSSON FORMERLY NORTEL NETWORKS' contains", "legal_form ", "state same",
                 "uei same", "duns missing", "prior -", "rivals ", "→ probability 1.000"):
        assert part in reason


def test_an_award_without_a_name_or_an_identifier_has_no_candidate() -> None:
    row = _one(None, "CA")
    assert row["match_method"] == "unmatched" and row["match_probability"] == 0
    assert row["match_reason"].startswith("unmatched: no candidate")
    assert np.isnan(row["match_weight_name"])


def test_an_empty_chunk_keeps_every_column() -> None:
    out = link([], _index(), variant_model())
    assert out.empty
    assert set(MATCH_COLUMNS) | set(review_columns(configured_settings().review_top_k)) \
        <= set(out.columns)
