"""Progress of the chunked enrichment: one display at a time.

On a terminal (stderr is a TTY) a tqdm bar shows chunks done, awards per second and the time
left, and the per-chunk lines go to debug logging; elsewhere (CI, a log file, a pipe) each
computed chunk is one INFO log line. The bar is drawn from the first computed chunk on, after
the lines logged while the recipient index is built, so log lines and the bar never overwrite
each other.

Chunks are saved in id order and finished ones are skipped without being computed, so when
chunk ``position`` is computed every chunk before it is done: kept from an earlier run or
computed in this one. The time left assumes the chunks still to come all need computing.
"""

from __future__ import annotations

import logging
import sys

from tqdm import tqdm

logger = logging.getLogger(__name__)


class ChunkProgress:
    """Counts computed chunks and reports rate and time remaining."""

    def __init__(self, total_chunks: int) -> None:
        """Track ``total_chunks`` chunks."""
        self.total_chunks = total_chunks
        self.computed_chunks = 0
        self.computed_awards = 0
        self.seconds = 0.0
        self._terminal = sys.stderr.isatty()
        self._bar: tqdm | None = None

    def chunk_done(self, position: int, chunk_id: str, awards: int, seconds: float) -> None:
        """Record that the chunk at ``position`` (0-based, in id order) was just computed."""
        self.computed_chunks += 1
        self.computed_awards += awards
        self.seconds += seconds
        done = position + 1
        kept = done - self.computed_chunks
        rate = self.computed_awards / self.seconds if self.seconds > 0 else float("inf")
        remaining = (self.total_chunks - done) * self.seconds / self.computed_chunks
        logger.log(
            logging.DEBUG if self._terminal else logging.INFO,
            "enriched %s: %d awards in %.2f s | %d/%d chunks done (%d kept from an earlier run)"
            " | %.0f awards/s | ETA %.0f s",
            chunk_id, awards, seconds, done, self.total_chunks, kept, rate, remaining,
        )
        if self._terminal:
            self._update_bar(done, kept, rate)

    def _update_bar(self, done: int, kept: int, rate: float) -> None:
        if self._bar is None:
            self._bar = tqdm(total=self.total_chunks, initial=done - 1, unit="chunk",
                             desc="enrichment", file=sys.stderr)
            if kept:
                self._bar.set_description(f"enrichment ({kept} kept)")
        self._bar.update(done - self._bar.n)
        self._bar.set_postfix(awards_per_s=f"{rate:,.0f}")
        if done == self.total_chunks:
            self._bar.close()
