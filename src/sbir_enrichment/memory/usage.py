"""Resident memory: reading it, sampling its peaks, and giving freed memory back.

``current_rss`` is the resident set (file-backed pages included); ``anonymous_rss`` leaves out
pages backed by files (mapped files, shared libraries), which the kernel can drop under memory
pressure, so it is what a memory budget must hold. ``PeakSampler`` keeps the peak of every open
window from a background thread.

Freed memory normally stays with the process: Arrow's pool keeps its pages, and glibc's heap
keeps the holes that many small pandas allocations leave (about 250 MB after ingesting the
full-scale sample). Before the run's largest allocation that retained memory would add to the
peak, so nodes call ``release_free_memory`` there. Where glibc is not the C library (macOS,
musl), only Arrow's pool is released.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
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
_STATUS = Path("/proc/self/status")


def _rss_readers() -> tuple[Callable[[], int], Callable[[], int]]:
    """Cheap readers of this process's resident and anonymous resident bytes (``statm``)."""
    if _STATM.exists():
        handle = os.open(_STATM, os.O_RDONLY)
        page = os.sysconf("SC_PAGE_SIZE")

        def pages() -> list[bytes]:
            return os.pread(handle, 128, 0).split()

        return (lambda: int(pages()[1]) * page,
                lambda: (int((fields := pages())[1]) - int(fields[2])) * page)
    process = psutil.Process()
    return (lambda: process.memory_info().rss,) * 2


current_rss, anonymous_rss = _rss_readers()


def process_maxrss() -> int:
    """The process's RSS high-water mark in bytes since it started (``ru_maxrss``).

    The kernel raises it lazily (on some memory-map changes), so it can trail the RSS read a
    moment ago by a few pages; the observer reports the larger of the two.
    """
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss if sys.platform == "darwin" else maxrss * 1024


def peak_rss() -> int:
    """This process's own RSS high-water mark in bytes (``VmHWM``; else :func:`process_maxrss`).

    A spawned process (a Dask worker) inherits its parent's ``ru_maxrss``: Linux carries the
    high-water mark across ``exec``, so a worker started by a 1.5 GB driver reads 1.5 GB at
    once. ``VmHWM`` counts the process's own pages only.
    """
    if not _STATUS.exists():
        return process_maxrss()
    line = next(line for line in _STATUS.read_text().splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


class PeakSampler:
    """A background thread that samples RSS and keeps the peak of every open window.

    A window is opened per node; ``sample`` may also be called from hooks so that short nodes
    still see their start and end. Peaks shorter than the sampling period can be missed; the
    process high-water mark (:func:`peak_rss`) never misses one.
    """

    def __init__(self, interval_s: float, read: Callable[[], int] = current_rss) -> None:
        """Create a stopped sampler that samples ``read`` (bytes) every ``interval_s`` seconds
        once started."""
        self._interval_s = interval_s
        self._read = read
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
        rss = self._read()
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
        rss = self._read()
        with self._lock:
            for key, peak in self._peaks.items():
                if rss > peak:
                    self._peaks[key] = rss
        return rss

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            self.sample()
        self.cpu_s = time.thread_time()


def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    library = ctypes.CDLL(name) if name else None
    return library if library is not None and hasattr(library, "malloc_trim") else None


_LIBC = _glibc()


def release_free_memory() -> None:
    """Collect garbage, then return Arrow's and the C heap's free pages to the system."""
    import pyarrow as pa  # noqa: PLC0415 (the hooks import this module before Arrow may load)

    gc.collect()
    pa.default_memory_pool().release_unused()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)
