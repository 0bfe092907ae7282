"""Shared fixtures: an isolated copy of the Kedro project for end-to-end runs."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser_fixtures import chromium  # noqa: F401  (the headless Chromium fixture)
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
