"""The ingestion's recipient staging on a Dask cluster (``--env dask``): on a LocalCluster, with
a memory budget the workers must keep, and with a worker killed mid-staging, the staged
partitions, the recipient index, the rejects and the counts are the sequential run's, byte for
byte.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from conftest import run_session
from dask_runs import RECIPIENT_CHUNK_ROWS, kedro_dask_run, kedro_env, wait_for_partitions

from sbir_enrichment.datasets.partitions import MANIFEST_NAME
from sbir_enrichment.reporting.run_report import REPORT_JSON, read_run_report

pytestmark = pytest.mark.slow

INTERMEDIATE = Path("data/02_intermediate")
PARTITIONED = ("recipients_normalised", "recipient_index")
FILES = (INTERMEDIATE / "recipients_rejected.parquet",
         Path("data/08_reporting/ingestion_summary.json"))
PARTITIONS = -(-6000 // RECIPIENT_CHUNK_ROWS)  # the reference's 6,000 recipients


@pytest.fixture
def project(sequential_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the reference project without its recipient outputs."""
    path = tmp_path / "project"
    shutil.copytree(sequential_project, path)
    for name in PARTITIONED:
        shutil.rmtree(path / INTERMEDIATE / name)
    for file in FILES:
        (path / file).unlink()
    monkeypatch.chdir(path)
    return path


def _kedro(*params: str) -> list[str]:
    return kedro_dask_run("ingestion", f"recipient_chunk_rows={RECIPIENT_CHUNK_ROWS}", *params)


def _outputs(project: Path) -> dict[str, object]:
    """The manifests of the partitioned outputs (every partition and its file's SHA-256), and
    the bytes of the other outputs."""
    outputs: dict[str, object] = {
        name: json.loads((project / INTERMEDIATE / name / MANIFEST_NAME).read_text())
        for name in PARTITIONED}
    return outputs | {str(file): (project / file).read_bytes() for file in FILES}


def _assert_same_output(project: Path, sequential: Path) -> None:
    outputs = _outputs(project)
    assert outputs == _outputs(sequential)
    assert len(outputs["recipient_index"]["partitions"]) == PARTITIONS


def test_a_local_cluster_stages_the_sequential_partitions(
        project: Path, sequential_project: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    run_session(project, ["ingestion"], env="dask",
                params={"recipient_chunk_rows": RECIPIENT_CHUNK_ROWS, "dask": {"n_workers": 2}})
    _assert_same_output(project, sequential_project)
    assert "recipients: chunks normalised on the Dask cluster" in caplog.text
    # The tasks wrote the partitions; the driver only moved them into place.
    assert f"recipients: {PARTITIONS} chunk(s) normalised and written as Dask tasks" in caplog.text
    report = read_run_report(project / "data" / "08_reporting" / "latest" / REPORT_JSON)
    assert {node.name: node.cluster_tasks for node in report.nodes if node.cluster_tasks} == {
        "stage_recipients_node": PARTITIONS}


def test_a_worker_stages_within_the_memory_budget(project: Path) -> None:
    rows = 3000  # two chunks, each larger than a sub-batch can be (250 rows at least)
    run_session(project, ["ingestion"], params={"recipient_chunk_rows": rows})
    sequential = _outputs(project)
    done = subprocess.run(kedro_dask_run("ingestion", f"recipient_chunk_rows={rows}",
                                         "dask.n_workers=1", "ingestion.memory_budget_mb=1"),
                          cwd=project, env=kedro_env(), capture_output=True, text=True,
                          timeout=300, check=False)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    # Logged by the worker: only it normalises the chunks.
    assert re.findall(r"memory: (part-\d{5}) \(3,000 recipients\) processed in \d+ sub-batches",
                      log) == ["part-00000", "part-00001"]
    assert _outputs(project) == sequential


def test_a_worker_killed_mid_staging_is_survived(project: Path, sequential_project: Path,
                                                 dask_cluster: tuple[str, list]) -> None:
    address, workers = dask_cluster
    run = subprocess.Popen(_kedro(f"dask.address={address}"), cwd=project, env=kedro_env(),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    folder = project / INTERMEDIATE / "recipients_normalised"
    try:
        wait_for_partitions(run, folder, 2)
        workers[0].kill()  # its running and waiting tasks go to the other worker
        staged_at_kill = len(list(folder.glob("*.parquet")))
        log, _ = run.communicate(timeout=300)
    finally:
        run.kill()
    assert workers[0].wait(timeout=30) == -signal.SIGKILL
    assert staged_at_kill < PARTITIONS
    assert run.returncode == 0, log[-3000:]
    _assert_same_output(project, sequential_project)
