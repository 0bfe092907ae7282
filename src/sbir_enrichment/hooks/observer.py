"""The run observer: Kedro hooks that time and measure every node and write the run report.

The hooks only observe: they never change inputs, outputs or the catalog, and they name no
dataset: settings come from the ``observability`` parameters, read from the context when it
is created. At the end of a run the observer prints a short summary (``reporting.console``).
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kedro.framework.context import KedroContext
from kedro.framework.hooks import hook_impl
from kedro.io import CatalogProtocol
from kedro.pipeline import Pipeline
from kedro.pipeline.node import Node

from sbir_enrichment.hooks.config import ObservabilityConfig
from sbir_enrichment.hooks.data_shape import describe, is_lazy
from sbir_enrichment.hooks.environment import fingerprint
from sbir_enrichment.hooks.node_record import clock
from sbir_enrichment.hooks.run_state import ObservedRun, error_text
from sbir_enrichment.reporting.console import print_run_summary

logger = logging.getLogger(__name__)


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


def _parameters_read(pipeline: Pipeline, parameters: dict[str, Any]) -> dict[str, Any]:
    """The parameter values the pipeline's nodes take (``params:<dotted name>`` inputs)."""
    inputs = pipeline.inputs()
    if "parameters" in inputs:
        return parameters
    read = {}
    for name in sorted(n.removeprefix("params:") for n in inputs if n.startswith("params:")):
        value: Any = parameters
        for key in name.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        read[name] = value
    return read


def _saved_path(catalog: CatalogProtocol | None, dataset_name: str, project_path: Path
                ) -> str | None:
    """Where a saved dataset can be opened: its stable copy (``latest``), else its file."""
    dataset = catalog.get(dataset_name) if catalog is not None else None
    if dataset is None:
        return None
    described = dataset._describe()  # noqa: SLF001 - Kedro's own description of a dataset
    path = described.get("latest") or described.get("filepath")
    if path is None:
        return None
    path = Path(str(path))
    return str(path.relative_to(project_path)) if path.is_relative_to(project_path) else str(path)


class RunObserver:
    """Per-node wall/CPU time (load, compute, save), rows, RSS peaks, memray, alerts, report."""

    def __init__(self) -> None:
        """Idle until a context with ``observability`` parameters is created."""
        self._config: ObservabilityConfig | None = None
        self._project_path: Path | None = None
        self._parameters: dict[str, Any] = {}
        self._catalog: CatalogProtocol | None = None
        self._run: ObservedRun | None = None

    @property
    def last_report_dir(self) -> Path | None:
        """Where the current (or last) run's report is written."""
        return self._run.directory if self._run else None

    @hook_impl
    def after_context_created(self, context: KedroContext) -> None:
        """Read the observer's settings and the run's resolved parameters."""
        self._parameters = dict(context.config_loader["parameters"])
        raw = self._parameters.get("observability")
        self._config = ObservabilityConfig.model_validate(raw) if raw is not None else None
        self._project_path = Path(context.project_path)

    @hook_impl
    def after_catalog_created(self, catalog: CatalogProtocol) -> None:
        """Keep the catalog, to say where configured reports were saved."""
        self._catalog = catalog

    @hook_impl
    def before_pipeline_run(self, run_params: dict[str, Any], pipeline: Pipeline) -> None:
        """Start observing, unless the observer is disabled or unconfigured."""
        self._run = None
        config, project_path = self._config, self._project_path
        if config is None or not config.enabled or project_path is None:
            return
        self._run = ObservedRun(run_params, config, project_path,
                                fingerprint(_parameters_read(pipeline, self._parameters)))

    def _active(self) -> ObservedRun | None:
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
                shape = describe(data)
                record.add_shape("in", dataset_name, shape)
                run.observe_data(dataset_name, data, shape)
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
        """Close the save window (lazy or not) and note the output's shape and path."""
        if run := self._active():
            record = run.record(node)
            wall, cpu = clock()
            record.end("save", dataset_name, wall, lazy=is_lazy(data))
            record.touch(wall, cpu)
            shape = describe(data)
            record.add_shape("out", dataset_name, shape)
            run.observe_data(dataset_name, data, shape)
            if dataset_name in run.config.reports:
                run.saved(dataset_name,
                          _saved_path(self._catalog, dataset_name, run.project_path))
            run.sampler.sample()

    @hook_impl
    @_self_timed
    def on_node_error(self, error: Exception, node: Node) -> None:
        """Note the node's error."""
        if run := self._active():
            record = run.record(node)
            record.error = error_text(error)
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
            report = run.finish(status, error)
            if run.config.summary:
                print_run_summary(report)
