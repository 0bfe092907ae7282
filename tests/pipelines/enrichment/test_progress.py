"""Progress: log lines off a terminal, a tqdm bar (and no INFO lines) on one."""

from __future__ import annotations

import fcntl
import io
import logging
import os
import pty
import select
import struct
import subprocess
import sys
import termios

import pytest

from sbir_enrichment.pipelines.enrichment.progress import ChunkProgress

LOGGER = "sbir_enrichment.pipelines.enrichment.progress"


def test_progress_counts_kept_chunks_rate_and_time_remaining(
        caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a terminal: log lines
    progress = ChunkProgress(total_chunks=5)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        # Chunks 0 and 1 were finished by an earlier run: the first call is for position 2.
        progress.chunk_done(2, "chunk-00002-a", awards=100, seconds=0.5)
        progress.chunk_done(3, "chunk-00003-b", awards=300, seconds=1.5)
    first, second = (record.getMessage() for record in caplog.records)
    assert "chunk-00002-a: 100 awards in 0.50 s | 3/5 chunks done (2 kept" in first
    assert "| 200 awards/s | ETA 1 s" in first
    assert "4/5 chunks done (2 kept" in second
    assert "| 200 awards/s | ETA 1 s" in second  # (5 - 4) chunks x 1.0 s mean
    assert sys.stderr.getvalue() == ""  # no bar


_THREE_CHUNKS = """
import logging, sys
logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(levelname)s %(message)s")
from sbir_enrichment.pipelines.enrichment.progress import ChunkProgress
progress = ChunkProgress(total_chunks=3)
for position in range(3):
    progress.chunk_done(position, f"chunk-0000{position}-x", awards=50, seconds=0.1)
"""


def _read_all(fd: int) -> str:
    chunks = []
    while select.select([fd], [], [], 0.5)[0]:
        try:
            chunks.append(os.read(fd, 65536))
        except OSError:  # the other end closed
            break
    return b"".join(chunks).decode()


def test_on_a_terminal_only_the_bar_shows() -> None:
    leader, follower = pty.openpty()  # a real terminal for the process's stderr ...
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))  # 120 wide
    try:
        result = subprocess.run([sys.executable, "-c", _THREE_CHUNKS], stderr=follower,
                                stdout=subprocess.PIPE, text=True, timeout=60, check=True)
        drawn = _read_all(leader)
    finally:
        os.close(follower)
        os.close(leader)
    assert result.stdout == ""  # the per-chunk lines went to debug logging
    assert "enrichment: 100%" in drawn and "3/3" in drawn and "awards_per_s=500" in drawn
