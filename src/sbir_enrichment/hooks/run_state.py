"""One observed run: its nodes' records, memory sampling, memray, figures, and its report.

Everything the observer learns about a run lands here, and :meth:`ObservedRun.finish` turns it
into the :class:`~sbir_enrichment.reporting.run_report.RunReport`. Error text enters the report
in one place only: :func:`error_text`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kedro.pipeline.node import Node

from sbir_enrichment.cluster import CLUSTER_TASKS, current_client
from sbir_enrichment.hooks.alerts import evaluate_alerts
from sbir_enrichment.hooks.config import ObservabilityConfig
from sbir_enrichment.hooks.environment import environment, git_commit
from sbir_enrichment.hooks.memray_profile import (
    MemrayProfiler,
    use_system_arrow_pool,
    write_flamegraph,
)
from sbir_enrichment.hooks.node_record import NodeRecord, clock
from sbir_enrichment.memory.budget import MEMORY_ADAPTATION, MEMORY_BUDGET, detect_budget
from sbir_enrichment.memory.usage import MB, PeakSampler, current_rss, peak_rss
from sbir_enrichment.redaction import redact
from sbir_enrichment.reporting.run_report import (
    REPORT_MD,
    ClusterRecord,
    Git,
    MemoryBudgetRecord,
    MemoryRecord,
    MemraySettings,
    Overhead,
    RunReport,
    Throughput,
    Totals,
    bottlenecks,
    write_run_report,
)

logger = logging.getLogger(__name__)

_RUN_WINDOW = "__run__"
_CONCURRENT_RUNNERS = ("ThreadRunner", "ParallelRunner")


def error_text(error: BaseException) -> str:
    """How an error is written into the run report (the one place error text enters it), with
    any credentials masked."""
    return redact(repr(error))


def _dig(data: Any, keys: list[str]) -> Any:
    """``data[k1][k2]...``, or ``None`` when a key is missing or a level is no mapping."""
    for key in keys:
        if not isinstance(data, Mapping) or key not in data:
            return None
        data = data[key]
    return data


def _runner_name(runner: Any) -> str:
    """``SequentialRunner`` by default, else the class named in Kedro's run parameters."""
    text = str(runner)
    for name in (*_CONCURRENT_RUNNERS, "SequentialRunner"):
        if name in text:
            return name
    return "SequentialRunner" if runner in (None, "None") else text


class _NodeEvents(logging.Handler):
    """Collects what nodes log for the report: memory budgets and adaptations, cluster tasks."""

    def __init__(self, run: ObservedRun) -> None:
        super().__init__(logging.DEBUG)
        self._run = run
        self.budgets: dict[str, MemoryBudgetRecord] = {}
        self.adaptations: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        budget = getattr(record, MEMORY_BUDGET, None)
        adaptation = getattr(record, MEMORY_ADAPTATION, None)
        tasks = getattr(record, CLUSTER_TASKS, None)
        node = self._run.latest_node()
        if budget is not None:
            self.budgets[node] = MemoryBudgetRecord(**budget)
        if adaptation is not None:
            self.adaptations.append({"node": node, **adaptation})
        if tasks is not None and node:
            node_record = self._run.records[node]
            node_record.cluster_tasks = (node_record.cluster_tasks or 0) + tasks


class ObservedRun:
    """State of one observed run."""

    def __init__(self, run_params: dict[str, Any], config: ObservabilityConfig,
                 project_path: Path, parameters_fingerprint: str) -> None:
        self.params = run_params
        self.fingerprint = parameters_fingerprint
        self.config = config
        self.project_path = project_path
        self.directory = project_path / config.runs_dir / str(run_params["run_id"])
        self.pid = os.getpid()
        self.started_at = datetime.now(UTC)
        self.start_wall, self.start_cpu = clock()
        self.runner = _runner_name(run_params.get("runner"))
        self.concurrent = self.runner in _CONCURRENT_RUNNERS
        self.records: dict[str, NodeRecord] = {}
        self.lock = threading.RLock()  # memory events are logged, and read, under it
        self.units: int | None = None
        self.figures: dict[str, Any] = {}
        self.reports: dict[str, str] = {}
        self.hook_s = 0.0
        self.high_water = 0
        self.sampler = PeakSampler(config.sample_interval_s)
        self.rss_start = self.sampler.open(_RUN_WINDOW)
        self.sampler.start()
        self.memray: MemrayProfiler | None = None
        self.arrow_pool: str | None = None
        allowed = detect_budget()
        self.memory_allowed = MemoryBudgetRecord(mb=round(allowed.mb, 1), source=allowed.source,
                                                 detail=allowed.detail)
        self.node_events = _NodeEvents(self)
        logging.getLogger().addHandler(self.node_events)
        client = current_client()
        if client is not None:
            from sbir_enrichment.hooks.cluster_watch import ClusterWatch  # noqa: PLC0415 - dask only

            self.cluster: ClusterWatch | None = ClusterWatch(client, self.directory)
        else:
            self.cluster = None
        self._figure_sources = config.figure_sources()
        if config.memray_enabled:
            if self.concurrent:
                logger.warning("memray profiling is off under %s: it needs one node at a time",
                               self.runner)
            else:
                self.arrow_pool = use_system_arrow_pool()
                self.memray = MemrayProfiler(self.directory / "memray",
                                             config.memray.native_traces)

    def latest_node(self) -> str:
        """The node started last (its lazy saves run after it), or ``""`` before any."""
        with self.lock:
            return next(reversed(self.records), "")

    def record(self, node: Node) -> NodeRecord:
        """The record of ``node``, opened at this event if new (closing the previous node)."""
        with self.lock:
            record = self.records.get(node.name)
            if record is not None:
                return record
            if not self.concurrent:
                for other in self.records.values():
                    if not other.closed:
                        self.close(other)
            wall, cpu = clock()
            record = NodeRecord(name=node.name, order=len(self.records), start_wall=wall,
                                start_cpu=cpu, rss_start=self.sampler.open(node.name))
            self.records[node.name] = record
            if self.memray is not None:
                self.memray.start(node.name)
            return record

    def close(self, record: NodeRecord) -> None:
        """Take the node's closing memory figures (and stop its memray Tracker)."""
        if self.memray is not None:
            record.memray = self.memray.stop()
        record.rss_end = current_rss()
        record.peak_rss = max(self.sampler.close(record.name), record.rss_end)
        self.high_water = max(self.high_water, peak_rss(), record.peak_rss)
        record.process_maxrss = self.high_water
        record.closed = True

    def observe_data(self, dataset_name: str, data: Any, shape: dict[str, Any]) -> None:
        """Count the throughput rows and copy the configured figures when their datasets pass."""
        throughput = self.config.throughput
        if throughput is not None and dataset_name == throughput.dataset and "rows" in shape:
            self.units = shape["rows"]
        for name, keys in self._figure_sources.get(dataset_name, []):
            self.figures[name] = _dig(data, keys)

    def saved(self, dataset_name: str, path: str | None) -> None:
        """Note where a configured report was saved."""
        if dataset_name in self.config.reports and path is not None:
            self.reports[dataset_name] = path

    def handles_throughput(self, record: NodeRecord) -> bool:
        """Whether a node reads or writes one of the configured throughput datasets."""
        throughput = self.config.throughput
        if throughput is None:
            return False
        names = set(record.inputs) | set(record.outputs)
        return bool(names & {*throughput.datasets, throughput.dataset})

    def finish(self, status: str, error: BaseException | None) -> RunReport:
        """Close every node, render profiles, evaluate alerts and write the report."""
        end_wall, end_cpu = clock()
        for record in self.records.values():
            if not record.closed:
                self.close(record)
        run_peak = self.sampler.close(_RUN_WINDOW)
        self.sampler.stop()
        logging.getLogger().removeHandler(self.node_events)
        cluster = self.cluster.finish(self.command()) if self.cluster is not None else None
        if self.memray is not None and self.config.memray.flamegraphs:
            for record in self.records.values():
                if record.memray is not None:
                    html = write_flamegraph(Path(record.memray["bin"]))
                    record.memray["flamegraph"] = str(html) if html else None
        report = self.report(status, error, end_wall - self.start_wall, end_cpu - self.start_cpu,
                             run_peak, cluster=cluster)
        for alert in report.alerts:
            logger.warning("ALERT %s", alert.message)
        write_run_report(report, self.directory, self.project_path / self.config.latest_dir)
        return report

    def command(self) -> str:
        """The ``kedro run`` this is, as typed (pipelines, env, runtime parameters)."""
        pipelines = self.params.get("pipeline_names")
        params = self.params.get("runtime_params")
        return " ".join([
            "kedro run",
            *([f"--pipelines {','.join(pipelines)}"] if pipelines else []),
            *([f"--env {self.params['env']}"] if self.params.get("env") else []),
            *([f"--params {params}"] if params else []),
        ])

    def _relative(self, path: Path) -> str:
        return str(path.relative_to(self.project_path)) \
            if path.is_relative_to(self.project_path) else str(path)

    def report(self, status: str, error: BaseException | None, wall_s: float, cpu_s: float,
               run_peak: int, *, cluster: ClusterRecord | None = None) -> RunReport:
        """The run report's content."""
        unit = self.config.throughput.unit if self.config.throughput else ""
        nodes = [
            record.figures(self.start_wall,
                           self.units if self.handles_throughput(record) else None, unit)
            for record in self.records.values()
        ]
        memory_delta_mb = round((run_peak - self.rss_start) / MB, 1)
        throughput = None if self.units is None else Throughput(
            unit=unit, count=self.units,
            per_s=round(self.units / wall_s, 1) if self.units and wall_s else None,
            s_per_1k=round(wall_s / self.units * 1000, 4) if self.units else None,
        )
        totals = Totals(
            wall_s=round(wall_s, 4),
            cpu_s=round(cpu_s, 4),
            nodes_wall_s=round(sum(n.wall_s for n in nodes), 4),
            load_s=round(sum(n.load_s for n in nodes), 4),
            compute_s=round(sum(n.compute_s for n in nodes), 4),
            save_s=round(sum(n.save_s for n in nodes), 4),
            lazy_save_s=round(sum(n.lazy_save_s for n in nodes), 4),
            rss_start_mb=round(self.rss_start / MB, 1),
            peak_rss_mb=round(run_peak / MB, 1),
            memory_delta_mb=memory_delta_mb,
            process_maxrss_mb=round(max(self.high_water, peak_rss(), run_peak) / MB, 1),
            throughput=throughput,
            nodes=len(nodes),
        )
        overhead = Overhead(
            hook_s=round(self.hook_s, 4),
            sampler_cpu_s=round(self.sampler.cpu_s, 4),
            share_of_wall=round((self.hook_s + self.sampler.cpu_s) / wall_s, 5)
            if wall_s > 0 else None,
        )
        notes = []
        if self.runner == "ParallelRunner":
            notes.append("ParallelRunner runs nodes in other processes: no per-node figures.")
        elif self.concurrent:
            notes.append(f"{self.runner}: nodes overlap, so per-node CPU and memory overlap too.")
        reports = {"run_report": self._relative(self.directory / REPORT_MD), **self.reports}
        if self.cluster is not None and self.cluster.html.exists():
            reports["dask_performance_report"] = self._relative(self.cluster.html)
        return RunReport(
            run_id=str(self.params["run_id"]),
            status="success" if status == "success" else "failed",
            error=error_text(error) if error else None,
            started_at=self.started_at.isoformat(),
            finished_at=datetime.now(UTC).isoformat(),
            pipelines=self.params.get("pipeline_names") or ["__default__"],
            env=self.params.get("env") or "local",
            runner=self.runner,
            runtime_params=self.params.get("runtime_params") or {},
            git=Git(**git_commit()),
            parameters_fingerprint=self.fingerprint,
            environment=environment(),
            memray=MemraySettings(enabled=self.memray is not None,
                                  arrow_memory_pool=self.arrow_pool),
            memory=MemoryRecord(allowed=self.memory_allowed,
                                budgets=self.node_events.budgets,
                                adaptations=self.node_events.adaptations),
            cluster=cluster,
            totals=totals,
            figures=self.figures,
            reports=reports,
            observer_overhead=overhead,
            bottlenecks=bottlenecks([node.model_dump() for node in nodes], memory_delta_mb),
            nodes=nodes,
            alerts=evaluate_alerts(nodes, self.config.alerts),
            notes=notes,
        )
