"""Every setting of the linkage, as one typed, validated object (values: parameters_enrichment.yml).

The weights of the evidence are not settings: they are estimated from the data on every run
(``model.estimate``) or read from a frozen model. What remains here is where candidates come
from (blocking), where the levels of the name comparison lie, how the estimate samples, and the
decision policy (which match probability is accepted, which goes to review).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator


class MatchSettings(BaseModel):
    """Blocking, comparison levels, estimation and decision thresholds of the linkage."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    max_word_block: int = Field(ge=1)
    """A word carried by more recipients than this is too common to propose candidates."""
    rare_words: int = Field(ge=1, le=10)
    """How many of a name's rarest words propose candidates."""
    name_ends: tuple[tuple[Annotated[int, Field(ge=0, le=20)],
                           Annotated[int, Field(ge=0, le=20)]], ...] = Field(min_length=1,
                                                                          max_length=6)
    """Spelling keys: each ``(lead, trail)`` keys a space-free name by its first ``lead`` and
    last ``trail`` letters, so one typo between them leaves the key intact."""
    max_affix_block: int = Field(ge=1)
    """A spelling key (``name_ends`` or the first word's ends) shared by more recipients than
    this proposes nothing (the pairs it proposes are kept only when the names are spelt
    alike)."""
    max_initials_block: int = Field(ge=1)
    """An acronym shared by more recipients than this proposes nothing."""
    near_similarity: float = Field(gt=0.0, le=1.0)
    """Length-relative similarity from which two names are ``near`` (one letter in ten)."""
    fuzzy_similarity: float = Field(gt=0.0, le=1.0)
    """Length-relative similarity from which two names are ``fuzzy``; below, only words count."""
    short_name_chars: int = Field(ge=1)
    """Names shorter than this (space-free) are ``near_short``, not ``near``, when nearly equal."""
    rare_count: int = Field(ge=1)
    """A shared name or word carried by at most this many recipients is ``rare``."""
    common_count: int = Field(ge=1)
    """... by more than this many, ``common`` (in between: ``uncommon``)."""
    cover_share: float = Field(gt=0.0, le=1.0)
    """Share of a name's information its shared words must carry for the ``*_most`` levels."""
    accept_probability: float = Field(gt=0.0, lt=1.0)
    """A best candidate at or above this match probability is accepted."""
    review_probability: float = Field(gt=0.0, lt=1.0)
    """From here up to ``accept_probability`` an award goes to the review band (not matched)."""
    review_top_k: int = Field(ge=1, le=10)
    """Candidates kept per award in the review band."""
    estimate_awards: int = Field(ge=100)
    """Awards sampled (deterministically) to estimate the model on."""
    random_pairs: int = Field(ge=1000)
    """Random award–recipient pairs drawn to measure how non-matches compare."""
    max_iterations: int = Field(ge=1)
    """Most expectation–maximisation rounds."""
    tolerance: float = Field(gt=0.0)
    """EM stops when no m or u probability moves by more than this."""
    seed: int
    """Seed of the estimation samples: same input and seed, same model."""

    @model_validator(mode="after")
    def _ordered_thresholds(self) -> MatchSettings:
        if self.review_probability > self.accept_probability:
            raise ValueError("review_probability must not exceed accept_probability")
        if self.rare_count > self.common_count:
            raise ValueError("rare_count must not exceed common_count")
        if self.fuzzy_similarity > self.near_similarity:
            raise ValueError("fuzzy_similarity must not exceed near_similarity")
        if any(lead + trail < 3 for lead, trail in self.name_ends):
            raise ValueError("each of name_ends must key at least 3 letters (lead + trail)")
        return self
