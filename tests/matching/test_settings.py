"""Settings: every threshold comes from the parameters file, typed and checked."""

from __future__ import annotations

import pytest
from enrichment_inputs import configured_settings
from pydantic import ValidationError


def test_configured_settings_load_and_derive_the_distance_cutoff() -> None:
    settings = configured_settings()
    assert settings.review_score <= settings.accept_score
    # An Indel distance above the cutoff cannot reach the review band even with every bonus.
    reach = 100 - settings.edit_cost * (settings.max_useful_distance + 1) + settings.max_bonus
    assert reach < settings.review_score


@pytest.mark.parametrize("change", [
    {"review_score": 99.0, "accept_score": 90.0},
    {"accept_score": 120.0},
    {"rare_words": 0},
    {"unknown_threshold": 1.0},
])
def test_invalid_settings_are_refused(change: dict) -> None:
    with pytest.raises(ValidationError):
        configured_settings(**change)
