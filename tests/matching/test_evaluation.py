"""Accuracy report: precision and recall with several acceptable recipients, and no truth."""

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
