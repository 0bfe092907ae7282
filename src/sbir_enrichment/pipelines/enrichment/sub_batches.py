"""Link a chunk in sub-batches when linking it whole would cross the memory budget.

Each link is watched: the rise of anonymous resident memory (mapped index pages left out: the
kernel can drop those) per award, measured on the largest links so far, predicts what the next
awards need.
When the memory in use plus that prediction would cross the budget, the chunk is linked in
sub-batches that fit and their results concatenated. Linking an award does not depend on the
others linked with it, so the partition written, and its fingerprint, are the same. Nothing is
known before the first link, so the first chunk starts with a small probe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pandas as pd

from sbir_enrichment.memory import MB, PeakSampler, anonymous_rss, release_free_memory
from sbir_enrichment.memory_budget import MEMORY_ADAPTATION, MemoryBudget

logger = logging.getLogger(__name__)

# The first link of a run: small enough to be harmless, large enough to measure.
_PROBE_AWARDS = 1_000
# A sub-batch is never smaller (below it, fixed costs per link dominate and memory barely falls).
_MIN_AWARDS = 250
_SAMPLE_INTERVAL_S = 0.01


class SubBatches:
    """Sub-batch sizes learnt from the links done so far, within one memory budget."""

    def __init__(self, budget: MemoryBudget) -> None:
        """Plan within ``budget``."""
        self.budget = budget
        self.bytes_per_award: float | None = None
        self._measured_awards = 0
        self.adaptations: list[dict[str, object]] = []

    def _size(self, remaining: int) -> tuple[int, bool]:
        """The next sub-batch's size, and whether the budget made it smaller."""
        if self.bytes_per_award is None:
            return min(remaining, _PROBE_AWARDS), False
        room = self.budget.mb * MB - anonymous_rss()
        fits = int(room // self.bytes_per_award) if self.bytes_per_award > 0 else remaining
        size = max(min(remaining, fits), min(remaining, _MIN_AWARDS))
        return size, size < remaining

    def link(self, awards: pd.DataFrame, link: Callable[[pd.DataFrame], pd.DataFrame],
             chunk_id: str) -> pd.DataFrame:
        """``link(awards)``, done in as many sub-batches as the budget needs."""
        parts, sizes, limited, start = [], [], False, 0
        while start < len(awards) or not parts:
            if self.bytes_per_award is None:
                release_free_memory()  # else the probe reuses freed memory and seems cheap
            size, smaller = self._size(len(awards) - start)
            limited |= smaller
            sampler = PeakSampler(_SAMPLE_INTERVAL_S, read=anonymous_rss)
            before = sampler.open("link")
            sampler.start()
            try:
                parts.append(link(awards.iloc[start : start + size]))
            finally:
                sampler.stop()
            self._learn(size, max(sampler.close("link") - before, 0))
            sizes.append(size)
            start += size
        if limited:
            self._record(chunk_id, sizes)
        return pd.concat(parts) if len(parts) > 1 else parts[0]

    def _learn(self, awards: int, rise: int) -> None:
        """Take the rise of linking ``awards``: a larger link than any before replaces the
        estimate (fixed costs weigh less in it), one of similar size can only raise it."""
        if awards == 0:
            return
        if awards > self._measured_awards:
            self.bytes_per_award, self._measured_awards = rise / awards, awards
        elif 2 * awards >= self._measured_awards:
            self.bytes_per_award = max(self.bytes_per_award or 0.0, rise / awards)

    def _record(self, chunk_id: str, sizes: list[int]) -> None:
        adaptation = {
            "chunk": chunk_id,
            "awards": sum(sizes),
            "sub_batches": len(sizes),
            "largest_sub_batch": max(sizes),
            "mb_per_1k_awards": round(1000 * (self.bytes_per_award or 0.0) / MB, 1),
            "budget_mb": round(self.budget.mb),
        }
        self.adaptations.append(adaptation)
        logger.warning(
            "memory: %s linked in %d sub-batches of up to %s awards to stay within the budget "
            "of %s (%.1f MB per 1,000 awards measured)", chunk_id, len(sizes),
            f"{max(sizes):,}", self.budget.describe(), adaptation["mb_per_1k_awards"],
            extra={MEMORY_ADAPTATION: adaptation})
