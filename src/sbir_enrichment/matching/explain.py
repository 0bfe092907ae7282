"""Readable ``match_reason`` texts, built column-wise from each decision's weights (no loop).

A text names the decision, the candidate, each comparison's level and weight (bits), the prior
and the rivals, and the probability they add up to, e.g.
``matched 'FORTINET': name 'FORTINET V5 SVCS' contains_most 'FORTINET' +14.2; legal_form
both_missing +0.1; state differ -2.3; uei same +18.9; duns missing +0.0; prior -21.5; rivals
-0.0 → probability 1.000``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sbir_enrichment.matching.comparisons import COMPARISONS

if TYPE_CHECKING:
    from sbir_enrichment.matching.candidates import Candidates
    from sbir_enrichment.matching.linker import Decisions, Scored
    from sbir_enrichment.matching.model import MatchModel
    from sbir_enrichment.matching.settings import MatchSettings

NO_CANDIDATE = "unmatched: no candidate (no recipient shares its UEI, its DUNS or a name key)"
_DECISION = np.array(["unmatched: best candidate", "review band: best candidate", "matched"],
                     dtype=object)


def _text(values: np.ndarray) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=object)).fillna("?").astype("string")


def _formatted(values: np.ndarray, decimals: int, spec: str) -> pd.Series:
    """``values`` rounded to ``decimals`` and formatted with ``spec``: each distinct rounded
    value is formatted once (a few hundred at most), then spread to every row."""
    scaled = np.rint(np.asarray(values, dtype=float) * 10**decimals)
    distinct, where = np.unique(scaled, return_inverse=True)
    labels = np.array([format(value / 10**decimals + 0.0, spec) for value in distinct],
                      dtype=object)
    return _text(labels[where])


def _signed(values: np.ndarray) -> pd.Series:
    return _formatted(values, 1, "+.1f")


def _quoted(values: np.ndarray) -> pd.Series:
    return "'" + _text(values) + "'"


def reasons(n: int, scored: Scored, decisions: Decisions, *, candidates: Candidates,
            model: MatchModel, settings: MatchSettings) -> np.ndarray:
    """``match_reason`` of each of the ``n`` awards."""
    out = np.full(n, NO_CANDIDATE, dtype=object)
    if len(decisions.position) == 0:
        return out
    best = decisions.best
    rows = scored.pairs.row[best]
    levels = scored.pairs.levels[best]
    found = candidates.recipients
    names = candidates.award_names[decisions.position]
    named = pd.Series(names).notna().to_numpy()
    award_names = "'" + _text(np.where(named, names, "")) + "'"
    award_names = award_names.where(named, "(award has no name)")
    text = (_text(_DECISION[decisions.status]) + " " + _quoted(found.column("name", rows))
            + ": name " + award_names + " ")
    for i, (comparison, names) in enumerate(COMPARISONS.items()):
        level_name = _text(np.asarray(names, dtype=object)[levels[:, i]])
        if i == 0:
            text = text + level_name + " " + _quoted(found.column("name_norm", rows, "")) + " "
        else:
            text = text + "; " + comparison + " " + level_name + " "
        text = text + _signed(scored.weights[best, i])
    prior = np.full(len(best), model.prior_bits(candidates.recipient_count))
    text = (text + "; prior " + _signed(prior) + "; rivals " + _signed(decisions.rivals)
            + " → probability " + _formatted(decisions.probability, 3, ".3f"))
    threshold = np.where(decisions.status == 2, "", np.where(
        decisions.status == 1, f" (accept from {settings.accept_probability:g})",
        f" (review from {settings.review_probability:g})"))
    out[decisions.position] = (text + _text(threshold)).to_numpy(dtype=object)
    return out
