"""Typed parameters of the benchmark pipelines (``benchmark``, ``benchmark_history``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReferenceWorkloadParams(_Strict):
    """A fixed workload timed next to every sized run, so timings compare across machines."""

    seed: int = Field(7, description="Seed of the generated names and frame.")
    queries: int = Field(ge=1, description="Names scored against every choice (rapidfuzz cdist).")
    choices: int = Field(ge=1, description="Names each query is scored against.")
    frame_rows: int = Field(ge=1, description="Rows of the frame grouped, sorted and merged.")
    passes: int = Field(ge=1, description="Passes per measurement; their median is the figure.")


class RegressionThresholds(_Strict):
    """How far from the baseline a figure may move; at or beyond a limit the status applies."""

    time_warning_pct: float = Field(gt=0, description="Normalised time up this much: WARNING.")
    time_failure_pct: float = Field(gt=0, description="Normalised time up this much: FAILURE.")
    wall_time_can_fail: bool = Field(
        False, description="Let normalised wall time fail too, not only warn (quiet machines)."
    )
    memory_warning_pct: float = Field(gt=0, description="Peak memory up this much: WARNING.")
    memory_failure_pct: float = Field(gt=0, description="Peak memory up this much: FAILURE.")
    match_rate_failure_pts: float = Field(
        gt=0, description="Match rate down this many percentage points: FAILURE."
    )
    accuracy_failure_pts: float = Field(
        gt=0, description="A yardstick's precision or recall down this many points: FAILURE."
    )

    @model_validator(mode="after")
    def _warning_below_failure(self) -> RegressionThresholds:
        """Each warning limit sits below its failure limit."""
        if self.time_warning_pct >= self.time_failure_pct:
            raise ValueError("time_warning_pct must be below time_failure_pct")
        if self.memory_warning_pct >= self.memory_failure_pct:
            raise ValueError("memory_warning_pct must be below memory_failure_pct")
        return self


class YardstickParams(_Strict):
    """A labelled sample linked once beside the timed runs, for its precision and recall."""

    awards: int = Field(ge=1, description="Awards generated.")
    recipients: int = Field(ge=1, description="Recipients generated.")
    generator: dict[str, Any] = Field(
        default_factory=dict,
        description="Further generator parameters (e.g. names_from: company_aliases).",
    )


class BenchmarkParams(_Strict):
    """Sizes, repeats and settings of the sized runs, and the regression limits."""

    sizes: list[int] = Field(min_length=1, description="Awards per sized run.")
    recipients_per_award: float = Field(
        gt=0, description="Recipients generated per award (the real data has ~15.8)."
    )
    seed: int = Field(description="Generator seed, fixed so that every run sees the same data.")
    repeats: int = Field(ge=1, description="Runs per size; the median is quoted.")
    pipelines: list[str] = Field(min_length=1, description="Pipelines timed in each sized run.")
    run_params: dict[str, Any] = Field(
        default_factory=dict,
        description="Extra --params of the timed runs (e.g. the recipient source).",
    )
    generator_pipeline: str = Field("sample_data", description="Pipeline making the inputs.")
    generator_params: dict[str, str] = Field(
        description="Generator parameter names for 'awards', 'recipients' and 'seed'."
    )
    memray: bool = Field(False, description="Profile the timed runs with memray (slow).")
    memory_limit_mb: int | None = Field(
        None, gt=0, description="Run each timed run inside a cgroup memory limit of this many "
        "MB (needs root and cgroup v1); null: no limit. A run the limit kills fails the "
        "benchmark.",
    )
    dask_workers: list[int] = Field(
        default_factory=list,
        description="Also time every size under --env dask on a LocalCluster of each of these "
        "worker counts (dask.n_workers), beside the sequential run; empty: sequential only.",
    )
    work_dir: str = Field(description="Scratch projects of the sized runs (relative to project).")
    keep_data: bool = Field(
        False, description="Keep each size's generated inputs and reuse them next time."
    )
    timeout_s: float = Field(gt=0, description="Longest a single sub-run may take.")
    top_nodes: int = Field(3, ge=1, description="Bottleneck nodes named per resource.")
    yardsticks: dict[str, YardstickParams] = Field(
        default_factory=dict,
        description="Labelled samples whose precision and recall are reported (not timed).",
    )
    reference: ReferenceWorkloadParams
    regression: RegressionThresholds

    @model_validator(mode="after")
    def _generator_keys(self) -> BenchmarkParams:
        """The generator's award, recipient and seed parameter names are all given."""
        missing = {"awards", "recipients", "seed"} - set(self.generator_params)
        if missing:
            raise ValueError(f"generator_params lacks {sorted(missing)}")
        return self

    @model_validator(mode="after")
    def _dask_workers(self) -> BenchmarkParams:
        """Each worker count is at least one and timed once."""
        if any(workers < 1 for workers in self.dask_workers):
            raise ValueError(f"dask_workers must be at least 1: {self.dask_workers}")
        if len(set(self.dask_workers)) != len(self.dask_workers):
            raise ValueError(f"dask_workers lists a count twice: {self.dask_workers}")
        return self


class HistoryParams(_Strict):
    """Which archived benchmarks the history covers and when a trend counts as a change."""

    days: float | None = Field(None, gt=0, description="Only the last N days; null: all.")
    stable_band_pct: float = Field(
        ge=0, description="Latest within this much of the earlier median: stable."
    )
