"""The truth's ``variation`` labels: one value per award, and each label agrees with what the
written tables show, measured without the generator's internals (``noise_measures``)."""

from __future__ import annotations

from functools import cache

import noise_measures as measure
import numpy as np
import pandas as pd
import pytest
from rapidfuzz import process
from rapidfuzz.distance import OSA
from sample_fixtures import shared_linked, shared_sample

from sbir_enrichment.matching.identifiers import normalise_duns, normalise_uei
from sbir_enrichment.matching.names import normalise_name
from sbir_enrichment.sample_data.variation import LABELS, NAME_LABELS, join_labels


def test_labels_are_joined_in_order_and_clean_means_no_name_noise() -> None:
    flags = {"uei shown": np.array([True, True, False]), "typo": np.array([False, True, False]),
             "moved": np.array([False, True, True])}
    assert join_labels(flags).tolist() == ["clean; uei shown", "typo; moved; uei shown",
                                           "clean; moved"]


def test_unknown_or_derived_labels_are_refused() -> None:
    with pytest.raises(ValueError, match="misspelt"):
        join_labels({"misspelt": np.array([True])})
    with pytest.raises(ValueError, match="clean"):
        join_labels({"clean": np.array([True])})


@cache
def _labelled() -> pd.DataFrame:
    """The linked awards (usable rows: a company and at most a 9-digit DUNS) with their labels."""
    sample, linked = shared_sample(), shared_linked()
    labels = sample.truth.drop_duplicates("source_row").set_index("source_row")["variation"]
    linked = linked.assign(labels=labels.reindex(linked["source_row"]).str.split("; ")
                           .map(set).to_numpy())
    usable = linked["Company"].notna() & ~linked["Duns"].fillna("").str.fullmatch(r"[0-9]{10,}")
    return linked[usable].reset_index(drop=True)


def _has(label: str) -> pd.Series:
    return _labelled()["labels"].map(lambda labels: label in labels)


def test_an_award_has_one_variation_on_all_its_truth_rows() -> None:
    truth = shared_sample().truth
    assert truth["variation"].notna().all()
    assert (truth.groupby("source_row")["variation"].nunique() == 1).all()
    assert (truth["source_row"].value_counts() > 1).any()  # legacy rows carry the label too


def test_every_label_occurs_and_clean_excludes_name_noise() -> None:
    labels = _labelled()["labels"]
    seen = set().union(*labels)
    assert seen == set(LABELS)
    clean = labels.map(lambda ls: "clean" in ls)
    noisy = labels.map(lambda ls: bool(ls & set(NAME_LABELS)))
    assert (clean != noisy).all()


def test_identifier_labels_match_the_written_identifiers() -> None:
    awards = _labelled()
    uei, duns = normalise_uei(awards["UEI"]), normalise_duns(awards["Duns"])
    assert (_has("no identifier") == (awards["UEI"].isna() & awards["Duns"].isna())).all()
    with_uei = awards["uei"].notna()
    assert (_has("uei shown")[with_uei] == (uei == awards["uei"]).fillna(False)[with_uei]).all()
    comparable = (uei.notna() & awards["uei"].notna()) | (duns.notna() & awards["duns"].notna())
    wrong = ((uei != awards["uei"]) & uei.notna() & awards["uei"].notna()) | (
        (duns != awards["duns"]) & duns.notna() & awards["duns"].notna())
    assert (_has("wrong identifier")[comparable] == wrong[comparable]).all()


def test_moved_and_case_labels_match_the_tables() -> None:
    awards = _labelled()
    assert (_has("moved") == (awards["State"] != awards["state"])).all()
    assert (_has("case") == (awards["Company"] != awards["Company"].str.upper())).all()


def test_suffix_labels_match_the_written_suffixes() -> None:
    awards = _labelled()
    firm = measure.legal_suffix(awards["legal_business_name"])
    award = measure.legal_suffix(awards["Company"])
    assert (_has("suffix dropped") == (firm.notna() & award.isna())).all()
    assert (_has("legal form swapped") == (award.notna() & (award != firm))).all()
    foreign = measure._written_suffix(awards["legal_business_name"]).isin(
        measure.FOREIGN_SUFFIXES)
    assert (_has("foreign form") == foreign).all()


@pytest.mark.parametrize(("label", "least_found"),
                         [("extra words", 0.85), ("acronym", 0.85), ("typo", 0.75)])
def test_name_rewrite_labels_cover_what_the_measures_find(label: str, least_found: float) -> None:
    """Every rewrite a measure finds is labelled, and most labelled ones are found: a typo hides
    a few extra words or acronyms, and a typo in a word the normaliser folds (TECHNOLOGIES →
    TECH), or in an award with extra words, is more than one edit away after normalising."""
    awards = _labelled()
    if label == "extra words":
        found = measure.extra_words_awards(awards)
    elif label == "acronym":
        found = measure.acronym_awards(awards)["acronym"]
    else:
        distance = process.cpdist(normalise_name(awards["Company"]).fillna("").tolist(),
                                  normalise_name(awards["legal_business_name"]).tolist(),
                                  scorer=OSA.distance, workers=2)
        found = pd.Series(np.asarray(distance) == 1)
    labelled = _has(label)
    assert not (found & ~labelled).any()
    assert (found & labelled).sum() >= least_found * labelled.sum()


def test_short_name_label_marks_one_word_names_of_four_to_seven_letters() -> None:
    awards = _labelled()
    assert (_has("short name") == measure.is_short_name(awards["legal_business_name"])).all()
