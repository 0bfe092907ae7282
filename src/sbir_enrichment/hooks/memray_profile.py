"""Per-node memray profiles: one Tracker at a time, a ``.bin`` and a flamegraph per node.

memray allows one active Tracker per process, so nodes are profiled one after another: the
Tracker of a node is opened at its first event and closed when the next node starts (or the
run ends), which also covers lazy partition saves made after ``after_node_run``. The files are
written in memray's aggregated format, which keeps the peak (high-water mark) and its stacks at
a fraction of the cost of recording every allocation.

Trackers are started and stopped from a short-lived helper thread. Started from inside a hook,
memray 1.20 mis-counts the returns of the hook's own frames and drops the outermost frames of
later stacks (often every frame of the node); started from another thread, it captures the
running thread's whole stack and records complete stacks.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import memray

from sbir_enrichment.memory.usage import MB

logger = logging.getLogger(__name__)

ARROW_POOL_ENV_VAR = "ARROW_DEFAULT_MEMORY_POOL"


def use_system_arrow_pool() -> str:
    """Route Arrow allocations through malloc, where memray sees them; returns the pool backend.

    The environment variable covers a pyarrow not yet imported; an imported pyarrow is switched
    with ``set_memory_pool`` (earlier allocations stay in the old pool).
    """
    os.environ[ARROW_POOL_ENV_VAR] = "system"
    if "pyarrow" not in sys.modules:
        return "system (pyarrow not loaded yet)"
    import pyarrow  # noqa: PLC0415 - only when already loaded by someone else

    if pyarrow.default_memory_pool().backend_name != "system":
        logger.warning("pyarrow was loaded before profiling started; switching it to malloc")
        pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    return pyarrow.default_memory_pool().backend_name


def read_peak(bin_path: Path) -> dict[str, float]:
    """The peak recorded in a memray capture, and the part of it made of ``mmap`` calls.

    memray counts an ``mmap`` at its full size when it is made, though its pages may never be
    touched (pyarrow reserves large regions this way), so ``peak_mb - peak_mmap_mb`` is the
    figure to hold against RSS.
    """
    reader = memray.FileReader(bin_path)
    try:
        mmap_bytes = sum(
            record.size
            for record in reader.get_high_watermark_allocation_records(merge_threads=True)
            if record.allocator == memray.AllocatorType.MMAP
        )
        return {"peak_mb": round(reader.metadata.peak_memory / MB, 1),
                "peak_mmap_mb": round(mmap_bytes / MB, 1)}
    finally:
        reader.close()


def write_flamegraph(bin_path: Path) -> Path | None:
    """Render the self-contained HTML flamegraph of a capture; ``None`` if memray failed."""
    html_path = bin_path.with_suffix(".html")
    result = subprocess.run(
        [sys.executable, "-m", "memray", "flamegraph", "--no-web", "--force",
         "--output", str(html_path), str(bin_path)],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        logger.warning("memray flamegraph failed for %s: %s", bin_path, result.stderr.strip())
        return None
    return html_path


def _in_helper_thread(action: Callable[[], None]) -> None:
    """Run ``action`` in a new thread and wait for it; its exception is raised here."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            action()
        except BaseException as error:  # noqa: BLE001 - handed to the calling thread
            errors.append(error)

    thread = threading.Thread(target=run, name="memray-control")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


class MemrayProfiler:
    """Opens and closes one memray Tracker per node, sequentially."""

    def __init__(self, directory: Path, native_traces: bool) -> None:
        """Profiles go to ``directory/<node name>.bin``."""
        self._directory = directory
        self._native_traces = native_traces
        self._tracker: memray.Tracker | None = None
        self._bin_path: Path | None = None

    def start(self, node_name: str) -> None:
        """Start tracking ``node_name`` (the previous node must have been stopped)."""
        self._directory.mkdir(parents=True, exist_ok=True)
        safe_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", node_name)
        self._bin_path = self._directory / f"{safe_name}.bin"
        self._bin_path.unlink(missing_ok=True)
        tracker = memray.Tracker(
            self._bin_path,
            native_traces=self._native_traces,
            file_format=memray.FileFormat.AGGREGATED_ALLOCATIONS,
        )
        _in_helper_thread(tracker.__enter__)
        self._tracker = tracker

    def stop(self) -> dict[str, Any] | None:
        """Stop the running Tracker; returns the capture path and its peak, or ``None``."""
        if self._tracker is None or self._bin_path is None:
            return None
        tracker, self._tracker = self._tracker, None
        _in_helper_thread(lambda: tracker.__exit__(None, None, None))
        return {"bin": str(self._bin_path), **read_peak(self._bin_path)}
