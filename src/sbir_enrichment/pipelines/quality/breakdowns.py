"""Measures of an enriched awards frame: headline rates, breakdowns by group, score histogram.

Every function is vectorised over the whole frame and returns JSON-ready Python values
(floats rounded, missing as ``None``), so the report can be saved as it is.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

UNMATCHED = "unmatched"
REVIEW_BAND = "review_band"
UNKNOWN = "unknown"
# Dimensions of the breakdowns: report key → how the group label is derived (see ``group_labels``).
DIMENSIONS = ("match_method", "phase", "size_bucket", "identifiers", "agency", "award_year")
_DIGITS = 4


def matched_mask(enriched: pd.DataFrame) -> pd.Series:
    """True where an award is linked: a match method other than unmatched, never the review band."""
    in_band = enriched["in_review_band"].fillna(False).astype(bool)
    return (enriched["match_method"] != UNMATCHED).fillna(False).astype(bool) & ~in_band


def size_bucket(employees: pd.Series, upper_bounds: list[int]) -> pd.Series:
    """Company-size bucket labels (``≤10``, ``11–50``, ..., ``>500``, ``unknown``) in order."""
    labels = [f"≤{upper_bounds[0]}"]
    labels += [f"{lo + 1}–{hi}" for lo, hi in zip(upper_bounds, upper_bounds[1:], strict=False)]
    labels += [f">{upper_bounds[-1]}"]
    edges = [-np.inf, *upper_bounds, np.inf]
    values = pd.to_numeric(employees, errors="coerce").astype("float64")
    buckets = pd.cut(values, bins=edges, labels=labels, right=True)
    return buckets.cat.add_categories([UNKNOWN]).fillna(UNKNOWN)


def identifier_kind(uei: pd.Series, duns: pd.Series) -> pd.Series:
    """Which identifiers the award itself carries: ``both``, ``uei``, ``duns`` or ``none``."""
    has_uei, has_duns = uei.notna().to_numpy(), duns.notna().to_numpy()
    kinds = np.select(
        [has_uei & has_duns, has_uei, has_duns], ["both", "uei", "duns"], default="none"
    )
    order = ["uei", "duns", "both", "none"]
    return pd.Series(pd.Categorical(kinds, categories=order), index=uei.index)


def _text_labels(values: pd.Series) -> pd.Series:
    """Group labels from any column: text as given, numbers without a ``.0``, missing as unknown."""
    if pd.api.types.is_numeric_dtype(values):
        values = values.astype("Int64")
    labels = values.astype("string").str.strip()
    return labels.mask(labels.isna() | (labels == ""), UNKNOWN)


def group_labels(enriched: pd.DataFrame, size_upper_bounds: list[int]) -> dict[str, pd.Series]:
    """The label of each award in every breakdown dimension, keyed by dimension."""
    return {
        "match_method": _text_labels(enriched["match_method"]).mask(
            enriched["in_review_band"].fillna(False).astype(bool), REVIEW_BAND
        ),
        "phase": _text_labels(enriched["phase"]),
        "size_bucket": size_bucket(enriched["number_employees"], size_upper_bounds),
        "identifiers": identifier_kind(enriched["uei"], enriched["duns"]),
        "agency": _text_labels(enriched["agency"]),
        "award_year": _text_labels(enriched["award_year"]),
    }


def _json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Records with floats rounded and missing values as ``None``."""
    rounded = frame.round(_DIGITS).astype(object)
    return rounded.where(rounded.notna(), None).to_dict(orient="records")


def rate_breakdown(labels: pd.Series, matched: pd.Series, method_labels: pd.Series
                   ) -> list[dict]:
    """Per group: awards, matched, match rate, and how its awards were decided.

    Args:
        labels: Group label of each award.
        matched: Whether each award is linked (``matched_mask``).
        method_labels: The award's ``match_method`` dimension label (review band apart).

    Returns:
        One record per group, in the labels' category order (else alphabetical), with
        ``by_method``: awards per match method; empty for no awards.
    """
    frame = pd.DataFrame({"group": labels, "matched": matched.astype("int64"),
                          "method": method_labels.astype(str)})
    grouped = frame.groupby("group", observed=True, sort=True)
    table = grouped.agg(awards=("matched", "size"), matched=("matched", "sum"))
    table["match_rate"] = table["matched"] / table["awards"]
    table.index = table.index.astype(str)
    records = _json_records(table.rename_axis("group").reset_index())
    by_method: dict[str, dict[str, int]] = {}
    sizes = frame.groupby(["group", "method"], observed=True, sort=True).size()
    for (group, method), awards in sizes.items():
        by_method.setdefault(str(group), {})[method] = int(awards)
    return [{**record, "by_method": by_method.get(record["group"], {})} for record in records]


def unmatched_by_phase(phase_labels: pd.Series, matched: pd.Series,
                       in_band: pd.Series) -> list[dict]:
    """Per phase: awards left unmatched, of which in the review band, and their share."""
    frame = pd.DataFrame({
        "phase": phase_labels,
        "unmatched": (~matched).astype("int64"),
        "review_band": in_band.astype("int64"),
    })
    table = frame.groupby("phase", sort=True).agg(
        awards=("unmatched", "size"), unmatched=("unmatched", "sum"),
        review_band=("review_band", "sum"),
    )
    table["unmatched_share"] = table["unmatched"] / table["awards"]
    return _json_records(table.reset_index())


def score_histogram(method_labels: pd.Series, score: pd.Series, bin_width: float) -> dict:
    """Counts of ``match_score`` in fixed bins over 0–100, per match method / review band.

    Returns:
        ``{"bin_edges": [...], "counts": {label: [...]}}``; rows without a score are left out.
    """
    edges = np.unique(np.append(np.arange(0.0, 100.0, bin_width), 100.0))
    scored = score.notna()
    counts = {}
    for label, values in score[scored].groupby(method_labels[scored].astype(str), sort=True):
        counts[label] = np.histogram(values.to_numpy(dtype="float64"), bins=edges)[0].tolist()
    return {"bin_edges": [round(float(e), _DIGITS) for e in edges], "counts": counts}


def summary(enriched: pd.DataFrame, accuracy: dict) -> dict[str, Any]:
    """Headline figures: awards, matched, review band, match rate; precision/recall/F1 if known."""
    matched = matched_mask(enriched)
    awards = len(enriched)
    figures: dict[str, Any] = {
        "awards": awards,
        "matched": int(matched.sum()),
        "review_band": int(enriched["in_review_band"].fillna(False).astype(bool).sum()),
        "unmatched": int((~matched).sum()),
        "match_rate": round(float(matched.mean()), 6) if awards else 0.0,
        "has_truth": bool(accuracy.get("has_truth", False)),
    }
    for key in ("precision", "recall", "f1"):
        figures[key] = accuracy.get(key) if figures["has_truth"] else None
    return figures


def accuracy_by_method(accuracy: dict) -> dict[str, dict[str, Any]]:
    """The accuracy report's per-method figures, plus each method's share of recall.

    ``recall_share`` is the method's correct matches over awards with a true recipient, so the
    shares add up to the overall recall. Empty when the run had no truth.
    """
    if not accuracy.get("has_truth"):
        return {}
    with_truth = accuracy.get("awards_with_truth") or 0
    return {
        method: {
            **figures,
            "recall_share": round(figures["correct"] / with_truth, 6) if with_truth else None,
        }
        for method, figures in sorted(accuracy.get("by_method", {}).items())
    }
