"""One run at a time per data directory, proven with real ``kedro run`` processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import run_session

pytestmark = pytest.mark.slow

SAMPLE = {"sample_data": {"n_awards": 1000, "n_recipients": 10000, "seed": 3}}
LOCK = Path("data/.run.lock")
# Many small chunks (200), each saved as its own file: a run that lasts several seconds.
SLOW = "enrichment.chunk_size=5"


def _kedro(project: Path, params: str, **popen_args) -> subprocess.Popen:
    kedro = Path(sys.executable).with_name("kedro")
    return subprocess.Popen(
        [str(kedro), "run", "--pipelines", "enrichment", "--params", params], cwd=project,
        env={**os.environ, "KEDRO_DISABLE_TELEMETRY": "1", "COLUMNS": "300"},
        text=True, **popen_args)


def _holder(project: Path) -> dict:
    text = (project / LOCK).read_text() if (project / LOCK).exists() else ""
    return json.loads(text) if text else {}


def _wait_for_lock(project: Path, process: subprocess.Popen) -> dict:
    deadline = time.monotonic() + 120
    while _holder(project).get("pid") != process.pid:
        assert process.poll() is None, "the run ended before it took the lock"
        assert time.monotonic() < deadline, "the run never took the lock"
        time.sleep(0.05)
    return _holder(project)


@pytest.fixture
def project(project_copy: Path) -> Path:
    run_session(project_copy, ["sample_data"], params=SAMPLE)
    run_session(project_copy, ["ingestion"])
    return project_copy


def test_a_second_run_stops_at_once_naming_the_running_one(project: Path) -> None:
    first = _kedro(project, SLOW, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        holder = _wait_for_lock(project, first)
        assert holder["pipelines"] == ["enrichment"] and holder["run_id"]
        started = time.monotonic()
        second = _kedro(project, "enrichment.chunk_size=40", stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT)
        output, _ = second.communicate(timeout=120)
        assert second.returncode != 0
        assert first.poll() is None, "the second run must not outlast the first's check"
        text = " ".join(output.split())
        assert f"Another run is using {project / 'data'}: pid {first.pid}" in text
        assert holder["run_id"] in text and "kedro run --pipelines enrichment" in text
        assert time.monotonic() - started < 60
    finally:
        _, errors = first.communicate(timeout=600)
    assert first.returncode == 0, errors[-3000:]  # the first run was not disturbed
    assert _holder(project) == {}  # released


def test_the_lock_of_a_killed_run_is_taken_over(project: Path) -> None:
    killed = _kedro(project, SLOW, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_lock(project, killed)
    finally:
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=60)
    assert _holder(project)["pid"] == killed.pid  # left behind
    rerun = _kedro(project, "enrichment.chunk_size=25", stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT)
    output, _ = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, output[-3000:]
    assert f"Took over the run lock of {project / 'data'} from pid {killed.pid}" in \
        " ".join(output.split())
