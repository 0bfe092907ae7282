"""A process's own peak RSS, against the ``ru_maxrss`` a spawned process inherits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sbir_enrichment.memory.usage import MB, peak_rss
from sbir_enrichment.reporting.run_report import read_run_report

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


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
def test_a_run_spawned_by_a_large_process_reports_its_own_peak(project_copy: Path) -> None:
    """The benchmark spawns its timed runs: their peak must not be the benchmark's."""
    held = bytearray(900 * MB)
    held[::4096] = b"\1" * len(held[::4096])
    subprocess.run([str(Path(sys.executable).parent / "kedro"), "run", "--pipelines",
                    "sample_data", "--params", "sample_data.n_awards=200"], cwd=project_copy,
                   check=True, capture_output=True, timeout=300,
                   env={**os.environ, "KEDRO_DISABLE_TELEMETRY": "1"})
    del held
    (report_path,) = (project_copy / "data/08_reporting/runs").glob("*/run_report.json")
    report = read_run_report(report_path)
    assert 50 < report.totals.process_maxrss_mb < 900
    assert all(node.process_maxrss_mb < 900 for node in report.nodes)
