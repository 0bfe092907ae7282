"""Accuracy of a linkage against a truth table: precision, recall, F1, errors by method."""

from __future__ import annotations

from typing import Any

import pandas as pd

METHODS: tuple[str, ...] = ("uei_exact", "duns_exact", "name_fuzzy")


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def accuracy_report(enriched: pd.DataFrame, truth: pd.DataFrame | None) -> dict[str, Any]:
    """Precision, recall and F1 of ``enriched`` against ``truth``, overall and by match method.

    Args:
        enriched: Enriched awards (``source_row``, ``match_method``, ``recipient_hash``).
        truth: ``source_row, recipient_hash`` rows (several rows: several acceptable
            recipients; an award absent from it has no true recipient), or ``None``.

    Returns:
        The accuracy report (docs/architecture.md, "Accuracy report"); without truth only
        ``has_truth: false`` and the counts, figures ``None``.
    """
    matched = enriched[enriched["match_method"] != "unmatched"]
    report: dict[str, Any] = {
        "has_truth": truth is not None, "awards": len(enriched),
        "awards_with_truth": None, "matched": len(matched),
        "true_positives": None, "false_positives": None, "false_negatives": None,
        "precision": None, "recall": None, "f1": None,
    }
    if truth is None:
        report["by_method"] = {
            m: {"matched": int((matched["match_method"] == m).sum()), "correct": None,
                "wrong": None, "precision": None} for m in METHODS}
        return report
    pairs = pd.DataFrame({"source_row": truth["source_row"].astype("int64"),
                          "recipient_hash": truth["recipient_hash"].astype("string")})
    pairs = pairs.drop_duplicates()
    with_truth = int(enriched["source_row"].isin(pairs["source_row"]).sum())
    links = pd.DataFrame({"source_row": matched["source_row"].astype("int64").to_numpy(),
                          "recipient_hash": matched["recipient_hash"].astype("string").to_numpy(),
                          "method": matched["match_method"].astype("string").to_numpy()})
    checked = links.merge(pairs.assign(correct=True), on=["source_row", "recipient_hash"],
                          how="left")
    correct = checked["correct"].fillna(False).astype(bool)
    true_positives = int(correct.sum())
    precision = _ratio(true_positives, len(links))
    recall = _ratio(true_positives, with_truth)
    f1 = (2 * precision * recall / (precision + recall)
          if precision is not None and recall is not None and precision + recall > 0 else None)
    report.update({
        "awards_with_truth": with_truth, "true_positives": true_positives,
        "false_positives": len(links) - true_positives,
        "false_negatives": with_truth - true_positives,
        "precision": precision, "recall": recall, "f1": f1,
    })
    by_method = correct.groupby(checked["method"].to_numpy()).agg(["size", "sum"])
    report["by_method"] = {}
    for method in METHODS:
        size, right = (int(v) for v in by_method.loc[method]) if method in by_method.index \
            else (0, 0)
        report["by_method"][method] = {"matched": size, "correct": right, "wrong": size - right,
                                       "precision": _ratio(right, size)}
    return report
