"""The enrichment on a Dask cluster (``--env dask``): a LocalCluster, and a separately started
``dask scheduler`` with two ``dask worker`` processes. Each gives output identical to the
sequential run; a worker killed mid-run and a whole run killed mid-way are both survived.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from browser_fixtures import console_errors, open_page
from chunk_files import finished_chunks
from conftest import free_port, make_project_copy, run_session
from selenium.webdriver.common.by import By

from sbir_enrichment.datasets.partitions import MANIFEST_NAME
from sbir_enrichment.reporting.run_report import REPORT_JSON, read_run_report

pytestmark = pytest.mark.slow

SAMPLE = {"sample_data": {"n_awards": 600, "n_recipients": 6000, "seed": 7}}
CHUNK_SIZE = 20  # 30 chunks: a kill after a few lands well before the end
CHUNKS = Path("data/02_intermediate/enriched_chunks")
OUTPUTS = ("enriched_sbir_awards", "match_review_candidates")
COMPUTED = re.compile(r"enriched (chunk-\d{5}-[0-9a-f]{16}):")
KEPT = re.compile(r"kept (\d+) finished partition")
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def sequential(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project after sample_data, ingestion and a sequential enrichment (the reference)."""
    path = make_project_copy(tmp_path_factory.mktemp("dask") / "sequential")
    cwd = Path.cwd()
    os.chdir(path)
    try:
        run_session(path, ["sample_data"], params=SAMPLE)
        run_session(path, ["ingestion"])
        run_session(path, ["enrichment"], params={"enrichment": {"chunk_size": CHUNK_SIZE}})
    finally:
        os.chdir(cwd)
    return path


@pytest.fixture
def project(sequential: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the reference project without its enriched chunks and outputs."""
    path = tmp_path / "project"
    shutil.copytree(sequential, path)
    shutil.rmtree(path / CHUNKS)
    for name in OUTPUTS:
        (path / "data" / "03_primary" / f"{name}.parquet").unlink()
    monkeypatch.chdir(path)
    return path


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    """A ``dask scheduler`` and two one-thread ``dask worker`` processes on localhost."""
    address = f"tcp://127.0.0.1:{free_port()}"
    started = [subprocess.Popen(
        [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port",
         address.rsplit(":", 1)[1], "--dashboard-address", "127.0.0.1:0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    workers = [subprocess.Popen(
        [str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-nanny",
         "--no-dashboard", "--memory-limit", "1GiB", "--local-directory", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    started += workers
    try:
        from distributed import Client  # noqa: PLC0415 - only these tests load it here

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield address, workers
    finally:
        for process in started:
            process.kill()  # (a terminated worker can take long to close: nothing to keep)
            process.wait(timeout=30)


def _kedro(*params: str) -> list[str]:
    return [str(BIN / "kedro"), "run", "--pipelines", "enrichment", "--env", "dask",
            "--params", ",".join((f"enrichment.chunk_size={CHUNK_SIZE}", *params))]


def _env() -> dict[str, str]:
    return {**os.environ, "COLUMNS": "400", "KEDRO_DISABLE_TELEMETRY": "1"}



def _wait_for_chunks(process: subprocess.Popen, folder: Path, wanted: int) -> None:
    deadline = time.monotonic() + 120
    while len(finished_chunks(folder)) < wanted:
        assert process.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline, "no chunk finished in time"
        time.sleep(0.01)


def _assert_same_output(project: Path, sequential: Path) -> None:
    assert set(finished_chunks(project / CHUNKS)) == set(finished_chunks(sequential / CHUNKS))
    for name in OUTPUTS:
        pd.testing.assert_frame_equal(
            pd.read_parquet(project / "data" / "03_primary" / f"{name}.parquet"),
            pd.read_parquet(sequential / "data" / "03_primary" / f"{name}.parquet"))


def test_a_local_cluster_gives_the_sequential_output(
        project: Path, sequential: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    workers_own = ("MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS", "PYTHONHASHSEED")
    environ = {name: os.environ.get(name) for name in workers_own}
    run_session(project, ["enrichment"], env="dask",
                params={"enrichment": {"chunk_size": CHUNK_SIZE}, "dask": {"n_workers": 2}})
    # The workers' variables did not leak into the driver (and what it starts).
    assert {name: os.environ.get(name) for name in workers_own} == environ
    _assert_same_output(project, sequential)
    assert re.search(r"dask: 2 worker\(s\), 2 thread\(s\) on a LocalCluster at tcp://\S+; "
                     r"dashboard http://\S+", caplog.text)
    assert "on the Dask cluster" in caplog.text


@pytest.mark.browser
def test_the_run_report_records_the_cluster_and_its_performance_report(
        project: Path, chromium) -> None:
    run_session(project, ["enrichment"], env="dask",
                params={"enrichment": {"chunk_size": CHUNK_SIZE}, "dask": {"n_workers": 2}})
    report = read_run_report(project / "data" / "08_reporting" / "latest" / REPORT_JSON)
    cluster = report.cluster
    assert cluster is not None and cluster.scheduler.startswith("tcp://")
    assert len(cluster.workers) == 2 and cluster.threads == 2
    for worker in cluster.workers:  # a worker that built an index held more than Python alone
        assert worker.threads == 1 and worker.memory_limit_mb > 0 and worker.peak_rss_mb > 100
    on_cluster = {node.name: node.cluster_tasks for node in report.nodes if node.cluster_tasks}
    assert on_cluster == {"enrich_chunks_node": len(finished_chunks(project / CHUNKS))}
    markdown = (project / "data" / "08_reporting" / "latest" / "run_report.md").read_text()
    assert f"enrich_chunks_node ran {on_cluster['enrich_chunks_node']} task(s) on the workers" \
        in markdown
    html = project / report.reports["dask_performance_report"]
    open_page(chromium, html.as_uri())  # the browser resolves no host: Bokeh must be inline
    # (Dask's template links its favicon on docs.dask.org: the one request allowed to fail.)
    assert [e for e in console_errors(chromium) if "favicon" not in e["message"]] == []
    text = chromium.find_element(By.TAG_NAME, "body").text
    assert "Dask Performance Report" in text and "kedro run --pipelines enrichment" in text
    assert "number of tasks: " in text


def test_a_run_without_the_dask_env_has_no_cluster_in_its_report(sequential: Path) -> None:
    report = read_run_report(sequential / "data" / "08_reporting" / "latest" / REPORT_JSON)
    assert report.cluster is None
    assert all(node.cluster_tasks is None for node in report.nodes)
    assert "dask_performance_report" not in report.reports


def test_a_running_cluster_by_address_gives_the_sequential_output(
        project: Path, sequential: Path, dask_cluster: tuple[str, list],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    address, _ = dask_cluster
    run_session(project, ["enrichment"], env="dask",
                params={"enrichment": {"chunk_size": CHUNK_SIZE}, "dask": {"address": address}})
    _assert_same_output(project, sequential)
    assert f"dask: 2 worker(s), 2 thread(s) on {address}" in caplog.text


def test_a_worker_killed_mid_run_is_survived(project: Path, sequential: Path,
                                             dask_cluster: tuple[str, list]) -> None:
    address, workers = dask_cluster
    run = subprocess.Popen(_kedro(f"dask.address={address}"), cwd=project, env=_env(),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_for_chunks(run, project / CHUNKS, 2)
        workers[0].kill()  # its running and waiting tasks go to the other worker
        log, _ = run.communicate(timeout=300)
    finally:
        run.kill()
    assert workers[0].wait(timeout=30) == -signal.SIGKILL
    assert run.returncode == 0, log[-3000:]
    _assert_same_output(project, sequential)


def test_a_killed_run_resumes_without_recomputing_finished_chunks(
        project: Path, sequential: Path) -> None:
    first = subprocess.Popen(_kedro("dask.n_workers=2"), cwd=project, env=_env(),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        _wait_for_chunks(first, project / CHUNKS, 3)
        os.killpg(first.pid, signal.SIGKILL)  # the driver and its local cluster
    finally:
        first.wait(timeout=60)
    kept_before = finished_chunks(project / CHUNKS)
    assert not (project / CHUNKS / MANIFEST_NAME).exists()

    resumed = subprocess.run(_kedro("dask.n_workers=2"), cwd=project, env=_env(),
                             capture_output=True, text=True, timeout=300, check=False)
    log = resumed.stdout + resumed.stderr
    assert resumed.returncode == 0, log[-3000:]
    computed = set(COMPUTED.findall(log))
    final = finished_chunks(project / CHUNKS)
    assert computed and computed.isdisjoint(kept_before)
    assert set(final) == computed | set(kept_before)
    assert {k: final[k] for k in kept_before} == kept_before  # kept files were not rewritten
    assert [int(n) for n in KEPT.findall(log)] == [len(kept_before)]
    _assert_same_output(project, sequential)


def test_the_default_run_does_not_load_distributed(sequential: Path) -> None:
    # (pandera's schema typing imports dask.dataframe whenever dask is installed.)
    probe = ("import sys; from pathlib import Path; "
             "from kedro.framework.session import KedroSession; "
             "from kedro.framework.startup import bootstrap_project; "
             "bootstrap_project(Path.cwd()); "
             "s = KedroSession.create(project_path=Path.cwd()); "
             "s.run(pipeline_names=['enrichment']); "
             "print('distributed' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], cwd=sequential, env=_env(),
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "False"
