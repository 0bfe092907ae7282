"""Give memory the process has freed back to the operating system.

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

import pyarrow as pa


def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    library = ctypes.CDLL(name) if name else None
    return library if library is not None and hasattr(library, "malloc_trim") else None


_LIBC = _glibc()


def release_free_memory() -> None:
    """Collect garbage, then return Arrow's and the C heap's free pages to the system."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)
