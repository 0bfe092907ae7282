"""Shared fixtures: an isolated copy of the Kedro project for end-to-end runs, and the
reference project and Dask cluster of the runs on a cluster."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser_fixtures import chromium  # noqa: F401  (the headless Chromium fixture)
from dask_runs import BIN, CHUNK_SIZE, RECIPIENT_CHUNK_ROWS, SAMPLE
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from postgres import postgres_server, recipient_source  # noqa: F401  (real PostgreSQL fixtures)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_LAYERS = ("01_raw", "02_intermediate", "03_primary", "08_reporting")

os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "1")


def make_project_copy(target: Path) -> Path:
    """Copy ``pyproject.toml`` and ``conf/`` into ``target`` with empty data layers.

    The package itself is imported from the installed (editable) source, so a run in the copy
    exercises the real code while reading and writing only ``target/data``.
    """
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(PROJECT_ROOT / "pyproject.toml", target / "pyproject.toml")
    shutil.copytree(PROJECT_ROOT / "conf", target / "conf", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("credentials*"))
    (target / "conf" / "local").mkdir(exist_ok=True)
    for layer in DATA_LAYERS:
        (target / "data" / layer).mkdir(parents=True, exist_ok=True)
    # Kedro's bootstrap requires the source dir to exist; the package comes from the install.
    (target / "src").mkdir(exist_ok=True)
    return target


@pytest.fixture
def project_copy(tmp_path: Path) -> Iterator[Path]:
    """A throw-away copy of the project; the working directory is moved into it."""
    path = make_project_copy(tmp_path / "project")
    cwd = Path.cwd()
    os.chdir(path)
    try:
        yield path
    finally:
        os.chdir(cwd)


@contextmanager
def project_after_a_run(target: Path, sample: dict) -> Iterator[Path]:
    """A project copy at ``target`` after ``sample_data`` (with ``sample`` parameters) and a
    default ``kedro run``; the working directory is moved into it meanwhile."""
    path = make_project_copy(target)
    cwd = Path.cwd()
    os.chdir(path)
    try:
        run_session(path, ["sample_data"], params=sample)
        run_session(path)
        yield path
    finally:
        os.chdir(cwd)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_session(project_path: Path, pipeline_names: list[str] | None = None,
                params: dict | None = None, env: str | None = None, **run_kwargs):
    """Run pipelines through a real ``KedroSession`` in ``project_path``; returns run outputs."""
    bootstrap_project(project_path)
    with KedroSession.create(project_path=project_path, runtime_params=params or {},
                             env=env) as session:
        return session.run(pipeline_names=pipeline_names, **run_kwargs)


@pytest.fixture(scope="session")
def sequential_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project after sample_data, ingestion and enrichment run without Dask, at the sizes of
    ``dask_runs``: the reference of the runs on a cluster."""
    path = make_project_copy(tmp_path_factory.mktemp("dask") / "sequential")
    cwd = Path.cwd()
    os.chdir(path)
    try:
        run_session(path, ["sample_data"], params=SAMPLE)
        run_session(path, ["ingestion"], params={"recipient_chunk_rows": RECIPIENT_CHUNK_ROWS})
        run_session(path, ["enrichment"], params={"enrichment": {"chunk_size": CHUNK_SIZE}})
    finally:
        os.chdir(cwd)
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
