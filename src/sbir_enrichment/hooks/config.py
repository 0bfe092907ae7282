"""Typed settings of the run observer (``observability`` in ``parameters_observability.yml``).

The observer names no dataset of its own: which frame measures throughput, which figures to
copy from the run's reports and which report paths to name all come from these parameters.
"""

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


class Throughput(_Strict):
    """Which frame's rows measure a run's work, and which nodes handle those rows."""

    dataset: str = Field(description="The frame whose row count is the run's work (its units).")
    unit: str = Field(description="What one of its rows is, as shown in reports (e.g. awards).")
    datasets: list[str] = Field(
        default_factory=list,
        description="Nodes reading or writing one of these get units/s and the slowness alert.",
    )


class AlertThresholds(_Strict):
    """Limits beyond which the observer logs a warning and records an alert in the report."""

    node_memory_delta_mb: float = Field(
        gt=0, description="A node whose peak RSS rises more than this above its start alerts."
    )
    seconds_per_1k_units: float = Field(
        gt=0, description="A node handling the throughput rows slower than this per 1,000 alerts."
    )


class ObservabilityConfig(_Strict):
    """What the run observer measures, copies from the run's reports, writes, and alerts on."""

    enabled: bool = Field(True, description="False: no measurement and no report (overhead runs).")
    runs_dir: str = Field(
        "data/08_reporting/runs", description="Run reports go to <runs_dir>/<run id>/."
    )
    latest_dir: str = Field(
        "data/08_reporting/latest", description="The newest run report is also copied here."
    )
    sample_interval_s: float = Field(
        0.05, gt=0, le=1, description="RSS sampling period of the background thread."
    )
    summary: bool = Field(True, description="Print a summary of the run when it ends.")
    throughput: Throughput | None = None
    figures: dict[str, str] = Field(
        default_factory=dict,
        description="Figure name -> '<dataset>.<key>[.<key>...]': a value of a mapping the run "
                    "loads or saves, copied into the run report and the end-of-run summary.",
    )
    reports: list[str] = Field(
        default_factory=list,
        description="Datasets whose paths the run report and the summary name when saved.",
    )
    memray: MemrayConfig = MemrayConfig()
    alerts: AlertThresholds

    @property
    def memray_enabled(self) -> bool:
        """Profiling is on by parameter or by the ``SBIR_MEMRAY`` environment variable."""
        return self.memray.enabled or memray_requested_by_env()

    def figure_sources(self) -> dict[str, list[tuple[str, list[str]]]]:
        """``{dataset: [(figure name, key path), ...]}`` of :attr:`figures`."""
        sources: dict[str, list[tuple[str, list[str]]]] = {}
        for name, source in self.figures.items():
            dataset, *keys = source.split(".")
            sources.setdefault(dataset, []).append((name, keys))
        return sources


def memray_requested_by_env() -> bool:
    """Whether ``SBIR_MEMRAY`` asks for memray profiles (any value but empty, 0 or false)."""
    return os.environ.get(MEMRAY_ENV_VAR, "").strip().lower() not in ("", "0", "false", "no")
