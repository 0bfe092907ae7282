"""A process's own peak RSS, against the ``ru_maxrss`` a spawned process inherits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sbir_enrichment.memory.usage import MB, peak_rss

CHILD = ("from sbir_enrichment.memory.usage import MB, peak_rss, process_maxrss; "
         "print(peak_rss() // MB, process_maxrss() // MB)")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
def test_a_spawned_process_reads_its_own_peak_not_its_parents() -> None:
    held = bytearray(600 * MB)
    held[::4096] = b"\1" * len(held[::4096])  # resident, not just reserved
    assert peak_rss() >= 600 * MB
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                          check=True, timeout=120)
    own, inherited = map(int, done.stdout.split())
    assert inherited >= 600  # Linux carries the parent's high-water mark across exec
    assert 5 < own < 300  # a Python interpreter with numpy-free imports: its own pages only
    del held
