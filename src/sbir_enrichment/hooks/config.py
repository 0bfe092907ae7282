"""Typed settings of the run observer (``observability`` in ``parameters_observability.yml``)."""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field

MEMRAY_ENV_VAR = "SBIR_MEMRAY"
"""Set to 1 to profile every node with memray, whatever the parameters say."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MemrayConfig(_Strict):
    """Per-node memray profiles (off by default: memray slows a run several times)."""

    enabled: bool = Field(False, description="Profile each node; also on when SBIR_MEMRAY=1.")
    native_traces: bool = Field(False, description="Record C/C++ frames too (slower, bigger).")
    flamegraphs: bool = Field(True, description="Write a flamegraph HTML beside each .bin.")


class MatchRateSource(_Strict):
    """Where the run's match rate is read: a saved frame and its method column."""

    dataset: str = "enriched_sbir_awards"
    method_column: str = "match_method"
    unmatched_value: str = "unmatched"


class AlertThresholds(_Strict):
    """Limits beyond which the observer logs a warning and records an alert in the report."""

    node_memory_delta_mb: float = Field(
        gt=0, description="A node whose peak RSS rises more than this above its start alerts."
    )
    seconds_per_1k_awards: float = Field(
        gt=0, description="An award-handling node slower than this per 1,000 awards alerts."
    )
    min_match_rate: float = Field(
        ge=0, le=1, description="A run whose match rate is below this alerts."
    )


class ObservabilityConfig(_Strict):
    """What the run observer measures, where it writes, and when it alerts."""

    enabled: bool = Field(True, description="False: no measurement and no report (overhead runs).")
    runs_dir: str = Field(
        "data/08_reporting/runs", description="Run reports go to <runs_dir>/<run id>/."
    )
    sample_interval_s: float = Field(
        0.05, gt=0, le=1, description="RSS sampling period of the background thread."
    )
    awards_dataset: str = Field(
        "sbir_awards", description="The frame whose row count is the run's number of awards."
    )
    award_datasets: list[str] = Field(
        default_factory=list,
        description="Nodes reading or writing one of these get awards/s and the slowness alert.",
    )
    match_rate: MatchRateSource = MatchRateSource()
    accuracy_dataset: str = Field(
        "accuracy_report", description="The accuracy report whose precision/recall are kept."
    )
    memray: MemrayConfig = MemrayConfig()
    alerts: AlertThresholds

    @property
    def memray_enabled(self) -> bool:
        """Profiling is on by parameter or by the ``SBIR_MEMRAY`` environment variable."""
        return self.memray.enabled or memray_requested_by_env()


def memray_requested_by_env() -> bool:
    """Whether ``SBIR_MEMRAY`` asks for memray profiles (any value but empty, 0 or false)."""
    return os.environ.get(MEMRAY_ENV_VAR, "").strip().lower() not in ("", "0", "false", "no")
