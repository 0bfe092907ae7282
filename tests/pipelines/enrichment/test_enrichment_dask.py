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
from pathlib import Path

import pandas as pd
import pytest
from browser_fixtures import console_errors, open_page
from chunk_files import finished_chunks
from conftest import run_session
from dask_runs import CHUNK_SIZE, kedro_dask_run, kedro_env, wait_for_partitions
from selenium.webdriver.common.by import By

from sbir_enrichment.datasets.partitions import MANIFEST_NAME
from sbir_enrichment.reporting.run_report import REPORT_JSON, read_run_report

pytestmark = pytest.mark.slow

CHUNKS = Path("data/02_intermediate/enriched_chunks")
LOOKUP = Path("data/02_intermediate/recipient_lookup")
OUTPUTS = ("enriched_sbir_awards", "match_review_candidates")
COMPUTED = re.compile(r"enriched (chunk-\d{5}-[0-9a-f]{16}):")
KEPT = re.compile(r"kept (\d+) finished partition")


@pytest.fixture
def project(sequential_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the reference project without its enriched chunks and outputs."""
    path = tmp_path / "project"
    shutil.copytree(sequential_project, path)
    shutil.rmtree(path / CHUNKS)
    for name in OUTPUTS:
        (path / "data" / "03_primary" / f"{name}.parquet").unlink()
    monkeypatch.chdir(path)
    return path


def _kedro(*params: str) -> list[str]:
    return kedro_dask_run("enrichment", f"enrichment.chunk_size={CHUNK_SIZE}", *params)


def _assert_same_output(project: Path, sequential: Path, *, partitioned: bool = False) -> None:
    chunks, reference = finished_chunks(project / CHUNKS), finished_chunks(sequential / CHUNKS)
    if partitioned:  # chunks linked in partitions are kept apart: none reused
        assert len(chunks) == len(reference)
        assert set(chunks).isdisjoint(reference)
    else:
        assert set(chunks) == set(reference)
    for name in OUTPUTS:
        pd.testing.assert_frame_equal(
            pd.read_parquet(project / "data" / "03_primary" / f"{name}.parquet"),
            pd.read_parquet(sequential / "data" / "03_primary" / f"{name}.parquet"))


def test_a_local_cluster_gives_the_sequential_output(
        project: Path, sequential_project: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    workers_own = ("MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS", "PYTHONHASHSEED")
    environ = {name: os.environ.get(name) for name in workers_own}
    run_session(project, ["enrichment"], env="dask",
                params={"enrichment": {"chunk_size": CHUNK_SIZE}, "dask": {"n_workers": 2}})
    # The workers' variables did not leak into the driver (and what it starts).
    assert {name: os.environ.get(name) for name in workers_own} == environ
    _assert_same_output(project, sequential_project)
    assert re.search(r"dask: 2 worker\(s\), 2 thread\(s\) on a LocalCluster at tcp://\S+; "
                     r"dashboard http://\S+", caplog.text)
    assert "on the Dask cluster (each worker maps the driver's recipient index)" in caplog.text
    assert (project / LOOKUP / "CURRENT").is_file()  # what the workers mapped


def test_workers_are_not_left_to_guess_where_the_recipient_index_is(
        project: Path) -> None:
    (project / "conf" / "dask" / "catalog.yml").unlink()  # recipient_lookup back in memory
    with pytest.raises(RuntimeError, match="`recipient_lookup` must be a MappedIndexDataset"):
        run_session(project, ["enrichment"], env="dask",
                    params={"enrichment": {"chunk_size": CHUNK_SIZE}, "dask": {"n_workers": 1}})
    assert not (project / CHUNKS).exists() or not finished_chunks(project / CHUNKS)


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


def test_a_run_without_the_dask_env_has_no_cluster_in_its_report(
        sequential_project: Path) -> None:
    latest = sequential_project / "data" / "08_reporting" / "latest"
    report = read_run_report(latest / REPORT_JSON)
    assert report.cluster is None
    assert all(node.cluster_tasks is None for node in report.nodes)
    assert "dask_performance_report" not in report.reports


@pytest.mark.parametrize("partitions", [2, 3])
def test_a_partitioned_index_gives_the_sequential_output(
        project: Path, sequential_project: Path, partitions: int,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    run_session(project, ["enrichment"], env="dask", params={
        "enrichment": {"chunk_size": CHUNK_SIZE, "cluster_mode": "partitioned",
                       "partitions": partitions},
        "dask": {"n_workers": 2}})
    _assert_same_output(project, sequential_project, partitioned=True)
    assert f"the recipient index in {partitions} partitions over 2 workers" in caplog.text


def test_a_running_cluster_by_address_gives_the_sequential_output(
        project: Path, sequential_project: Path, dask_cluster: tuple[str, list],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    address, _ = dask_cluster
    run_session(project, ["enrichment"], env="dask",
                params={"enrichment": {"chunk_size": CHUNK_SIZE}, "dask": {"address": address}})
    _assert_same_output(project, sequential_project)
    assert f"dask: 2 worker(s), 2 thread(s) on {address}" in caplog.text


@pytest.mark.parametrize("mode", ["broadcast", "partitioned"])
def test_a_worker_killed_mid_run_is_survived(project: Path, sequential_project: Path, mode: str,
                                             dask_cluster: tuple[str, list]) -> None:
    address, workers = dask_cluster
    run = subprocess.Popen(_kedro(f"dask.address={address}", f"enrichment.cluster_mode={mode}"),
                           cwd=project, env=kedro_env(),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_partitions(run, project / CHUNKS, 2)
        workers[0].kill()  # its running and waiting tasks go to the other worker
        log, _ = run.communicate(timeout=300)
    finally:
        run.kill()
    assert workers[0].wait(timeout=30) == -signal.SIGKILL
    assert run.returncode == 0, log[-3000:]
    _assert_same_output(project, sequential_project, partitioned=mode == "partitioned")


def test_a_killed_run_resumes_without_recomputing_finished_chunks(
        project: Path, sequential_project: Path) -> None:
    first = subprocess.Popen(_kedro("dask.n_workers=2"), cwd=project, env=kedro_env(),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        wait_for_partitions(first, project / CHUNKS, 3)
        os.killpg(first.pid, signal.SIGKILL)  # the driver and its local cluster
    finally:
        first.wait(timeout=60)
    kept_before = finished_chunks(project / CHUNKS)
    assert not (project / CHUNKS / MANIFEST_NAME).exists()

    resumed = subprocess.run(_kedro("dask.n_workers=2"), cwd=project, env=kedro_env(),
                             capture_output=True, text=True, timeout=300, check=False)
    log = resumed.stdout + resumed.stderr
    assert resumed.returncode == 0, log[-3000:]
    computed = set(COMPUTED.findall(log))
    final = finished_chunks(project / CHUNKS)
    assert computed and computed.isdisjoint(kept_before)
    assert set(final) == computed | set(kept_before)
    assert {k: final[k] for k in kept_before} == kept_before  # kept files were not rewritten
    assert [int(n) for n in KEPT.findall(log)] == [len(kept_before)]
    _assert_same_output(project, sequential_project)


def test_the_default_run_does_not_load_distributed(project: Path) -> None:
    # (pandera's schema typing imports dask.dataframe whenever dask is installed.)
    probe = ("import sys; from pathlib import Path; "
             "from kedro.framework.session import KedroSession; "
             "from kedro.framework.startup import bootstrap_project; "
             "bootstrap_project(Path.cwd()); "
             "s = KedroSession.create(project_path=Path.cwd()); "
             "s.run(pipeline_names=['ingestion', 'enrichment']); "
             "print('distributed' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], cwd=project, env=kedro_env(),
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "False"
