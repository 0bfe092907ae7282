"""The cascade, branch by branch: identifiers, their name check, names, look-alikes, absentees."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from enrichment_inputs import configured_settings, small_index

from sbir_enrichment.matching import (
    MATCH_COLUMNS,
    MatchSettings,
    RecipientIndex,
    link_awards,
    review_candidates,
)
from sbir_enrichment.matching.cascade import review_columns


@pytest.fixture(scope="module")
def settings() -> MatchSettings:
    return configured_settings()


@pytest.fixture(scope="module")
def index() -> RecipientIndex:
    return small_index()


def _awards(*rows: tuple[str | None, str | None, str | None, str | None]) -> pd.DataFrame:
    """Awards from ``(company, uei, duns, state)`` rows (``source_row`` 100, 101, ...)."""
    frame = pd.DataFrame(rows, columns=["company", "uei", "duns", "state"]).astype("str")
    frame["source_row"] = np.arange(100, 100 + len(frame), dtype=np.int64)
    return frame


def _link(index, settings, *rows) -> pd.DataFrame:
    return link_awards(_awards(*rows), index, settings)


def test_output_keeps_every_award_row_and_adds_the_match_columns(index, settings) -> None:
    awards = _awards(("Acme Robotics, Inc.", None, None, "CA"), (None, None, None, None))
    awards.index = [7, 3]
    out = link_awards(awards, index, settings)
    assert list(out.index) == [7, 3]
    assert list(out.columns) == [*awards.columns, *MATCH_COLUMNS, *review_columns(3)]
    assert out["source_row"].tolist() == [100, 101]


def test_uei_exact(index, settings) -> None:
    out = _link(index, settings, ("Acme Robotics, Inc.", "ACMEUEI00001", "999999999", "CA"))
    row = out.iloc[0]
    assert (row.match_method, row.recipient_hash, row.match_score) == ("uei_exact", "h-acme", 100)
    assert "UEI ACMEUEI00001 matches 'ACME ROBOTICS INC'" in row.match_reason
    assert (row.recipient_uei, row.recipient_duns, row.recipient_state) == (
        "ACMEUEI00001", "111111111", "CA")


def test_duns_exact_with_legacy_duplicates_prefers_best_name_then_a_uei(index, settings) -> None:
    out = _link(index, settings,
                ("Pumpilus Technologies Inc", None, "222222222", "MA"),
                ("PUMPILUS LABS, INC.", None, "222222222", "MA"))
    assert out["match_method"].tolist() == ["duns_exact", "duns_exact"]
    # Main and legacy rows have the same normalised name: the row with a UEI wins.
    assert out["recipient_hash"].tolist() == ["h-pump", "h-pump-labs"]
    assert "3 recipients share it" in out["match_reason"].iloc[0]


def test_identifier_whose_name_disagrees_is_flagged_and_the_name_decides(index, settings) -> None:
    # ZYGOMAX's UEI on a QUANTOX award (stale or mistyped): not accepted, flagged, name used.
    out = _link(index, settings, ("Quantox Inc", "ZYGOUEI00001", None, "OH"))
    row = out.iloc[0]
    assert (row.match_method, row.recipient_hash) == ("name_fuzzy", "h-quant")
    assert row.match_reason.startswith("UEI ZYGOUEI00001 is registered to 'ZYGOMAX LLC'")
    assert "not used" in row.match_reason


def test_identifier_conflict_reports_the_true_name_similarity(index, settings) -> None:
    # 'PUMPILUS ROBOTICS WORKS' vs 'ZYGOMAX' is 28 edits apart: similarity 0, not a capped 50.
    out = _link(index, settings, ("Pumpilus Robotics Works Inc", "ZYGOUEI00001", None, "OH"))
    assert out.match_reason.iloc[0].startswith(
        "UEI ZYGOUEI00001 is registered to 'ZYGOMAX LLC' (name similarity 0): not used;")


def test_conflicting_uei_falls_back_to_a_matching_duns(index, settings) -> None:
    out = _link(index, settings, ("Quantox Inc", "ZYGOUEI00001", "444444444", "OH"))
    assert (out.match_method.iloc[0], out.recipient_hash.iloc[0]) == ("duns_exact", "h-quant")
    assert "is registered to 'ZYGOMAX LLC'" in out.match_reason.iloc[0]


def test_identifier_without_award_name_is_accepted_unchecked(index, settings) -> None:
    out = _link(index, settings, (None, "NITTUEI00001", None, None))
    assert (out.match_method.iloc[0], out.recipient_hash.iloc[0]) == ("uei_exact", "h-nitt")
    assert "no name to check" in out.match_reason.iloc[0]


def test_unknown_identifier_falls_back_to_the_name(index, settings) -> None:
    out = _link(index, settings, ("Nittany Optics, L.L.C.", "NOSUCHUEI001", "555555555", "PA"))
    assert (out.match_method.iloc[0], out.recipient_hash.iloc[0]) == ("name_fuzzy", "h-nitt")


def test_name_variants_match_exactly_after_normalisation(index, settings) -> None:
    out = _link(index, settings, ("The Acme Robotics, Incorporated", None, None, "CA"),
                ("Nittany Optics", None, None, "PA"))
    assert out["recipient_hash"].tolist() == ["h-acme", "h-nitt"]
    assert "name 'ACME ROBOTICS' exact" in out["match_reason"].iloc[0]


def test_one_typo_is_matched_through_blocking(index, settings) -> None:
    out = _link(index, settings, ("Acme Robotcs Inc", None, None, "CA"))
    row = out.iloc[0]
    assert (row.match_method, row.recipient_hash) == ("name_fuzzy", "h-acme")
    assert "'ACME ROBOTCS' ~ 'ACME ROBOTICS' (similarity 95)" in row.match_reason
    assert 90 <= row.match_score <= 100


def test_look_alike_with_another_legal_form_is_not_taken(index, settings) -> None:
    out = _link(index, settings, ("ACME ROBOTICS LLC", None, None, "TX"),
                ("Acme Robotics, Inc.", None, None, "CA"),
                ("Acme Robotics Inc", None, None, "TX"))
    assert out["recipient_hash"].tolist()[:2] == ["h-acme-llc", "h-acme"]
    # An INC award from Texas: never the Texan LLC; the Californian INC is not sure either.
    assert (out.match_method.iloc[2], out.in_review_band.iloc[2]) == ("unmatched", True)


def test_look_alike_with_one_word_changed_is_not_taken(index, settings) -> None:
    out = _link(index, settings, ("Acme Kinetics Inc", None, None, "CA"))
    assert out.match_method.iloc[0] == "unmatched"
    assert not out.in_review_band.iloc[0]


@pytest.mark.parametrize("company", ["ACME INC", "Acme Robotics Systems Inc", "Pumpilus"])
def test_absent_firm_contained_in_a_recipient_name_stays_unmatched(index, settings,
                                                                    company: str) -> None:
    # token_set_ratio would score each of these 100 against a recipient that contains it.
    out = _link(index, settings, (company, None, None, "CA"))
    assert out.match_method.iloc[0] == "unmatched"
    assert out.recipient_hash.isna().all()


def test_ambiguous_candidates_go_to_the_review_band(index, settings) -> None:
    # No legal form and a third state: ACME ROBOTICS INC (CA) and LLC (TX) tie.
    out = _link(index, settings, ("Acme Robotics", None, None, "NY"))
    row = out.iloc[0]
    assert (row.match_method, row.in_review_band) == ("unmatched", True)
    assert row.recipient_hash is None or pd.isna(row.recipient_hash)
    assert row.match_reason.startswith("review band")
    review = review_candidates(out, settings.review_top_k)
    assert review["candidate_recipient_hash"].tolist()[:2] == ["h-acme", "h-acme-llc"]
    assert review["candidate_rank"].tolist()[:2] == [1, 2]
    assert (review["source_row"] == 100).all()


def test_namesake_in_another_state_is_not_accepted(index, settings) -> None:
    # QUANTOX INC (OH) and QUANTOX LLC (NV): from Texas, the name cannot tell them apart.
    out = _link(index, settings, ("Quantox Inc", None, None, "TX"))
    assert (out.match_method.iloc[0], out.in_review_band.iloc[0]) == ("unmatched", True)
    assert "same name" in out.match_reason.iloc[0]


def test_moved_firm_with_a_unique_name_is_still_matched(index, settings) -> None:
    out = _link(index, settings, ("Velaris", None, None, "OR"))
    assert (out.match_method.iloc[0], out.recipient_hash.iloc[0]) == ("name_fuzzy", "h-vela")


def test_award_without_name_or_identifier_is_unmatched_with_a_reason(index, settings) -> None:
    out = _link(index, settings, (None, None, None, "CA"))
    assert out.match_method.iloc[0] == "unmatched"
    assert out.match_reason.iloc[0] == "unmatched: no company name and no usable identifier"


def test_no_candidate_is_explained(index, settings) -> None:
    out = _link(index, settings, ("Xylophonic Widgets", None, None, "CA"))
    assert out.match_reason.iloc[0] == (
        "unmatched: no recipient name comes within reach of the review band")
    assert out.match_score.iloc[0] == 0


def test_empty_chunk(index, settings) -> None:
    out = link_awards(_awards(), index, settings)
    assert out.empty and "match_method" in out.columns


def test_a_name_candidate_with_another_identifier_loses_points(index, settings) -> None:
    # QUANTOX INC holds DUNS 444444444; these awards carry an unknown DUNS of their own.
    out = _link(index, settings, ("Quantox Inc", None, "777777777", "OH"),
                ("Quantix Inc", None, "777777777", "OH"),
                ("Quantix Inc", None, None, "OH"))
    assert out["match_method"].tolist() == ["name_fuzzy", "unmatched", "name_fuzzy"]
    assert "other UEI/DUNS -10" in out.match_reason.iloc[0]
    assert out.in_review_band.iloc[1]  # a near name and another firm's DUNS: not automatic


def test_match_score_stays_within_0_and_100_under_extreme_conflict_points(index) -> None:
    harsh = configured_settings(review_score=0.0, suffix_conflict=50.0, state_conflict=50.0,
                                id_conflict=50.0)
    out = _link(index, harsh, ("Acme Robotics Corp", "OTHERUEI0001", None, "FL"))
    row = out.iloc[0]
    assert row.match_method == "unmatched"
    assert 0.0 <= row.match_score <= 100.0
