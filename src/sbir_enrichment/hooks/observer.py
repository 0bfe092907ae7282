"""The run observer: Kedro hooks that time and measure every node and write the run report.

The hooks only observe: they never change inputs, outputs or the catalog. Settings come from
the ``observability`` parameters, read from the context when it is created.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kedro.framework.context import KedroContext
from kedro.framework.hooks import hook_impl
from kedro.pipeline.node import Node

from sbir_enrichment.hooks.alerts import evaluate_alerts
from sbir_enrichment.hooks.config import ObservabilityConfig
from sbir_enrichment.hooks.data_shape import describe, is_lazy, match_rate
from sbir_enrichment.hooks.environment import environment, fingerprint, git_commit
from sbir_enrichment.hooks.memory import MB, PeakSampler, current_rss, process_maxrss
from sbir_enrichment.hooks.memray_profile import (
    MemrayProfiler,
    use_system_arrow_pool,
    write_flamegraph,
)
from sbir_enrichment.hooks.node_record import NodeRecord, clock
from sbir_enrichment.hooks.run_report import SCHEMA_VERSION, bottlenecks, write_report
from sbir_enrichment.redaction import redact

logger = logging.getLogger(__name__)

_RUN_WINDOW = "__run__"
_CONCURRENT_RUNNERS = ("ThreadRunner", "ParallelRunner")
_ACCURACY_KEYS = ("has_truth", "awards_with_truth", "precision", "recall", "f1")


def _self_timed(method: Callable[..., None]) -> Callable[..., None]:
    """Add the wall time a hook spends to the run's observer overhead."""
    @functools.wraps(method)
    def timed(self: RunObserver, *args: Any, **kwargs: Any) -> None:
        started = time.perf_counter()
        method(self, *args, **kwargs)
        if self._run is not None:
            self._run.hook_s += time.perf_counter() - started
    return timed


def _is_parameter(dataset_name: str) -> bool:
    return dataset_name == "parameters" or dataset_name.startswith("params:")


class _Run:
    """State of one observed run."""

    def __init__(self, run_params: dict[str, Any], config: ObservabilityConfig,
                 directory: Path, parameters_fingerprint: str) -> None:
        self.params = run_params
        self.fingerprint = parameters_fingerprint
        self.config = config
        self.directory = directory
        self.pid = os.getpid()
        self.started_at = datetime.now(UTC)
        self.start_wall, self.start_cpu = clock()
        self.runner = self._runner_name(run_params.get("runner"))
        self.concurrent = self.runner in _CONCURRENT_RUNNERS
        self.records: dict[str, NodeRecord] = {}
        self.lock = threading.Lock()
        self.awards: int | None = None
        self.match_rate: float | None = None
        self.accuracy: dict[str, Any] | None = None
        self.hook_s = 0.0
        self.high_water = 0
        self.sampler = PeakSampler(config.sample_interval_s)
        self.rss_start = self.sampler.open(_RUN_WINDOW)
        self.sampler.start()
        self.memray: MemrayProfiler | None = None
        self.arrow_pool: str | None = None
        if config.memray_enabled:
            if self.concurrent:
                logger.warning("memray profiling is off under %s: it needs one node at a time",
                               self.runner)
            else:
                self.arrow_pool = use_system_arrow_pool()
                self.memray = MemrayProfiler(directory / "memray", config.memray.native_traces)

    @staticmethod
    def _runner_name(runner: Any) -> str:
        """``SequentialRunner`` by default, else the class named in Kedro's run parameters."""
        text = str(runner)
        for name in (*_CONCURRENT_RUNNERS, "SequentialRunner"):
            if name in text:
                return name
        return "SequentialRunner" if runner in (None, "None") else text

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
        self.high_water = max(self.high_water, process_maxrss(), record.peak_rss)
        record.process_maxrss = self.high_water
        record.closed = True

    def observe_data(self, dataset_name: str, data: Any) -> None:
        """Note the award count, match rate and accuracy when their datasets pass by."""
        if dataset_name == self.config.accuracy_dataset and isinstance(data, Mapping):
            self.accuracy = {key: data.get(key) for key in _ACCURACY_KEYS}
        shape = describe(data)
        if dataset_name == self.config.awards_dataset and "rows" in shape:
            self.awards = shape["rows"]
        source = self.config.match_rate
        if dataset_name == source.dataset and shape["kind"] == "frame":
            self.match_rate = match_rate(data, source.method_column, source.unmatched_value)

    def handles_awards(self, record: NodeRecord) -> bool:
        """Whether a node reads or writes one of the configured award datasets."""
        names = set(record.inputs) | set(record.outputs)
        return bool(names & {*self.config.award_datasets, self.config.awards_dataset})

    def finish(self, status: str, error: BaseException | None) -> Path:
        """Close every node, render profiles, evaluate alerts and write the report."""
        end_wall, end_cpu = clock()
        for record in self.records.values():
            if not record.closed:
                self.close(record)
        run_peak = self.sampler.close(_RUN_WINDOW)
        self.sampler.stop()
        if self.memray is not None and self.config.memray.flamegraphs:
            for record in self.records.values():
                if record.memray is not None:
                    html = write_flamegraph(Path(record.memray["bin"]))
                    record.memray["flamegraph"] = str(html) if html else None
        report = self.report(status, error, end_wall - self.start_wall, end_cpu - self.start_cpu,
                             run_peak)
        for alert in report["alerts"]:
            logger.warning("ALERT %s", alert["message"])
        path = write_report(report, self.directory)
        totals = report["totals"]
        logger.info("Run report %s: %.2f s, peak RSS %.0f MB, %d node(s), %d alert(s)",
                    path, totals["wall_s"], totals["peak_rss_mb"], len(report["nodes"]),
                    len(report["alerts"]))
        return path

    def report(self, status: str, error: BaseException | None, wall_s: float, cpu_s: float,
               run_peak: int) -> dict[str, Any]:
        """The run report's content."""
        nodes = [
            record.as_dict(self.start_wall, self.awards if self.handles_awards(record) else None)
            for record in self.records.values()
        ]
        memory_delta_mb = round((run_peak - self.rss_start) / MB, 1)
        totals = {
            "wall_s": round(wall_s, 4),
            "cpu_s": round(cpu_s, 4),
            "nodes_wall_s": round(sum(n["wall_s"] for n in nodes), 4),
            **{phase: round(sum(n[phase] for n in nodes), 4)
               for phase in ("load_s", "compute_s", "save_s", "lazy_save_s")},
            "rss_start_mb": round(self.rss_start / MB, 1),
            "peak_rss_mb": round(run_peak / MB, 1),
            "memory_delta_mb": memory_delta_mb,
            "process_maxrss_mb": round(max(self.high_water, process_maxrss(), run_peak) / MB, 1),
            "awards": self.awards,
            "awards_per_s": round(self.awards / wall_s, 1) if self.awards and wall_s else None,
            "match_rate": self.match_rate,
            "nodes": len(nodes),
        }
        overhead = {
            "hook_s": round(self.hook_s, 4),
            "sampler_cpu_s": round(self.sampler.cpu_s, 4),
            "share_of_wall": round((self.hook_s + self.sampler.cpu_s) / wall_s, 5)
            if wall_s > 0 else None,
        }
        notes = []
        if self.runner == "ParallelRunner":
            notes.append("ParallelRunner runs nodes in other processes: no per-node figures.")
        elif self.concurrent:
            notes.append(f"{self.runner}: nodes overlap, so per-node CPU and memory overlap too.")
        return {
            "schema_version": SCHEMA_VERSION,
            "run_id": self.params["run_id"],
            "status": status,
            "error": redact(repr(error)) if error else None,
            "started_at": self.started_at.isoformat(),
            "finished_at": datetime.now(UTC).isoformat(),
            "pipelines": self.params.get("pipeline_names") or ["__default__"],
            "env": self.params.get("env") or "local",
            "runner": self.runner,
            "runtime_params": self.params.get("runtime_params") or {},
            "git": git_commit(),
            "parameters_fingerprint": self.fingerprint,
            "environment": environment(),
            "memray": {"enabled": self.memray is not None, "arrow_memory_pool": self.arrow_pool},
            "totals": totals,
            "accuracy": self.accuracy,
            "observer_overhead": overhead,
            "bottlenecks": bottlenecks(nodes, memory_delta_mb),
            "nodes": nodes,
            "alerts": evaluate_alerts(nodes, self.match_rate, self.config.alerts),
            "notes": notes,
        }


class RunObserver:
    """Per-node wall/CPU time (load, compute, save), rows, RSS peaks, memray, alerts, report."""

    def __init__(self) -> None:
        """Idle until a context with ``observability`` parameters is created."""
        self._config: ObservabilityConfig | None = None
        self._project_path: Path | None = None
        self._fingerprint: str | None = None
        self._run: _Run | None = None

    @property
    def last_report_dir(self) -> Path | None:
        """Where the current (or last) run's report is written."""
        return self._run.directory if self._run else None

    @hook_impl
    def after_context_created(self, context: KedroContext) -> None:
        """Read the observer's settings and fingerprint the run's resolved parameters."""
        parameters = context.config_loader["parameters"]
        raw = parameters.get("observability")
        self._config = ObservabilityConfig.model_validate(raw) if raw is not None else None
        self._project_path = Path(context.project_path)
        self._fingerprint = fingerprint(parameters, exclude=("observability",))

    @hook_impl
    def before_pipeline_run(self, run_params: dict[str, Any]) -> None:
        """Start observing, unless the observer is disabled or unconfigured."""
        self._run = None
        config, project_path = self._config, self._project_path
        if config is None or not config.enabled or project_path is None:
            return
        directory = project_path / config.runs_dir / str(run_params["run_id"])
        self._run = _Run(run_params, config, directory, self._fingerprint or "")

    def _active(self) -> _Run | None:
        """The observed run, unless this is a worker process of a ParallelRunner."""
        run = self._run
        return run if run is not None and run.pid == os.getpid() else None

    @hook_impl
    @_self_timed
    def before_dataset_loaded(self, dataset_name: str, node: Node) -> None:
        """Open the node (on its first input) and a load window."""
        if run := self._active():
            run.record(node).begin("load", dataset_name, clock()[0])

    @hook_impl
    @_self_timed
    def after_dataset_loaded(self, dataset_name: str, data: Any, node: Node) -> None:
        """Close the load window and note the input's shape."""
        if run := self._active():
            record = run.record(node)
            wall, cpu = clock()
            record.end("load", dataset_name, wall)
            record.touch(wall, cpu)
            if not _is_parameter(dataset_name):
                record.add_shape("in", dataset_name, describe(data))
                run.observe_data(dataset_name, data)
            run.sampler.sample()

    @hook_impl
    @_self_timed
    def before_node_run(self, node: Node) -> None:
        """Open a node without inputs."""
        if run := self._active():
            run.record(node).touch(*clock())

    @hook_impl
    @_self_timed
    def after_node_run(self, node: Node) -> None:
        """Extend the node's span; its saves (maybe lazy) still follow."""
        if run := self._active():
            run.record(node).touch(*clock())
            run.sampler.sample()

    @hook_impl
    @_self_timed
    def before_dataset_saved(self, dataset_name: str, node: Node) -> None:
        """Open a save window."""
        if run := self._active():
            run.record(node).begin("save", dataset_name, clock()[0])

    @hook_impl
    @_self_timed
    def after_dataset_saved(self, dataset_name: str, data: Any, node: Node) -> None:
        """Close the save window (lazy or not) and note the output's shape."""
        if run := self._active():
            record = run.record(node)
            wall, cpu = clock()
            record.end("save", dataset_name, wall, lazy=is_lazy(data))
            record.touch(wall, cpu)
            record.add_shape("out", dataset_name, describe(data))
            run.observe_data(dataset_name, data)
            run.sampler.sample()

    @hook_impl
    @_self_timed
    def on_node_error(self, error: Exception, node: Node) -> None:
        """Note the node's error."""
        if run := self._active():
            record = run.record(node)
            record.error = redact(repr(error))
            record.touch(*clock())

    @hook_impl
    def after_pipeline_run(self) -> None:
        """Write the report of a successful run."""
        self._finish("success", None)

    @hook_impl
    def on_pipeline_error(self, error: Exception) -> None:
        """Write the report of a failed run."""
        self._finish("failed", error)

    def _finish(self, status: str, error: BaseException | None) -> None:
        if run := self._active():
            run.finish(status, error)
