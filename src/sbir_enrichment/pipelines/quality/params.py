"""Typed parameters of the quality pipeline (``params:quality``), checked by Kedro before a run."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class QualityParams(BaseModel):
    """Gate thresholds and report settings; ``min_match_rate`` comes from ``globals.yml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_match_rate: float = Field(ge=0, le=1, description="Least share of awards matched.")
    min_precision: float = Field(
        ge=0, le=1, description="Least precision against the truth, when truth exists."
    )
    max_match_rate_drop_pts: float = Field(
        gt=0, description="A match-rate drop from the baseline beyond this many points fails."
    )
    warn_match_rate_drop_pts: float = Field(
        ge=0, description="A match-rate drop beyond this many points (up to the max) warns."
    )
    example_rows: int = Field(ge=1, le=50, description="Example rows quoted per failed check.")
    size_bucket_upper_bounds: list[int] = Field(
        min_length=1, description="Upper bounds (inclusive) of the employee-count buckets."
    )
    score_bin_width: float = Field(gt=0, le=50, description="Width of score histogram bins.")
    history_runs: int = Field(ge=1, description="Past reports shown in the trend charts.")

    @model_validator(mode="after")
    def _ordered(self) -> QualityParams:
        """The warn threshold sits below the fail threshold; size bounds ascend."""
        if self.warn_match_rate_drop_pts >= self.max_match_rate_drop_pts:
            raise ValueError(
                "warn_match_rate_drop_pts must be below max_match_rate_drop_pts, got "
                f"{self.warn_match_rate_drop_pts} >= {self.max_match_rate_drop_pts}"
            )
        bounds = self.size_bucket_upper_bounds
        if any(b <= a for a, b in zip(bounds, bounds[1:], strict=False)) or bounds[0] < 1:
            raise ValueError(f"size_bucket_upper_bounds must ascend from >= 1, got {bounds}")
        return self
