"""Settings: every threshold comes from the parameters file, typed and checked."""

from __future__ import annotations

import pytest
from enrichment_inputs import configured_settings
from pydantic import ValidationError


def test_configured_settings_load_in_order() -> None:
    settings = configured_settings()
    assert 0 < settings.review_probability <= settings.accept_probability < 1
    assert settings.fuzzy_similarity <= settings.near_similarity
    assert settings.rare_count <= settings.common_count


@pytest.mark.parametrize("change", [
    {"review_probability": 0.99, "accept_probability": 0.9},
    {"accept_probability": 1.0},
    {"near_similarity": 0.7, "fuzzy_similarity": 0.8},
    {"rare_count": 500, "common_count": 100},
    {"rare_words": 0},
    {"unknown_threshold": 1.0},
])
def test_invalid_settings_are_refused(change: dict) -> None:
    with pytest.raises(ValidationError):
        configured_settings(**change)
