"""Progress of the chunked enrichment: log lines (and a tqdm bar on a terminal).

Chunks are saved in id order and finished ones are skipped without being computed, so when
chunk ``position`` is computed every chunk before it is done: kept from an earlier run or
computed in this one. Each computed chunk logs chunks done/total, awards per second and the
time remaining (assuming the chunks still to come all need computing).
"""

from __future__ import annotations

import logging
import sys

from tqdm import tqdm

logger = logging.getLogger(__name__)


class ChunkProgress:
    """Counts computed chunks and reports rate and time remaining."""

    def __init__(self, total_chunks: int) -> None:
        """Track ``total_chunks`` chunks (a tqdm bar is shown only when stderr is a terminal)."""
        self.total_chunks = total_chunks
        self.computed_chunks = 0
        self.computed_awards = 0
        self.seconds = 0.0
        self._bar = tqdm(total=total_chunks, unit="chunk", desc="enrichment") \
            if sys.stderr.isatty() else None

    def chunk_done(self, position: int, chunk_id: str, awards: int, seconds: float) -> None:
        """Record that the chunk at ``position`` (0-based, in id order) was just computed."""
        self.computed_chunks += 1
        self.computed_awards += awards
        self.seconds += seconds
        done = position + 1
        kept = done - self.computed_chunks
        rate = self.computed_awards / self.seconds if self.seconds > 0 else float("inf")
        per_chunk = self.seconds / self.computed_chunks
        remaining = (self.total_chunks - done) * per_chunk
        logger.info(
            "enriched %s: %d awards in %.2f s | %d/%d chunks done (%d kept from an earlier run)"
            " | %.0f awards/s | ETA %.0f s",
            chunk_id, awards, seconds, done, self.total_chunks, kept, rate, remaining,
        )
        if self._bar is not None:
            self._bar.update(done - self._bar.n)
            self._bar.set_postfix(awards_per_s=f"{rate:.0f}")
            if done == self.total_chunks:
                self._bar.close()
