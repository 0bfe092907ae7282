"""Process a chunk in sub-batches when processing it whole would cross the memory budget.

For steps whose rows are independent (linking awards, normalising recipients): each call is
watched, and the rise of anonymous resident memory (mapped pages left out: the kernel can drop
those) per row, measured on the largest calls so far, predicts what the next rows need. When
the memory in use plus that prediction would cross the budget, the chunk is processed in
sub-batches that fit and their results concatenated, so the partition written, and its
fingerprint, are the same. Nothing is known before the first call, so it is a small probe
unless the process holds under a quarter of its budget.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pandas as pd

from sbir_enrichment.memory.budget import MEMORY_ADAPTATION, MemoryBudget
from sbir_enrichment.memory.usage import MB, PeakSampler, anonymous_rss, release_free_memory

logger = logging.getLogger(__name__)

# The first call of a run: small enough to be harmless, large enough to measure.
_PROBE_ROWS = 1_000
# No probe while the process holds under a quarter of its budget: no chunk has needed more than
# the process held (full scale: +100 MB for 20,000 awards, +300 MB for 250,000 recipients, in
# processes of 400-1,000 MB), and a probe costs a garbage collection and an extra call.
_PLENTY_FACTOR = 4
# A sub-batch is never smaller (below it, fixed costs per call dominate and memory barely falls).
_MIN_ROWS = 250
_SAMPLE_INTERVAL_S = 0.01

Process = Callable[[pd.DataFrame, int], pd.DataFrame]


class SubBatches:
    """Sub-batch sizes learnt from the calls done so far, within one memory budget."""

    def __init__(self, budget: MemoryBudget, rows: str) -> None:
        """Plan within ``budget``; ``rows`` names what a row is in log lines (``awards``)."""
        self.budget = budget
        self.rows = rows
        self.bytes_per_row: float | None = None
        self._measured_rows = 0
        self.adaptations: list[dict[str, object]] = []

    def _size(self, remaining: int) -> tuple[int, bool]:
        """The next sub-batch's size, and whether the budget made it smaller."""
        if self.bytes_per_row is None:
            return remaining if self._plenty() else min(remaining, _PROBE_ROWS), False
        room = self.budget.mb * MB - anonymous_rss()
        fits = int(room // self.bytes_per_row) if self.bytes_per_row > 0 else remaining
        size = max(min(remaining, fits), min(remaining, _MIN_ROWS))
        return size, size < remaining

    def apply(self, frame: pd.DataFrame, process: Process, chunk_id: str) -> pd.DataFrame:
        """``process(frame, 0)``, done as ``process(sub-batch, its first position)`` as many
        times as the budget needs, results concatenated in order."""
        parts, sizes, limited, start = [], [], False, 0
        while start < len(frame) or not parts:
            if self.bytes_per_row is None and not self._plenty():
                release_free_memory()  # else the probe reuses freed memory and seems cheap
            size, smaller = self._size(len(frame) - start)
            limited |= smaller
            sampler = PeakSampler(_SAMPLE_INTERVAL_S, read=anonymous_rss)
            before = sampler.open("call")
            sampler.start()
            try:
                parts.append(process(frame.iloc[start : start + size], start))
            finally:
                sampler.stop()
            self._learn(size, max(sampler.close("call") - before, 0))
            sizes.append(size)
            start += size
        if limited:
            self._record(chunk_id, sizes)
        return pd.concat(parts) if len(parts) > 1 else parts[0]

    def _plenty(self) -> bool:
        """Whether the process holds so little of its budget that a first call needs no probe."""
        return anonymous_rss() * _PLENTY_FACTOR <= self.budget.mb * MB

    def _learn(self, rows: int, rise: int) -> None:
        """Take the rise of processing ``rows``: a larger call than any before replaces the
        estimate (fixed costs weigh less in it), one of similar size can only raise it."""
        if rows == 0:
            return
        if rows > self._measured_rows:
            self.bytes_per_row, self._measured_rows = rise / rows, rows
        elif 2 * rows >= self._measured_rows:
            self.bytes_per_row = max(self.bytes_per_row or 0.0, rise / rows)

    def _record(self, chunk_id: str, sizes: list[int]) -> None:
        adaptation = {
            "chunk": chunk_id,
            "rows": sum(sizes),
            "sub_batches": len(sizes),
            "largest_sub_batch": max(sizes),
            "mb_per_1k_rows": round(1000 * (self.bytes_per_row or 0.0) / MB, 1),
            "budget_mb": round(self.budget.mb),
        }
        self.adaptations.append(adaptation)
        logger.warning(
            "memory: %s (%s %s) processed in %d sub-batches of up to %s to stay within the "
            "budget of %s (%.1f MB per 1,000 %s measured)", chunk_id, f"{sum(sizes):,}",
            self.rows, len(sizes), f"{max(sizes):,}", self.budget.describe(),
            adaptation["mb_per_1k_rows"], self.rows, extra={MEMORY_ADAPTATION: adaptation})
