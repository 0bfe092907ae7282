"""A real ``kedro run --pipelines enrichment`` killed mid-way, then resumed.

The resumed run must keep every chunk finished before the kill (same file: same inode and
mtime, never logged as computed again), compute only the others, and end with output identical
to an uninterrupted run on the same inputs. Chunks are small (``chunk_size`` 10) so the run has
many of them; nothing in the product code sleeps.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from chunk_files import finished_chunks
from conftest import run_session

from sbir_enrichment.datasets.partitions import MANIFEST_NAME

SAMPLE = {"sample_data": {"n_awards": 1000, "n_recipients": 10000, "seed": 3}}
CHUNK_SIZE = 10
# 100 chunks, each saved as its own file, so the kill after the third lands well before the end
# even on a fast machine.
CHUNK_PARAMS = f"enrichment.chunk_size={CHUNK_SIZE}"
COMPUTED = re.compile(r"enriched (chunk-\d{5}-[0-9a-f]{16}):")
KEPT = re.compile(r"kept (\d+) finished partition")


def _kedro(project: Path) -> list[str]:
    kedro = Path(sys.executable).with_name("kedro")
    return [str(kedro), "run", "--pipelines", "enrichment", "--params", CHUNK_PARAMS]


def _env() -> dict[str, str]:
    # Wide, unwrapped log lines; no telemetry prompt.
    return {**os.environ, "COLUMNS": "400", "KEDRO_DISABLE_TELEMETRY": "1"}



def _kill_after_chunks(project: Path, folder: Path, wanted: int) -> None:
    process = subprocess.Popen(_kedro(project), cwd=project, env=_env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    try:
        while len(finished_chunks(folder)) < wanted:
            assert process.poll() is None, "the run ended before it could be interrupted"
            assert time.monotonic() < deadline, "no chunk finished in time"
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)


@pytest.mark.slow
def test_killed_run_resumes_and_matches_an_uninterrupted_run(
        project_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_session(project_copy, ["sample_data"], params=SAMPLE)
    run_session(project_copy, ["ingestion"])
    reference = tmp_path / "reference"
    shutil.copytree(project_copy, reference)
    chunks = project_copy / "data" / "02_intermediate" / "enriched_chunks"

    _kill_after_chunks(project_copy, chunks, wanted=3)
    kept_before = finished_chunks(chunks)
    assert not (chunks / MANIFEST_NAME).exists()  # the interrupted save never completed

    resumed = subprocess.run(_kedro(project_copy), cwd=project_copy, env=_env(),
                             capture_output=True, text=True, timeout=600, check=False)
    log = resumed.stdout + resumed.stderr
    assert resumed.returncode == 0, log[-3000:]
    computed = set(COMPUTED.findall(log))
    final = finished_chunks(chunks)
    assert computed and computed.isdisjoint(kept_before)  # no finished chunk computed twice
    assert set(final) == computed | set(kept_before)
    assert {k: final[k] for k in kept_before} == kept_before  # kept files were not rewritten
    assert [int(n) for n in KEPT.findall(log)] == [len(kept_before)]

    monkeypatch.chdir(reference)
    run_session(reference, ["enrichment"], params={"enrichment": {"chunk_size": CHUNK_SIZE}})
    reference_chunks = reference / "data" / "02_intermediate" / "enriched_chunks"
    assert set(finished_chunks(reference_chunks)) == set(final)
    for name in ("enriched_sbir_awards", "match_review_candidates"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(project_copy / "data" / "03_primary" / f"{name}.parquet"),
            pd.read_parquet(reference / "data" / "03_primary" / f"{name}.parquet"))
