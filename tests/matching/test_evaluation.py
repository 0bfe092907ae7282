"""Accuracy report: precision and recall with several acceptable recipients, the reliability of
the match probability, recall by kind of variation, and no truth."""

from __future__ import annotations

import pandas as pd
import pytest

from sbir_enrichment.matching import accuracy_report


@pytest.fixture
def enriched() -> pd.DataFrame:
    return pd.DataFrame({
        "source_row": [0, 1, 2, 3, 4, 5],
        "match_method": ["uei_exact", "duns_exact", "name_fuzzy", "name_fuzzy", "unmatched",
                         "unmatched"],
        "recipient_hash": ["a", "b-legacy", "wrong", "x", None, None],
        "match_probability": [0.999, 0.97, 0.92, 0.91, 0.7, 0.0],
        "in_review_band": [False, False, False, False, True, False],
    })


def test_precision_recall_and_errors_by_method(enriched: pd.DataFrame) -> None:
    truth = pd.DataFrame({"source_row": [0, 1, 1, 2, 4, 99],
                          "recipient_hash": ["a", "b", "b-legacy", "c", "e", "z"]})
    report = accuracy_report(enriched, truth)
    # Award 3 has no true recipient (absent firm) but was matched: a false positive.
    assert report["has_truth"] is True
    assert (report["awards"], report["awards_with_truth"], report["matched"]) == (6, 4, 4)
    assert (report["true_positives"], report["false_positives"],
            report["false_negatives"]) == (2, 2, 2)
    assert report["precision"] == pytest.approx(0.5)
    assert report["recall"] == pytest.approx(0.5)
    assert report["f1"] == pytest.approx(0.5)
    assert report["by_method"]["duns_exact"] == {"matched": 1, "correct": 1, "wrong": 0,
                                                 "precision": 1.0}
    assert report["by_method"]["name_fuzzy"] == {"matched": 2, "correct": 0, "wrong": 2,
                                                 "precision": 0.0}


def test_without_truth_only_counts_are_reported(enriched: pd.DataFrame) -> None:
    report = accuracy_report(enriched, None)
    assert report["has_truth"] is False
    assert (report["awards"], report["matched"]) == (6, 4)
    assert report["precision"] is None and report["recall"] is None
    assert report["by_method"]["name_fuzzy"]["matched"] == 2


def test_reliability_compares_predicted_with_observed_per_band(enriched: pd.DataFrame) -> None:
    truth = pd.DataFrame({"source_row": [0, 1, 2, 4], "recipient_hash": ["a", "b-legacy", "c",
                                                                         "e"]})
    review = pd.DataFrame({"source_row": [4, 4], "candidate_rank": [1, 2],
                           "candidate_recipient_hash": ["e", "f"]})
    bands = {(b["low"], b["high"]): b for b in accuracy_report(enriched, truth,
                                                               review)["reliability"]}
    # 0.91 and 0.92: both wrong; 0.97: right; 0.999: right; the review award's first candidate
    # (0.7) is right; an award with no candidate (0.0) is in no band.
    assert bands[(0.9, 0.95)]["awards"] == 2 and bands[(0.9, 0.95)]["observed"] == 0.0
    assert bands[(0.9, 0.95)]["predicted"] == pytest.approx(0.915)
    assert bands[(0.95, 0.99)]["observed"] == 1.0
    assert bands[(0.999, 1.0)]["awards"] == 1
    assert bands[(0.5, 0.8)] == {"low": 0.5, "high": 0.8, "awards": 1, "predicted": 0.7,
                                 "observed": 1.0}
    assert bands[(0.8, 0.9)]["awards"] == 0 and bands[(0.8, 0.9)]["observed"] is None


def test_recall_by_variation_counts_each_label_of_an_award(enriched: pd.DataFrame) -> None:
    truth = pd.DataFrame({"source_row": [0, 1, 2, 4],
                          "recipient_hash": ["a", "b-legacy", "c", "e"],
                          "variation": ["typo; moved", "moved", "typo", None]})
    by = accuracy_report(enriched, truth)["by_variation"]
    assert by == {"moved": {"awards": 2, "found": 2, "recall": 1.0},
                  "typo": {"awards": 2, "found": 1, "recall": 0.5}}
