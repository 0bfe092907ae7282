"""Each kind of noise, measured from the generated tables and truth, is near its configured share.

Ranges hold for the shared 8,000-award sample (``conftest.CONFIG``, default shares); the
measures are in ``noise_measures.py`` and docs/data_generation.md lists the same ranges.
"""

from __future__ import annotations

import noise_measures as measure
import pandas as pd
import pytest
from sample_fixtures import shared_linked, shared_sample

from sbir_enrichment.sample_data import SampleData


@pytest.fixture
def sample() -> SampleData:
    return shared_sample()


@pytest.fixture
def linked() -> pd.DataFrame:
    return shared_linked()


def test_absent_firms_hold_their_share_of_awards_and_are_mostly_old(sample: SampleData) -> None:
    assert 0.09 <= measure.absent_award_share(sample) <= 0.11
    year = sample.awards["Award Year"].astype(int)
    present = year.index.isin(sample.truth["source_row"])
    assert year[~present].median() <= year[present].median() - 5


def test_legacy_duns_duplicates(linked: pd.DataFrame) -> None:
    assert 0.08 <= measure.legacy_firm_share(linked) <= 0.15


def test_suffix_lookalikes_differ_by_legal_form_and_mostly_by_state(
        sample: SampleData, linked: pd.DataFrame) -> None:
    pairs = measure.suffix_lookalikes(sample, linked)
    share = pairs["recipient_hash"].nunique() / linked["recipient_hash"].nunique()
    assert 0.06 <= share <= 0.13
    assert (pairs["state"] != pairs["state_other"]).mean() >= 0.6


def test_one_word_lookalikes_are_at_least_the_deliberate_share(
        sample: SampleData, linked: pd.DataFrame) -> None:
    assert measure.token_lookalike_firm_share(sample, linked) >= 0.05


def test_moved_firms(linked: pd.DataFrame) -> None:
    assert 0.04 <= measure.moved_firm_share(linked) <= 0.08
    assert 0.01 <= measure.moved_award_share(linked) <= 0.06


def test_duns_written_as_exports_do(sample: SampleData) -> None:
    shares = measure.duns_shares(sample.awards)
    assert 0.65 <= shares["lost_zeros"] <= 0.75
    assert 0.025 <= shares["dashes"] <= 0.055


def test_uei_written_as_exports_do(sample: SampleData) -> None:
    shares = measure.uei_shares(sample.awards)
    assert 0.035 <= shares["lower"] <= 0.065
    assert 0.025 <= shares["padded"] <= 0.055


def test_wrong_identifiers(linked: pd.DataFrame) -> None:
    assert 0.01 <= measure.wrong_identifier_share(linked) <= 0.03


def test_one_character_typos(linked: pd.DataFrame) -> None:
    assert 0.018 <= measure.typo_share(linked) <= 0.038


def test_suffix_dropped_swapped_and_respelt(linked: pd.DataFrame) -> None:
    shares = measure.suffix_shares(linked)
    assert 0.06 <= shares["drop"] <= 0.10
    assert 0.03 <= shares["swap"] <= 0.05
    assert 0.06 <= shares["spelling"] <= 0.11


def test_extra_division_unit_or_country_words(linked: pd.DataFrame) -> None:
    assert 0.02 <= measure.extra_words_awards(linked).mean() <= 0.04


def test_acronyms_of_names_with_three_or_more_words(linked: pd.DataFrame) -> None:
    awards = measure.acronym_awards(linked)
    assert 0.04 <= awards.loc[awards["eligible"], "acronym"].mean() <= 0.085
    assert not awards.loc[~awards["eligible"], "acronym"].any()


def test_foreign_legal_forms_kept_or_written_another_way(linked: pd.DataFrame) -> None:
    shares = measure.foreign_form_shares(linked)
    assert 0.01 <= shares["firms"] <= 0.03
    assert 0.18 <= shares["written_otherwise"] <= 0.45


def test_letter_lookalikes_mostly_elsewhere_and_of_short_names(
        sample: SampleData, linked: pd.DataFrame) -> None:
    pairs = measure.letter_lookalikes(sample, linked)
    firms = linked.drop_duplicates("recipient_hash")
    assert 0.03 <= pairs["recipient_hash"].nunique() / len(firms) <= 0.15
    assert (pairs["state"] != pairs["state_other"]).mean() >= 0.6
    with_one = firms[firms["recipient_hash"].isin(pairs["recipient_hash"])]
    short_share = measure.is_short_name(firms["legal_business_name"]).mean()
    assert measure.is_short_name(with_one["legal_business_name"]).mean() >= 2 * short_share


def test_short_one_word_names_are_as_common_as_in_real_lists(linked: pd.DataFrame) -> None:
    firms = linked.drop_duplicates("recipient_hash")
    assert 0.11 <= measure.is_short_name(firms["legal_business_name"]).mean() <= 0.19


def test_punctuation_around_the_suffix(linked: pd.DataFrame) -> None:
    assert 0.13 <= measure.comma_change_share(linked) <= 0.21


def test_leading_the(linked: pd.DataFrame) -> None:
    assert 0.01 <= measure.leading_the_share(linked) <= 0.03


def test_name_case(sample: SampleData) -> None:
    shares = measure.case_shares(sample.awards)
    assert 0.37 <= shares["mixed"] <= 0.43
    assert 0.005 <= shares["lower"] <= 0.02


def test_abbreviations_switched(linked: pd.DataFrame) -> None:
    assert 0.25 <= measure.abbreviation_share(linked) <= 0.35


def test_ampersand_and_and_switched(linked: pd.DataFrame) -> None:
    assert 0.25 <= measure.ampersand_share(linked) <= 0.55


@pytest.mark.parametrize("kind", ["no_company", "bad_amount", "long_duns"])
def test_unusable_rows_of_each_kind(sample: SampleData, kind: str) -> None:
    counts = measure.unusable_rows(sample.awards)
    assert sum(counts.values()) == round(0.006 * len(sample.awards))
    assert counts[kind] >= 15
