"""Readable ``match_reason`` texts, built column-wise (no loop over awards).

Each text says which rule decided and with what evidence, e.g.
``name 'ACME TECH' ~ 'ACME TECHN' (similarity 96); suffix INC=INC +3; state CA=CA +4;
total 103 (accept ≥ 95); nearest other firm 86``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sbir_enrichment.matching.settings import MatchSettings


def _text(values: pd.Series | np.ndarray) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=object)).fillna("?").astype("string")


def _number(values: pd.Series | np.ndarray) -> pd.Series:
    return _text(np.round(np.asarray(values, dtype=float)).astype(np.int64).astype(str))


def _quoted(values: pd.Series | np.ndarray) -> pd.Series:
    return "'" + _text(values) + "'"


def _signed(values: pd.Series | np.ndarray) -> pd.Series:
    numbers = np.asarray(values, dtype=float)
    sign = np.where(numbers >= 0, "+", "-")
    return _text(sign) + _number(np.abs(numbers))


def _result(text: pd.Series) -> np.ndarray:
    return text.to_numpy(dtype=object)


def identifier_match(kind: str, accepted: pd.DataFrame, unnamed: np.ndarray) -> np.ndarray:
    """Why an identifier hit was accepted (and how a shared DUNS was resolved)."""
    label = kind.upper()
    value = accepted["uei" if kind == "uei" else "duns"]
    text = label + " " + _text(value.to_numpy(dtype=object)) + " matches " + _quoted(
        accepted["name"].to_numpy(dtype=object))
    checked = " (name similarity " + _number(accepted["sim"]) + ")"
    text = text + pd.Series(np.where(unnamed, " (award has no name to check)", _result(checked)),
                            dtype="string")
    shared = accepted["shared"].to_numpy()
    note = "; " + _text(shared.astype(str)) + " recipients share it: best name, then UEI, kept"
    return _result(text + pd.Series(np.where(shared > 1, _result(note), ""), dtype="string"))


def identifier_conflict(kind: str, conflict: pd.DataFrame) -> np.ndarray:
    """Why an identifier hit was not used: the names disagree (stale or mistyped identifier)."""
    value = conflict["uei" if kind == "uei" else "duns"]
    text = (kind.upper() + " " + _text(value.to_numpy(dtype=object)) + " is registered to "
            + _quoted(conflict["name"].to_numpy(dtype=object)) + " (name similarity "
            + _number(conflict["sim"]) + "): not used; ")
    return _result(text)


def _name_evidence(best: pd.DataFrame, award_names: pd.Series) -> pd.Series:
    exact = best["sim"].to_numpy() >= 100.0
    comparison = np.where(
        exact,
        _result("name " + _quoted(award_names.to_numpy(dtype=object)) + " exact"),
        _result("name " + _quoted(award_names.to_numpy(dtype=object)) + " ~ "
                + _quoted(best["name_norm"].to_numpy(dtype=object))
                + " (similarity " + _number(best["sim"]) + ")"),
    )
    conflict = np.where(best["id_points"].to_numpy() < 0,
                        _result("; other UEI/DUNS " + _signed(best["id_points"])), "")
    return (pd.Series(comparison, dtype="string") + "; suffix " + _signed(best["suffix_points"])
            + "; state " + _signed(best["state_points"])
            + pd.Series(conflict, dtype="string") + "; total " + _number(best["total"]))


def _rival(best: pd.DataFrame) -> pd.Series:
    rival = best["rival_total"].to_numpy(dtype=float)
    text = "; nearest other firm " + _number(np.nan_to_num(rival))
    return pd.Series(np.where(np.isnan(rival), "", _result(text)), dtype="string")


def name_match(accepted: pd.DataFrame, award_names: pd.Series) -> np.ndarray:
    """Why a name candidate was accepted: similarity, agreement points, total, nearest rival."""
    return _result(_name_evidence(accepted, award_names) + _rival(accepted))


def no_match(decided: pd.DataFrame, settings: MatchSettings) -> np.ndarray:
    """Why an award with name candidates stayed unmatched (review band or too weak)."""
    candidate = " for " + _quoted(decided["name"].to_numpy(dtype=object))
    total = _number(decided["total"])
    weak = "unmatched: best candidate" + candidate + " totals " + total
    weak = weak + f" (review from {settings.review_score:g})"
    low = "review band: best candidate" + candidate + " totals " + total
    low = low + f" (accept from {settings.accept_score:g})"
    close = ("review band: best candidate" + candidate + " totals " + total
             + " but another firm totals " + _number(np.nan_to_num(decided["rival_total"]))
             + f" (margin below {settings.min_margin:g})")
    namesake = ("review band: best candidate" + candidate + " totals " + total
                + " but another firm has the same name and the state differs")
    total_values = decided["total"].to_numpy()
    clear = (decided["total"] - decided["rival_total"]).fillna(np.inf).to_numpy() >= \
        settings.min_margin
    return np.where(total_values < settings.review_score, _result(weak),
                    np.where(total_values < settings.accept_score, _result(low),
                             np.where(clear, _result(namesake), _result(close))))
