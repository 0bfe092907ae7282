"""Enriched outputs that follow the contract (docs/architecture.md), built for quality tests.

No conftest.py here on purpose: a second ``conftest`` module would shadow tests/conftest.py for
the ``from conftest import run_session`` imports of other test modules.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from kedro.config import OmegaConfigLoader

from sbir_enrichment.pipelines.enrichment.params import EnrichmentParams
from sbir_enrichment.pipelines.quality.params import QualityParams
from sbir_enrichment.schemas import WEIGHT_COLUMNS, SbirAwards

PROJECT_ROOT = Path(__file__).resolve().parents[3]

METHOD_CYCLE = ("uei_exact", "duns_exact", "name_fuzzy", "unmatched", "uei_exact",
                "name_fuzzy", "uei_exact", "duns_exact", "uei_exact", "unmatched")


def awards_frame(rows: int) -> pd.DataFrame:
    """Ingested awards conforming to ``schemas.SbirAwards``, with varied phase/size/identifiers."""
    i = np.arange(rows, dtype="int64")
    columns = {}
    for name, column in SbirAwards.to_schema().columns.items():
        dtype = str(column.dtype)
        if dtype.startswith("datetime64"):
            columns[name] = pd.Series(pd.Timestamp("2020-01-01") + pd.to_timedelta(i % 3650, "D"),
                                      dtype=dtype)
        elif dtype == "boolean":
            columns[name] = pd.array(i % 2 == 0, dtype="boolean")
        elif dtype == "Int64":
            columns[name] = pd.array(2019 + i % 5, dtype="Int64")
        elif dtype == "float64":
            columns[name] = 100_000.0 + i
        else:
            columns[name] = pd.Series([f"{name} {k}" for k in i], dtype="str")
    frame = pd.DataFrame(columns)
    frame["source_row"] = i
    frame["company"] = pd.Series([f"Firm {k} Inc" for k in i], dtype="str")
    frame["agency"] = pd.Series(np.where(i % 3 == 0, "DOD", "HHS"), dtype="str")
    frame["phase"] = pd.Series(np.where(i % 4 == 0, "Phase II", "Phase I"), dtype="str")
    frame["state"] = pd.Series(["VA"] * rows, dtype="str")
    frame["number_employees"] = pd.array(
        [None if k % 7 == 0 else int(k * 3 % 600) for k in i], dtype="Int64")
    frame["uei"] = pd.Series([f"UEI{k:09d}" if k % 2 else None for k in i], dtype="str")
    frame["duns"] = pd.Series([f"{k:09d}" if k % 3 else None for k in i], dtype="str")
    return frame


def enriched_frame(rows: int = 200) -> pd.DataFrame:
    """A good enriched output: 80% matched, every tenth award unmatched in the review band."""
    awards = awards_frame(rows)
    source_row = awards["source_row"].to_numpy()
    method = pd.Series([METHOD_CYCLE[k % len(METHOD_CYCLE)] for k in range(rows)], dtype="str")
    unmatched = method == "unmatched"
    in_band = pd.Series((source_row % 10 == 3), dtype=bool)
    score = np.where(method.isin(["uei_exact", "duns_exact"]), 100.0,
                     np.where(method == "name_fuzzy", 88.0 + (source_row % 12), np.nan))
    score = np.where(in_band, 84.0, score)
    probability = np.nan_to_num(score / 100.0)
    with np.errstate(divide="ignore"):
        log_odds = np.log2(probability) - np.log2(1.0 - np.minimum(probability, 1 - 1e-12))
    has_candidate = probability > 0
    weights = {column: np.where(has_candidate, 0.0, np.nan) for column in WEIGHT_COLUMNS}
    weights["match_weight_prior"] = np.where(has_candidate, log_odds - 1.0, np.nan)
    weights["match_weight_name"] = np.where(has_candidate, 1.0, np.nan)

    def recipient(values: list[str | None]) -> pd.Series:
        return pd.Series(values, dtype="str").mask(unmatched)

    return awards.assign(
        match_method=method,
        match_score=score.astype("float64"),
        recipient_hash=recipient([f"h{k:05d}" for k in range(rows)]),
        recipient_uei=recipient([f"R{k:011d}" for k in range(rows)]),
        recipient_duns=recipient([f"{k + 100000000:09d}" for k in range(rows)]),
        recipient_name=recipient([f"FIRM {k} INC" for k in range(rows)]),
        recipient_parent_uei=recipient([None] * rows),
        recipient_state=recipient(["VA"] * rows),
        match_reason=pd.Series(np.where(in_band, "best candidate scored in the review band",
                                        np.where(unmatched, "no candidate", "matched")),
                               dtype="str"),
        in_review_band=in_band,
        match_probability=probability,
        **weights,
    )


def review_candidates(enriched: pd.DataFrame) -> pd.DataFrame:
    """Two ranked candidates for every review-band award."""
    band = enriched.loc[enriched["in_review_band"], ["source_row", "company"]]
    frame = band.loc[band.index.repeat(2)].reset_index(drop=True)
    rank = np.tile(np.array([1, 2], dtype="int64"), len(band))
    return pd.DataFrame({
        "source_row": frame["source_row"].astype("int64"),
        "company": frame["company"],
        "state": pd.Series(["VA"] * len(frame), dtype="str"),
        "candidate_rank": rank,
        "candidate_recipient_hash": pd.Series([f"c{i}" for i in range(len(frame))], dtype="str"),
        "candidate_name": frame["company"].str.upper(),
        "candidate_state": pd.Series(["VA"] * len(frame), dtype="str"),
        "candidate_score": np.where(rank == 1, 84.0, 81.0),
    })


def accuracy(has_truth: bool = True, precision: float = 0.99) -> dict:
    """An accuracy report in the contract's shape."""
    if not has_truth:
        return {"has_truth": False}
    return {
        "has_truth": True, "awards": 200, "awards_with_truth": 170, "matched": 160,
        "true_positives": round(160 * precision), "false_positives": 160 - round(160 * precision),
        "false_negatives": 10, "precision": precision, "recall": 0.93, "f1": 0.96,
        "by_method": {
            "uei_exact": {"matched": 80, "correct": 80, "wrong": 0, "precision": 1.0},
            "name_fuzzy": {"matched": 40, "correct": 40 - (160 - round(160 * precision)),
                           "wrong": 160 - round(160 * precision), "precision": 0.975},
            "duns_exact": {"matched": 40, "correct": 40, "wrong": 0, "precision": 1.0},
        },
        "reliability": [
            {"low": 0.9, "high": 0.95, "awards": 12, "predicted": 0.931, "observed": 0.75},
            {"low": 0.999, "high": 1.0, "awards": 140, "predicted": 0.9998, "observed": 1.0},
        ],
        "by_variation": {"typo": {"awards": 20, "found": 19, "recall": 0.95},
                         "moved": {"awards": 8, "found": 6, "recall": 0.75}},
    }


def _conf_parameters() -> dict:
    loader = OmegaConfigLoader(conf_source=str(PROJECT_ROOT / "conf"), base_env="base",
                               default_run_env="local")
    return loader["parameters"]


def conf_quality_params() -> QualityParams:
    """The quality parameters of conf/base (``min_match_rate`` resolved from globals.yml)."""
    return QualityParams(**_conf_parameters()["quality"])


def conf_enrichment_params() -> EnrichmentParams:
    """The enrichment parameters of conf/base (the score thresholds the report draws)."""
    return EnrichmentParams(**_conf_parameters()["enrichment"])
