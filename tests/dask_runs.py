"""Runs on a Dask cluster in tests: the reference project's sizes, and kedro in a subprocess.

The fixtures ``sequential_project`` (the reference, run without Dask) and ``dask_cluster`` (a
``dask scheduler`` with two ``dask worker`` processes) are in tests/conftest.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from chunk_files import finished_chunks

SAMPLE = {"sample_data": {"n_awards": 600, "n_recipients": 6000, "seed": 7}}
RECIPIENT_CHUNK_ROWS = 100  # 60 recipient partitions: a kill after a few lands before the end
CHUNK_SIZE = 20  # 30 award chunks
BIN = Path(sys.executable).parent


def kedro_dask_run(pipeline: str, *params: str) -> list[str]:
    """The command of ``kedro run --env dask`` for one pipeline, with ``params``."""
    return [str(BIN / "kedro"), "run", "--pipelines", pipeline, "--env", "dask",
            "--params", ",".join(params)]


def kedro_env() -> dict[str, str]:
    """The environment of a kedro subprocess: wide log lines, no telemetry."""
    return {**os.environ, "COLUMNS": "400", "KEDRO_DISABLE_TELEMETRY": "1"}


def wait_for_partitions(process: subprocess.Popen, folder: Path, wanted: int) -> None:
    """Wait until ``wanted`` partitions of ``folder`` are in place, while ``process`` runs."""
    deadline = time.monotonic() + 120
    while len(finished_chunks(folder)) < wanted:
        assert process.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline, "no partition finished in time"
        time.sleep(0.01)
