"""Scores: absolute-edit name similarity (not token-set), agreement points."""

from __future__ import annotations

import numpy as np
from rapidfuzz import fuzz

from sbir_enrichment.matching.scoring import agreement_points, name_similarity


def _similarity(pairs: list[tuple[str, str]], edit_cost: float = 5.0) -> list[float]:
    left = np.array([a for a, _ in pairs], dtype=object)
    right = np.array([b for _, b in pairs], dtype=object)
    return name_similarity(left, right, edit_cost, max_distance=6).tolist()


def test_a_typo_costs_one_or_two_edits_whatever_the_length() -> None:
    assert _similarity([
        ("ACME ROBOTICS", "ACME ROBOTICS"),
        ("ACME ROBOTCS", "ACME ROBOTICS"),  # dropped letter: 1 edit
        ("ACME ROBOTIKS", "ACME ROBOTICS"),  # changed letter: 2 edits
        ("PUMPILUS ADVANCED QUANTUM MATERIALS RES", "PUMPILUS ADVANCED QUANTUM MATERIAL RES"),
    ]) == [100.0, 95.0, 90.0, 95.0]


def test_a_contained_name_is_not_a_match_unlike_token_set_ratio() -> None:
    contained = [("ACME", "ACME ROBOTICS SYS"), ("ACME ROBOTICS", "ACME ROBOTICS SYS")]
    assert all(fuzz.token_set_ratio(a, b) == 100 for a, b in contained)
    # Even with every agreement point (+7) both stay below the accept score (95).
    assert all(score <= 80 for score in _similarity(contained))


def test_pairs_beyond_the_cutoff_score_below_every_threshold() -> None:
    assert _similarity([("ZYGOMAX", "QUANTOX INTERNATIONAL")]) == [65.0]  # 7 edits, capped
    assert name_similarity(np.array([], dtype=object), np.array([], dtype=object), 5, 6).size == 0


def test_agreement_points_of_coded_values() -> None:
    award = np.array([3, 3, -1, -1, 5])
    recipient = np.array([3, 4, 4, -1, 5])
    assert agreement_points(award, recipient, -1, 4, 6).tolist() == [4, -6, 0, 0, 4]
    assert agreement_points(award, recipient, -1, 3, 12, missing_agrees=True).tolist() == [
        3, -12, 0, 3, 3]
