"""The match model: EM recovers the parameters that made the data, deterministically; the
model is plain data that round-trips through JSON and refuses to be read by other code."""

from __future__ import annotations

import numpy as np
import pytest
from enrichment_inputs import configured_settings
from pydantic import ValidationError

from sbir_enrichment.matching import MatchModel
from sbir_enrichment.matching.candidates import Pairs
from sbir_enrichment.matching.comparisons import COMPARISONS, level
from sbir_enrichment.matching.model import estimate

RECIPIENTS = 50_000
# How true matches and candidate non-matches compare (level name → chance), per comparison.
TRUE_M = {"name": {"exact_rare": 0.7, "near_rare": 0.1, "contains_most_rare": 0.2},
          "state": {"same": 0.9, "differ": 0.1}}
CANDIDATE_U = {"name": {"overlap_some_uncommon": 0.8, "contains_some_common": 0.15,
                        "exact_rare": 0.05},
               "state": {"same": 0.1, "differ": 0.9}}


def _draw(rng: np.random.Generator, spec: dict[str, dict[str, float]], n: int) -> np.ndarray:
    levels = np.empty((n, len(COMPARISONS)), dtype=np.int8)
    for i, (comparison, names) in enumerate(COMPARISONS.items()):
        chances = spec.get(comparison, {names[-1]: 1.0})
        codes = [level(comparison, name) for name in chances]
        levels[:, i] = rng.choice(codes, size=n, p=list(chances.values()))
    return levels


def _simulated(seed: int = 1, awards: int = 4000, share: float = 0.8) -> tuple[Pairs, np.ndarray]:
    """Candidate pairs of ``awards`` awards: a true match for ``share`` of them, 1–6 others."""
    rng = np.random.default_rng(seed)
    others = rng.integers(1, 7, awards)
    has_match = rng.random(awards) < share
    position = np.repeat(np.arange(awards), others + has_match)
    is_match = np.zeros(len(position), dtype=bool)
    starts = np.cumsum(others + has_match) - (others + has_match)
    is_match[starts[has_match]] = True
    levels = np.where(is_match[:, None], _draw(rng, TRUE_M, len(position)),
                      _draw(rng, CANDIDATE_U, len(position)))
    rows = rng.permutation(RECIPIENTS)[: len(position)] if len(position) <= RECIPIENTS \
        else rng.integers(0, RECIPIENTS, len(position))
    random_levels = _draw(rng, {"state": {"same": 0.08, "differ": 0.92}}, 20_000)
    return Pairs(position, rows.astype(np.int64), levels), random_levels


def _estimate(pairs: Pairs, random_levels: np.ndarray, awards: int = 4000) -> MatchModel:
    return estimate(pairs, random_levels, awards, RECIPIENTS, configured_settings())


def test_em_recovers_the_match_share_and_the_m_probabilities() -> None:
    model = _estimate(*_simulated())
    assert model.estimation["converged"]
    assert model.match_share == pytest.approx(0.8, abs=0.03)
    for comparison, chances in TRUE_M.items():
        for name, chance in chances.items():
            assert model.comparisons[comparison][name].m == pytest.approx(chance, abs=0.03)


def test_weights_are_the_log_ratio_of_m_and_u_and_follow_the_evidence() -> None:
    model = _estimate(*_simulated())
    for levels in model.comparisons.values():
        for estimate_ in levels.values():
            if estimate_.pairs:
                assert estimate_.weight == pytest.approx(np.log2(estimate_.m / estimate_.u))
    name, state = model.comparisons["name"], model.comparisons["state"]
    # ``near_rare`` only ever meets matches here, ``exact_rare`` sometimes a non-match too, and
    # ``overlap_some_uncommon`` mostly non-matches: the weights follow.
    assert name["near_rare"].weight > name["exact_rare"].weight \
        > name["overlap_some_uncommon"].weight
    assert state["same"].weight > 0 > state["differ"].weight
    # A level no pair and no random pair reached carries no evidence either way.
    assert name["initials"].pairs == 0 and name["initials"].weight == 0.0


def test_the_prior_is_the_match_share_spread_over_the_recipients() -> None:
    model = _estimate(*_simulated())
    share = model.match_share
    assert model.prior_bits(RECIPIENTS) == pytest.approx(
        np.log2(share / (RECIPIENTS * (1 - share))))
    assert model.prior_bits(2 * RECIPIENTS) == pytest.approx(model.prior_bits(RECIPIENTS) - 1,
                                                             abs=1e-9)


def test_estimation_is_deterministic_and_the_model_round_trips_through_json() -> None:
    first, again = _estimate(*_simulated()), _estimate(*_simulated())
    assert first == again
    assert MatchModel.model_validate_json(first.model_dump_json()) == first
    assert _estimate(*_simulated(seed=2)) != first


def test_a_model_of_another_version_or_other_comparisons_is_refused() -> None:
    data = _estimate(*_simulated()).model_dump()
    with pytest.raises(ValidationError, match="estimate a new model"):
        MatchModel.model_validate({**data, "version": data["version"] + 1})
    renamed = {**data, "comparisons": {**data["comparisons"],
                                       "state": {"same": data["comparisons"]["state"]["same"]}}}
    with pytest.raises(ValidationError, match="estimate a new model"):
        MatchModel.model_validate(renamed)


def test_no_candidate_pairs_give_a_neutral_model() -> None:
    empty = Pairs(np.zeros(0, np.int64), np.zeros(0, np.int64),
                  np.zeros((0, len(COMPARISONS)), np.int8))
    model = estimate(empty, np.zeros((0, len(COMPARISONS)), np.int8), 0, RECIPIENTS,
                     configured_settings())
    assert all(lv.weight == 0.0 for lv in model.comparisons["name"].values())
