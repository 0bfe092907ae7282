"""The run report: one pydantic model that the observer writes and the benchmark reads.

``write_run_report`` saves it as ``run_report.json`` (the model) and ``run_report.md`` (its
short human summary, from ``templates/run_report.md.j2``); ``read_run_report`` loads and
validates the JSON, so a change of the contract fails where it is read, naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from sbir_enrichment.reporting.templating import render

REPORT_JSON = "run_report.json"
REPORT_MD = "run_report.md"
SCHEMA_VERSION = 2


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Git(_Record):
    """The commit of the running package's source, and whether the checkout had changes."""

    commit: str | None
    dirty: bool | None


class Throughput(_Record):
    """Rows of the throughput dataset (``observability.throughput``) handled per second."""

    unit: str
    count: int
    per_s: float | None
    s_per_1k: float | None


class MemrayProfile(_Record):
    """A node's memray capture: its files and its peak (and the part of it made of mmap)."""

    bin: str
    peak_mb: float
    peak_mmap_mb: float
    flamegraph: str | None = None


class NodeFigures(_Record):
    """Time, rows and memory of one node."""

    name: str
    order: int
    started_s: float
    wall_s: float
    cpu_s: float
    load_s: float
    compute_s: float
    save_s: float
    lazy_save_s: float
    rows_in: int
    rows_out: int
    inputs: dict[str, dict[str, Any]]
    outputs: dict[str, dict[str, Any]]
    rss_start_mb: float
    rss_end_mb: float
    peak_rss_mb: float
    peak_delta_mb: float
    process_maxrss_mb: float
    throughput: Throughput | None = None
    error: str | None = None
    memray: MemrayProfile | None = None
    cluster_tasks: int | None = None
    """Tasks the node ran on the Dask workers: their time is in ``wall_s``, their CPU and memory
    are the workers' (``RunReport.cluster``), not in this node's figures."""


class Totals(_Record):
    """The whole run: time, the sum of node phases, memory, throughput."""

    wall_s: float
    cpu_s: float
    nodes_wall_s: float
    load_s: float
    compute_s: float
    save_s: float
    lazy_save_s: float
    rss_start_mb: float
    peak_rss_mb: float
    memory_delta_mb: float
    process_maxrss_mb: float
    throughput: Throughput | None = None
    nodes: int


class Overhead(_Record):
    """What observing cost: seconds inside the hooks, CPU of the RSS sampler, share of wall."""

    hook_s: float
    sampler_cpu_s: float
    share_of_wall: float | None


class Bottleneck(_Record):
    """A node taking much time (``wall_s``) or memory (``peak_delta_mb``), and its share."""

    name: str
    wall_s: float | None = None
    peak_delta_mb: float | None = None
    share: float | None


class Bottlenecks(_Record):
    """The nodes taking most time and most memory."""

    time: list[Bottleneck]
    memory: list[Bottleneck]


class Alert(_Record):
    """A measured figure at or beyond its configured limit."""

    kind: str
    node: str | None
    value: float
    threshold: float
    message: str


class MemraySettings(_Record):
    """Whether nodes were profiled with memray, and the Arrow memory pool they ran with."""

    enabled: bool
    arrow_memory_pool: str | None


class MemoryBudgetRecord(_Record):
    """A memory budget: MB, where it came from (``parameter``, ``cgroup``, ``available``)."""

    mb: float
    source: str
    detail: str


class MemoryRecord(_Record):
    """What the run was allowed and how it adapted to it (``sbir_enrichment.memory.budget``)."""

    allowed: MemoryBudgetRecord
    """What the machine or container allowed when the run started."""
    budgets: dict[str, MemoryBudgetRecord] = {}
    """The budget each node worked within, by node."""
    adaptations: list[dict[str, Any]] = []
    """Every change of plan a budget forced (an index spilled, a chunk in sub-batches)."""


class WorkerRecord(_Record):
    """One Dask worker: its threads, memory limit, and peak RSS since it started."""

    address: str
    threads: int
    memory_limit_mb: float | None
    peak_rss_mb: float | None


class ClusterRecord(_Record):
    """The Dask cluster the run's heavy work ran on (``kedro run --env dask``)."""

    scheduler: str
    dashboard: str | None
    threads: int
    workers: list[WorkerRecord]


class RunReport(_Record):
    """Everything observed about one ``kedro run``."""

    schema_version: Literal[2] = SCHEMA_VERSION
    run_id: str
    status: Literal["success", "failed"]
    error: str | None
    started_at: str
    finished_at: str
    pipelines: list[str]
    env: str
    runner: str
    runtime_params: dict[str, Any]
    git: Git
    parameters_fingerprint: str
    environment: dict[str, Any]
    memray: MemraySettings
    memory: MemoryRecord | None = None
    cluster: ClusterRecord | None = None
    totals: Totals
    figures: dict[str, Any]
    """Domain figures copied from the run's own reports (``observability.figures``)."""
    reports: dict[str, str]
    """Where to read this run's reports: name → path (the stable copy where there is one)."""
    observer_overhead: Overhead
    bottlenecks: Bottlenecks
    nodes: list[NodeFigures]
    alerts: list[Alert]
    notes: list[str]


def bottlenecks(nodes: Sequence[Mapping[str, Any]], memory_delta_mb: float, top: int = 3
                ) -> Bottlenecks:
    """The nodes taking most time (share of all node time) and memory (share of the run's rise).

    Args:
        nodes: Per node, its ``name``, ``wall_s`` and ``peak_delta_mb``.
        memory_delta_mb: The run's peak RSS less its RSS at start.
        top: How many nodes to name per resource.
    """
    total_wall = sum(node["wall_s"] or 0 for node in nodes)
    by_time = sorted(nodes, key=lambda node: node["wall_s"] or 0, reverse=True)[:top]
    by_memory = sorted(nodes, key=lambda node: node["peak_delta_mb"] or 0, reverse=True)[:top]
    return Bottlenecks(
        time=[Bottleneck(name=node["name"], wall_s=node["wall_s"],
                         share=round((node["wall_s"] or 0) / total_wall, 3)
                         if total_wall > 0 else None)
              for node in by_time],
        memory=[Bottleneck(name=node["name"], peak_delta_mb=node["peak_delta_mb"],
                           share=round(max(node["peak_delta_mb"] or 0, 0) / memory_delta_mb, 3)
                           if memory_delta_mb > 0 else None)
                for node in by_memory],
    )


def write_run_report(report: RunReport, *directories: Path) -> Path:
    """Write ``run_report.json`` and ``run_report.md`` into each directory; returns the first
    JSON path."""
    text = report.model_dump_json(indent=2) + "\n"
    markdown = render("run_report.md.j2", report=report)
    paths = []
    for directory in directories:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / REPORT_JSON).write_text(text)
        (directory / REPORT_MD).write_text(markdown)
        paths.append(directory / REPORT_JSON)
    return paths[0]


def read_run_report(path: Path) -> RunReport:
    """The run report at ``path``, validated."""
    return RunReport.model_validate_json(path.read_text())
