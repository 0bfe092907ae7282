"""Scores of candidate pairs, vectorised: name similarity with rapidfuzz, agreement points.

Name similarity is ``100 - edit_cost * Indel distance`` of the normalised names, computed for
all pairs at once with ``rapidfuzz.process.cpdist``. It is deliberately *not* a token-set
score: ``token_set_ratio`` gives 100 to any name contained in another (``ACME`` vs
``ACME ROBOTICS SYSTEMS``), which links firms absent from USAspending to some wrong recipient.
An absolute edit count keeps a one-letter typo close (92–96) while a changed or extra word
lands far below (≤ 84), whatever the name's length.
"""

from __future__ import annotations

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Indel


def name_similarity(left: np.ndarray, right: np.ndarray, edit_cost: float,
                    max_distance: int) -> np.ndarray:
    """Similarity (0–100) of each pair ``left[i]``/``right[i]`` of normalised names.

    Pairs further apart than ``max_distance`` edits score as if exactly one edit further
    (rapidfuzz stops counting there), so they stay below every useful threshold.
    """
    if len(left) == 0:
        return np.zeros(0, dtype=np.float64)
    distance = process.cpdist(left, right, scorer=Indel.distance, score_cutoff=max_distance,
                              workers=-1, dtype=np.int32)
    return np.clip(100.0 - edit_cost * distance.astype(np.float64), 0.0, 100.0)


def agreement_points(award: np.ndarray, recipient: np.ndarray, missing: int, agree: float,
                     conflict: float, *, missing_agrees: bool = False) -> np.ndarray:
    """Points for coded values: ``+agree`` when both known and equal, ``-conflict`` when both
    known and different, else 0; ``missing`` marks an unknown value, and with
    ``missing_agrees`` two unknown values agree (two names without a legal form)."""
    known = (award != missing) & (recipient != missing)
    same = (award == recipient) & (known | missing_agrees)
    return np.where(same, agree, np.where(known, -conflict, 0.0))
