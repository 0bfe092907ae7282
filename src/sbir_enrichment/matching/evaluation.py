"""Accuracy of a linkage against a truth table: precision, recall, reliability, by method/kind."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

METHODS: tuple[str, ...] = ("uei_exact", "duns_exact", "name_fuzzy")
# Probability bands of the reliability table (the review band and the accepted range).
RELIABILITY_EDGES: tuple[float, ...] = (0.5, 0.8, 0.9, 0.95, 0.99, 0.999, 1.0)


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _truth_pairs(truth: pd.DataFrame) -> pd.DataFrame:
    pairs = pd.DataFrame({"source_row": truth["source_row"].astype("int64"),
                          "recipient_hash": truth["recipient_hash"].astype("string")})
    return pairs.drop_duplicates()


def _correct(source_row: pd.Series, recipient_hash: pd.Series, pairs: pd.DataFrame) -> np.ndarray:
    """Whether each ``(source_row, recipient_hash)`` is an acceptable link."""
    links = pd.DataFrame({"source_row": source_row.astype("int64").to_numpy(),
                          "recipient_hash": recipient_hash.astype("string").to_numpy()})
    checked = links.merge(pairs.assign(correct=True), on=["source_row", "recipient_hash"],
                          how="left")
    return checked["correct"].fillna(False).astype(bool).to_numpy()


def _reliability(enriched: pd.DataFrame, review: pd.DataFrame | None,
                 pairs: pd.DataFrame) -> list[dict[str, Any]]:
    """Per probability band: awards whose best candidate has that probability, and how many
    of those best candidates are right (matched awards, and the review band's first candidate).
    """
    best = enriched.loc[enriched["match_method"] != "unmatched",
                        ["source_row", "match_probability", "recipient_hash"]]
    if review is not None and len(review):
        first = review[review["candidate_rank"] == 1][["source_row", "candidate_recipient_hash"]]
        band = enriched.loc[enriched["in_review_band"], ["source_row", "match_probability"]]
        best = pd.concat([best, band.merge(first, on="source_row").rename(
            columns={"candidate_recipient_hash": "recipient_hash"})], ignore_index=True)
    correct = _correct(best["source_row"], best["recipient_hash"], pairs)
    rows = []
    for low, high in zip(RELIABILITY_EDGES[:-1], RELIABILITY_EDGES[1:], strict=True):
        p = best["match_probability"].to_numpy()
        inside = (p >= low) & ((p < high) | (high == RELIABILITY_EDGES[-1]))
        n = int(inside.sum())
        rows.append({"low": low, "high": high, "awards": n,
                     "predicted": float(p[inside].mean()) if n else None,
                     "observed": float(correct[inside].mean()) if n else None})
    return rows


def _by_variation(enriched: pd.DataFrame, truth: pd.DataFrame,
                  pairs: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Recall of the awards carrying each kind of variation (truth's ``variation`` labels)."""
    if "variation" not in truth:
        return {}
    labels = truth[["source_row", "variation"]].dropna().drop_duplicates("source_row")
    labels = labels[labels["source_row"].isin(enriched["source_row"])]
    labels = labels.assign(variation=labels["variation"].str.split(";")).explode("variation")
    labels["variation"] = labels["variation"].str.strip()
    matched = enriched[["source_row", "recipient_hash"]].dropna()
    found = labels.merge(matched, on="source_row", how="left")
    found["ok"] = _correct(found["source_row"], found["recipient_hash"].fillna(""), pairs)
    per_award = found.groupby(["variation", "source_row"])["ok"].any().reset_index()
    summary = per_award.groupby("variation")["ok"].agg(["size", "sum"])
    return {str(label): {"awards": int(size), "found": int(right),
                         "recall": _ratio(int(right), int(size))}
            for label, (size, right) in summary.iterrows()}


def accuracy_report(enriched: pd.DataFrame, truth: pd.DataFrame | None,
                    review: pd.DataFrame | None = None) -> dict[str, Any]:
    """Precision, recall and F1 of ``enriched`` against ``truth``, by method and by variation,
    and a reliability table of the match probability.

    Args:
        enriched: Enriched awards (``source_row``, ``match_method``, ``recipient_hash``,
            ``match_probability``, ``in_review_band``).
        truth: ``source_row, recipient_hash`` rows (several rows: several acceptable
            recipients; an award absent from it has no true recipient), optionally with a
            ``variation`` label per award (``;``-separated kinds), or ``None``.
        review: The review candidates (their first candidate joins the reliability table).

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
        report["reliability"] = []
        report["by_variation"] = {}
        return report
    pairs = _truth_pairs(truth)
    with_truth = int(enriched["source_row"].isin(pairs["source_row"]).sum())
    correct = pd.Series(_correct(matched["source_row"], matched["recipient_hash"], pairs))
    true_positives = int(correct.sum())
    precision = _ratio(true_positives, len(matched))
    recall = _ratio(true_positives, with_truth)
    f1 = (2 * precision * recall / (precision + recall)
          if precision is not None and recall is not None and precision + recall > 0 else None)
    report.update({
        "awards_with_truth": with_truth, "true_positives": true_positives,
        "false_positives": len(matched) - true_positives,
        "false_negatives": with_truth - true_positives,
        "precision": precision, "recall": recall, "f1": f1,
    })
    by_method = correct.groupby(matched["match_method"].to_numpy()).agg(["size", "sum"])
    report["by_method"] = {}
    for method in METHODS:
        size, right = (int(v) for v in by_method.loc[method]) if method in by_method.index \
            else (0, 0)
        report["by_method"][method] = {"matched": size, "correct": right, "wrong": size - right,
                                       "precision": _ratio(right, size)}
    report["reliability"] = _reliability(enriched, review, pairs)
    report["by_variation"] = _by_variation(enriched, truth, pairs)
    return report
