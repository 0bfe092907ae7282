"""One node's measurements, accumulated from the hook events of its run.

A node spans its first event (``before_dataset_loaded``, or ``before_node_run`` without inputs)
to its last (the last ``after_dataset_saved``): lazy partitioned saves run inside
``catalog.save`` after ``after_node_run``, so that is where the node really ends. Within the
span, load and save windows are timed; compute is the rest. Saving lazy data (callables per
partition, or a stream of chunks) runs deferred computation and writing together; that time is
``lazy_save_s`` and is not split further.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from sbir_enrichment.memory.usage import MB
from sbir_enrichment.reporting.run_report import MemrayProfile, NodeFigures, Throughput


def clock() -> tuple[float, float]:
    """Wall (monotonic) and process CPU seconds now; CPU counts every thread of the process."""
    return time.perf_counter(), time.process_time()


@dataclass
class NodeRecord:
    """Time, CPU, data shapes and memory of one node, in the order the hooks saw them."""

    name: str
    order: int
    start_wall: float
    start_cpu: float
    rss_start: int
    end_wall: float = 0.0
    end_cpu: float = 0.0
    load_s: float = 0.0
    save_s: float = 0.0
    lazy_save_s: float = 0.0
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    rss_end: int = 0
    peak_rss: int = 0
    process_maxrss: int = 0
    error: str | None = None
    closed: bool = False
    memray: dict[str, Any] | None = None
    cluster_tasks: int | None = None
    _open_windows: dict[tuple[str, str], float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """The span starts and ends at the first event until more events arrive."""
        self.end_wall, self.end_cpu = self.start_wall, self.start_cpu

    def touch(self, wall: float, cpu: float) -> None:
        """Extend the node's span to an event at ``wall``/``cpu``."""
        self.end_wall, self.end_cpu = max(self.end_wall, wall), max(self.end_cpu, cpu)

    def begin(self, phase: str, dataset: str, wall: float) -> None:
        """Open a ``load`` or ``save`` window for ``dataset``."""
        self._open_windows[(phase, dataset)] = wall

    def end(self, phase: str, dataset: str, wall: float, lazy: bool = False) -> None:
        """Close the window opened by :meth:`begin` and add its length to the phase total."""
        started = self._open_windows.pop((phase, dataset), wall)
        seconds = wall - started
        if phase == "load":
            self.load_s += seconds
        elif lazy:
            self.lazy_save_s += seconds
        else:
            self.save_s += seconds

    @property
    def wall_s(self) -> float:
        """Seconds from the node's first event to its last."""
        return self.end_wall - self.start_wall

    @property
    def cpu_s(self) -> float:
        """Process CPU seconds over the node's span (all threads)."""
        return self.end_cpu - self.start_cpu

    @property
    def compute_s(self) -> float:
        """The span less its load and save windows (never negative)."""
        return max(0.0, self.wall_s - self.load_s - self.save_s - self.lazy_save_s)

    def rows(self, side: str) -> int:
        """Rows of every frame read (``side="in"``) or written (``"out"``) by the node."""
        shapes = self.inputs if side == "in" else self.outputs
        return sum(shape.get("rows", 0) for shape in shapes.values())

    def add_shape(self, side: str, dataset: str, shape: dict[str, Any]) -> None:
        """Record a dataset's shape; repeated saves (chunks yielded by a generator) add up."""
        shapes = self.inputs if side == "in" else self.outputs
        known = shapes.get(dataset)
        if known is None:
            shapes[dataset] = shape
        elif "rows" in known and "rows" in shape:
            known["rows"] += shape["rows"]
            known["saves"] = known.get("saves", 1) + 1

    def figures(self, run_start_wall: float, units: int | None, unit: str) -> NodeFigures:
        """The node's figures; ``units`` (when the node handles the throughput rows) adds
        units per second and seconds per 1,000 units."""
        wall_s = self.wall_s
        throughput = None if not units else Throughput(
            unit=unit, count=units,
            per_s=round(units / wall_s, 1) if wall_s > 0 else None,
            s_per_1k=round(wall_s / units * 1000, 4),
        )
        return NodeFigures(
            name=self.name,
            order=self.order,
            started_s=round(self.start_wall - run_start_wall, 4),
            wall_s=round(wall_s, 4),
            cpu_s=round(self.cpu_s, 4),
            load_s=round(self.load_s, 4),
            compute_s=round(self.compute_s, 4),
            save_s=round(self.save_s, 4),
            lazy_save_s=round(self.lazy_save_s, 4),
            rows_in=self.rows("in"),
            rows_out=self.rows("out"),
            inputs=self.inputs,
            outputs=self.outputs,
            rss_start_mb=round(self.rss_start / MB, 1),
            rss_end_mb=round(self.rss_end / MB, 1),
            peak_rss_mb=round(self.peak_rss / MB, 1),
            peak_delta_mb=round((self.peak_rss - self.rss_start) / MB, 1),
            process_maxrss_mb=round(self.process_maxrss / MB, 1),
            throughput=throughput,
            error=self.error,
            memray=MemrayProfile(**self.memray) if self.memray is not None else None,
            cluster_tasks=self.cluster_tasks,
        )
