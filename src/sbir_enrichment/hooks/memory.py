"""Resident memory: current RSS, the process high-water mark, and a sampler of per-node peaks."""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil

MB = 1024 * 1024
_STATM = Path("/proc/self/statm")


def _rss_reader() -> Callable[[], int]:
    """A cheap reader of this process's RSS in bytes (``/proc/self/statm`` on Linux)."""
    if _STATM.exists():
        handle = os.open(_STATM, os.O_RDONLY)
        page = os.sysconf("SC_PAGE_SIZE")
        return lambda: int(os.pread(handle, 128, 0).split()[1]) * page
    process = psutil.Process()
    return lambda: process.memory_info().rss


current_rss = _rss_reader()


def process_maxrss() -> int:
    """The process's RSS high-water mark in bytes since it started (``ru_maxrss``).

    The kernel raises it lazily (on some memory-map changes), so it can trail the RSS read a
    moment ago by a few pages; the observer reports the larger of the two.
    """
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss if sys.platform == "darwin" else maxrss * 1024


class PeakSampler:
    """A background thread that samples RSS and keeps the peak of every open window.

    A window is opened per node; ``sample`` may also be called from hooks so that short nodes
    still see their start and end. Peaks shorter than the sampling period can be missed; the
    process high-water mark (:func:`process_maxrss`) never misses one.
    """

    def __init__(self, interval_s: float) -> None:
        """Create a stopped sampler that samples every ``interval_s`` seconds once started."""
        self._interval_s = interval_s
        self._peaks: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.cpu_s = 0.0
        """CPU seconds the sampling thread used (known once stopped)."""

    def start(self) -> None:
        """Start the sampling thread."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the sampling thread and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def open(self, key: str) -> int:
        """Open the window ``key`` at the current RSS, which is returned."""
        rss = current_rss()
        with self._lock:
            self._peaks[key] = rss
        return rss

    def close(self, key: str) -> int:
        """Close the window ``key``; returns its peak RSS in bytes."""
        self.sample()
        with self._lock:
            return self._peaks.pop(key)

    def sample(self) -> int:
        """Read RSS now and raise the peak of every open window; returns the RSS."""
        rss = current_rss()
        with self._lock:
            for key, peak in self._peaks.items():
                if rss > peak:
                    self._peaks[key] = rss
        return rss

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            self.sample()
        self.cpu_s = time.thread_time()
