"""The benchmark end to end: measure, store a baseline, then an injected slowdown fails the run.

The slowdown is real work: ``enrichment.slowdown`` (the enrichment's test knob) links every
chunk N times. The failing run is a real ``kedro run`` process, so its exit code is checked.
Both benchmarks keep their generated inputs (``keep_data``), so the second reuses them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

SIZE = 300
SLOWDOWN = 32  # links every chunk 32 times: well past the 25% CPU limit even at 300 awards
SMALL = {"sizes": [SIZE], "repeats": 1, "keep_data": True, "reference": {"passes": 1}}
BENCHMARKS = Path("data/08_reporting/benchmarks")


def _session_run(project: Path, names: list[str], params: dict) -> None:
    bootstrap_project(project)
    with KedroSession.create(project_path=project, runtime_params=params) as session:
        session.run(pipeline_names=names)


def _newest(project: Path, name: str) -> Path:
    """The newest saved version of a versioned dataset file under the benchmarks folder."""
    versions = sorted((project / BENCHMARKS / name).iterdir())
    return versions[-1] / name


@pytest.mark.slow
def test_injected_slowdown_fails_the_benchmark_against_the_stored_baseline(
        project_copy: Path) -> None:
    _session_run(project_copy, ["benchmark"], {"benchmark": SMALL})
    first = json.loads(_newest(project_copy, "benchmark_results.json").read_text())
    assert first["regression"]["status"] == "NO_BASELINE"
    (size,) = first["sizes"]
    assert size["size"] == SIZE and size["repeats"] == 1
    assert size["wall_s"] > 0 and size["normalised_time"] > 0 and size["peak_rss_mb"] > 0
    assert 0 < size["match_rate"] <= 1 and size["precision"] is not None
    assert size["bottlenecks"]["time"][0]["share"] > 0
    assert first["git"]["commit"] and len(first["parameters_fingerprint"]) == 16
    assert _newest(project_copy, "benchmark_summary.md").read_text().startswith(
        "### Benchmark NO_BASELINE")
    assert "plotly" in _newest(project_copy, "benchmark_report.html").read_text()

    _session_run(project_copy, ["benchmark_baseline"], {})

    params = (f"benchmark.sizes=[{SIZE}],benchmark.repeats=1,benchmark.keep_data=true,"
              f"benchmark.reference.passes=1,benchmark.run_params.enrichment.slowdown={SLOWDOWN}")
    result = subprocess.run(
        [sys.executable, "-m", "kedro", "run", "--pipelines", "benchmark", "--params", params],
        cwd=project_copy, env={**os.environ, "KEDRO_DISABLE_TELEMETRY": "1"},
        capture_output=True, text=True, timeout=600, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "BenchmarkRegressionError" in output
    assert "generating" not in output  # the first benchmark's inputs were reused

    slowed = json.loads(_newest(project_copy, "benchmark_results.json").read_text())
    assert slowed["benchmark_id"] != first["benchmark_id"]
    checks = {c["metric"]: c for c in slowed["regression"]["sizes"][0]["checks"]}
    assert slowed["regression"]["status"] == "FAILURE"
    assert checks["normalised_cpu"]["status"] == "FAILURE"
    assert checks["normalised_cpu"]["change_pct"] >= 25
    assert checks["normalised_time"]["status"] in ("OK", "WARNING")  # wall only warns
    assert checks["match_rate"]["status"] == "OK"  # same output, only slower
    # The report was written before the gate failed the run.
    assert _newest(project_copy, "benchmark_summary.md").read_text().startswith(
        "### Benchmark FAILURE")
