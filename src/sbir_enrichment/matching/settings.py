"""Every threshold and weight of the linkage, as one typed, validated settings object."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

Score = Annotated[float, Field(ge=0.0, le=100.0)]
Points = Annotated[float, Field(ge=0.0, le=50.0)]


class MatchSettings(BaseModel):
    """Thresholds and weights of the cascade (values: ``conf/base/parameters_enrichment.yml``).

    Name similarity is ``100 - edit_cost * indel_distance`` between normalised names (the Indel
    distance counts inserted and deleted characters, so a changed letter costs two); the name
    stage's total adds agreement points for legal suffix and state.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    edit_cost: Points
    """Points one inserted or deleted character costs the name similarity."""
    id_name_min: Score
    """An identifier hit whose names agree less than this is a conflict: flagged, not accepted."""
    accept_score: Score
    """A name candidate at or above this total (and clear of look-alikes) is accepted."""
    review_score: Score
    """Totals from here up to ``accept_score`` go to the review band (not matched)."""
    min_margin: Points
    """The best candidate must beat any incompatible runner-up by this many points."""
    suffix_agree: Points
    """Points added when both names carry the same legal form (or both carry none)."""
    suffix_conflict: Points
    """Points taken off when the names carry different legal forms (INC vs LLC)."""
    state_agree: Points
    """Points added when the award's state is the recipient's state."""
    state_conflict: Points
    """Points taken off when both states are known and differ (a signal, not a wall: firms move)."""
    id_conflict: Points
    """Points taken off a name candidate whose known UEI or DUNS differs from the award's."""
    max_word_block: int = Field(ge=1)
    """A word shared by more recipients than this is too common to propose candidates."""
    rare_words: int = Field(ge=1, le=10)
    """How many of a name's rarest words propose candidates."""
    affix_chars: int = Field(ge=2, le=20)
    """Length of the prefix and tail keys of the space-free name (catch typos elsewhere)."""
    max_affix_block: int = Field(ge=1)
    """A prefix or tail key shared by more recipients than this proposes no candidates."""
    review_top_k: int = Field(ge=1, le=10)
    """Candidates kept per award in the review band."""

    @model_validator(mode="after")
    def _ordered_thresholds(self) -> MatchSettings:
        if self.review_score > self.accept_score:
            raise ValueError("review_score must not exceed accept_score")
        return self

    @property
    def max_bonus(self) -> float:
        """Most points agreement can add to a name similarity."""
        return self.suffix_agree + self.state_agree

    @property
    def max_useful_distance(self) -> int:
        """Largest Indel distance whose candidate could still reach the review band."""
        return int((100.0 - self.review_score + self.max_bonus) // self.edit_cost)

    @property
    def min_useful_similarity(self) -> float:
        """Lowest name similarity that could still reach the review band."""
        return 100.0 - self.edit_cost * self.max_useful_distance
