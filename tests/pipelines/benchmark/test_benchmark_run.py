"""The benchmark end to end: measure, store a baseline, then a regression fails the run.

The regression is injected by the test, not by the product: the stored baseline is doctored
to say that the same runs took half the CPU time (as if the code had since become twice as
slow). The failing run is a real ``kedro run`` process, so its exit code and what it prints
are checked. Both benchmarks keep their generated inputs (``keep_data``), so the second reuses
them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_project_copy
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from sbir_enrichment.pipelines.benchmark.memory_limit import limits_available
from sbir_enrichment.pipelines.benchmark.scratch_project import ScratchProject

SIZE = 300
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


def _doctor_baseline(project: Path, cpu_factor: float) -> None:
    """Make the stored baseline claim ``cpu_factor`` times the normalised CPU time it had."""
    path = _newest(project, "baseline.json")
    baseline = json.loads(path.read_text())
    for size in baseline["sizes"]:
        size["normalised_cpu"] *= cpu_factor
    path.write_text(json.dumps(baseline))


@pytest.mark.slow
def test_a_regression_against_the_stored_baseline_fails_the_benchmark_shortly(
        project_copy: Path) -> None:
    _session_run(project_copy, ["benchmark"], {"benchmark": SMALL})
    first = json.loads(_newest(project_copy, "benchmark_results.json").read_text())
    assert first["regression"]["status"] == "NO_BASELINE"
    (size,) = first["sizes"]
    assert size["size"] == SIZE and size["repeats"] == 1
    assert size["wall_s"] > 0 and size["normalised_time"] > 0 and size["peak_rss_mb"] > 0
    assert 0 < size["match_rate"] <= 1 and size["precision"] is not None
    assert size["accepted_awards"] > 0.9 * SIZE
    assert size["bottlenecks"]["time"][0]["share"] > 0
    assert first["git"]["commit"] and len(first["parameters_fingerprint"]) == 16
    assert _newest(project_copy, "benchmark_summary.md").read_text().startswith(
        "### Benchmark NO_BASELINE")
    assert "plotly" in _newest(project_copy, "benchmark_report.html").read_text()
    # Without dask_workers nothing runs on a cluster, and the reports show no Dask rows.
    assert size["dask"] == [] and first["regression"]["dask"] == []
    assert "Dask" not in _newest(project_copy, "benchmark_summary.md").read_text()

    _session_run(project_copy, ["benchmark_baseline"], {})
    _doctor_baseline(project_copy, 0.5)

    params = (f"benchmark.sizes=[{SIZE}],benchmark.repeats=1,benchmark.keep_data=true,"
              "benchmark.reference.passes=1")
    result = subprocess.run(
        [sys.executable, "-m", "kedro", "run", "--pipelines", "benchmark", "--params", params],
        cwd=project_copy, env={**os.environ, "KEDRO_DISABLE_TELEMETRY": "1"},
        capture_output=True, text=True, timeout=600, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "generating" not in output  # the first benchmark's inputs were reused
    # Short: the failed checks and what to do; no traceback, no Kedro resume hint, no
    # Markdown table in the log.
    assert re.search(r"^ +300 normalised_cpu +\d+\.\d\d +\d+\.\d\d +\+\d+\.\d% +FAILURE$",
                     result.stderr, re.M), result.stderr
    assert "What to do: " in result.stderr
    assert "Traceback" not in output and "--from-nodes" not in output
    assert "|---:|" not in output
    # The summary names the benchmark's reports at their stable paths.
    summary = result.stdout[result.stdout.index("── Run "):]
    assert "benchmark        FAILURE" in summary
    for path in ("data/08_reporting/latest/benchmark_report.html",
                 "data/08_reporting/latest/benchmark_summary.md"):
        assert path in summary and (project_copy / path).is_file()

    slowed = json.loads(_newest(project_copy, "benchmark_results.json").read_text())
    assert slowed["benchmark_id"] != first["benchmark_id"]
    checks = {c["metric"]: c for c in slowed["regression"]["sizes"][0]["checks"]}
    assert slowed["regression"]["status"] == "FAILURE"
    assert checks["normalised_cpu"]["status"] == "FAILURE"
    assert checks["normalised_cpu"]["change_pct"] >= 25
    assert checks["match_rate"]["status"] == "OK"  # same runs, same output
    # The report was written before the gate failed the run.
    assert _newest(project_copy, "benchmark_summary.md").read_text().startswith(
        "### Benchmark FAILURE")


@pytest.mark.skipif(not limits_available(),
                    reason="needs root and the cgroup v1 memory controller")
def test_a_timed_run_inside_a_memory_limit_fails_saying_the_limit_killed_it(
        tmp_path: Path) -> None:
    project = ScratchProject(make_project_copy(tmp_path / "scratch"))
    small = {"sample_data.n_awards": 50, "sample_data.n_recipients": 500}
    assert project.kedro_run(["sample_data"], small, memray=False, timeout_s=600,
                             memory_limit_mb=2000) > 0
    with pytest.raises(RuntimeError, match="killed by its memory limit of 60 MB"):
        project.kedro_run(["sample_data"], small, memray=False, timeout_s=600,
                          memory_limit_mb=60)


def _dask_runs(benchmark: dict) -> dict[int, dict]:
    (size,) = benchmark["sizes"]
    return {entry["workers"]: entry for entry in size["dask"]}


@pytest.mark.slow
def test_the_dask_env_is_timed_beside_the_sequential_run_and_compared_like_for_like(
        project_copy: Path) -> None:
    chunked = {"recipient_source": "parquet", "enrichment": {"chunk_size": 100}}
    _session_run(project_copy, ["benchmark"],
                 {"benchmark": {**SMALL, "dask_workers": [1, 2], "run_params": chunked}})
    first = json.loads(_newest(project_copy, "benchmark_results.json").read_text())
    (size,) = first["sizes"]
    runs = _dask_runs(first)
    assert sorted(runs) == [1, 2]
    for workers, entry in runs.items():
        (run,) = entry["runs"]
        report = json.loads(Path(run["report"]).read_text())
        assert report["env"] == "dask"
        assert report["runtime_params"]["dask"]["n_workers"] == workers
        assert run["match_rate"] == size["runs"][0]["match_rate"]  # the same linkage
        # Each worker's own peak: one per worker, a whole Python process with the index, yet
        # not the driver's high-water mark that a spawned process's ru_maxrss inherits.
        assert len(entry["worker_peak_rss_mb"]) == workers
        assert sorted((w["peak_rss_mb"] for w in report["cluster"]["workers"]),
                      reverse=True) == run["worker_peak_rss_mb"]
        assert all(80 < peak < size["peak_rss_mb"] for peak in entry["worker_peak_rss_mb"])
        assert entry["worker_peak_rss_mb_max"] == max(entry["worker_peak_rss_mb"])
        assert entry["speed_up"]["run"] == pytest.approx(size["wall_s"] / entry["wall_s"],
                                                         abs=1e-3)
        enrich = {node["name"]: node["wall_s"] for node in entry["nodes"]}["enrich_chunks_node"]
        sequential = {node["name"]: node["wall_s"] for node in size["nodes"]}
        assert entry["speed_up"]["nodes"]["enrich_chunks_node"] == pytest.approx(
            sequential["enrich_chunks_node"] / enrich, abs=1e-3)
    assert runs[1]["speed_up_vs_one_worker"]["run"] == 1.0
    assert runs[2]["speed_up_vs_one_worker"]["run"] == pytest.approx(
        runs[1]["wall_s"] / runs[2]["wall_s"], abs=1e-3)
    # The sequential figures and the fingerprint are those of the sequential runs alone.
    assert first["parameters_fingerprint"] == "+".join(size["parameters_fingerprints"])
    assert first["parameters_fingerprint"] not in runs[2]["parameters_fingerprints"]
    assert {entry["status"] for entry in first["regression"]["dask"]} == {"NO_BASELINE"}
    summary = _newest(project_copy, "benchmark_summary.md").read_text()
    assert re.search(r"^\| 300 \| 2 Dask workers \| [\d.]+ \| [\d.]+× \| [\d.]+× \|", summary,
                     re.M), summary
    assert '<section id="dask">' in _newest(project_copy, "benchmark_report.html").read_text()
    # The nodes that ran tasks on the cluster are compared whatever their share of the run.
    tasks = {node["name"]: node["cluster_tasks"] for node in runs[2]["nodes"]
             if node["cluster_tasks"]}
    assert set(tasks) == {"stage_recipients_node", "enrich_chunks_node"}
    for name in tasks:
        assert re.search(rf"^\| 300 \| `{name}` \| 2 Dask workers \| [\d.]+ \|", summary, re.M)

    # Against a baseline with both worker counts, a benchmark of two workers is compared with
    # the baseline's two-worker runs only (and its sequential runs with the sequential ones).
    _session_run(project_copy, ["benchmark_baseline"], {})
    # (What is compared is the point here, not whether one 300-award run is within 25% of
    # another: the time and memory gates are widened so the machine's noise cannot fail it.)
    wide = {"time_failure_pct": 10_000, "memory_failure_pct": 10_000}
    _session_run(project_copy, ["benchmark"],
                 {"benchmark": {**SMALL, "dask_workers": [2], "run_params": chunked,
                                "regression": wide}})
    second = json.loads(_newest(project_copy, "benchmark_results.json").read_text())
    (compared,) = second["regression"]["dask"]
    assert compared["workers"] == 2
    checks = {check["metric"]: check for check in compared["checks"]}
    assert checks["worker_peak_rss_mb_max"]["baseline"] == runs[2]["worker_peak_rss_mb_max"]
    assert checks["normalised_time"]["baseline"] == runs[2]["normalised_time"]
    assert checks["match_rate"]["status"] == "OK"
    assert second["regression"]["sizes"][0]["checks"][0]["baseline"] == size["normalised_cpu"]
