"""The real-variant sample: awards named by real aliases, canonical names among the recipients."""

from __future__ import annotations

from functools import cache

import pandas as pd

from sbir_enrichment.sample_data import GeneratorConfig, SampleData, make_sample
from sbir_enrichment.sample_data.variants import load_aliases

CONFIG = GeneratorConfig(seed=4, names_from="company_aliases", n_awards=6000, n_recipients=30000)


@cache
def _sample() -> SampleData:
    return make_sample(CONFIG)


def test_awards_carry_aliases_and_recipients_the_canonical_names() -> None:
    sample, aliases = _sample(), load_aliases()
    assert set(sample.awards["Company"]) <= set(aliases["alias"])
    assert list(sample.awards.columns) == list(make_sample(
        GeneratorConfig(seed=4, n_awards=10, n_recipients=100)).awards.columns)
    linked = sample.truth.merge(sample.recipients, on="recipient_hash")
    assert set(linked["legal_business_name"]) <= set(aliases["canonical_name"])
    assert sample.recipients["recipient_hash"].is_unique
    assert sample.recipients["uei"].dropna().is_unique


def test_truth_pairs_each_alias_with_its_own_company() -> None:
    sample, aliases = _sample(), load_aliases()
    awards = sample.awards.assign(source_row=range(len(sample.awards)))
    linked = (sample.truth.merge(awards[["source_row", "Company"]], on="source_row")
              .merge(sample.recipients[["recipient_hash", "legal_business_name"]],
                     on="recipient_hash"))
    pairs = set(zip(aliases["alias"], aliases["canonical_name"], strict=True))
    assert all((a, c) in pairs for a, c in zip(linked["Company"], linked["legal_business_name"],
                                                 strict=True))


def test_identifier_and_absence_shares_follow_the_settings() -> None:
    sample = _sample()
    awards = sample.awards.assign(source_row=range(len(sample.awards)))
    assert awards["Duns"].isna().all()
    uei_share = awards["UEI"].notna().mean()
    assert 0.17 <= uei_share <= 0.23
    with_truth = awards["source_row"].isin(sample.truth["source_row"])
    assert 0.78 <= with_truth.mean() <= 0.92  # 15% of companies absent; award counts vary
    shown = awards[with_truth & awards["UEI"].notna()].merge(sample.truth, on="source_row") \
        .merge(sample.recipients[["recipient_hash", "uei"]], on="recipient_hash")
    assert (shown["UEI"] == shown["uei"]).all()  # a UEI shown is the company's own
    absent_uei = awards.loc[~with_truth, "UEI"].dropna()
    assert not absent_uei.isin(sample.recipients["uei"]).any()


def test_variation_labels_name_the_alias_kind_and_the_identifier() -> None:
    labels = _sample().truth["variation"].str.split("; ")
    kinds = {label[0] for label in labels}
    assert kinds == {"superset", "disjoint", "overlap", "subset", "spacing"}
    assert {label[1] for label in labels} == {"uei shown", "no identifier"}


def test_the_same_settings_give_the_same_sample() -> None:
    again = make_sample(CONFIG)
    pd.testing.assert_frame_equal(again.awards, _sample().awards)
    pd.testing.assert_frame_equal(again.recipients, _sample().recipients)
    pd.testing.assert_frame_equal(again.truth, _sample().truth)
