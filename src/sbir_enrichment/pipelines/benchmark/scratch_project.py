"""A throw-away copy of the project where sized runs happen, each ``kedro run`` in its own process.

A separate process per run gives each run its own peak memory (the process high-water mark
starts from nothing) and lets memray profile it; the copy keeps the project's own data apart.
The package itself is the installed one, so the copy runs the real code.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from kedro.utils import find_kedro_project

from sbir_enrichment.pipelines.benchmark.memory_limit import memory_group
from sbir_enrichment.reporting.run_report import REPORT_JSON, RunReport, read_run_report

_KEPT_LAYER = "01_raw"
_LATEST_ACCURACY = Path("data/08_reporting/latest/accuracy_report.json")
_INPUTS_MARKER = "benchmark_inputs.json"


def project_root() -> Path:
    """The Kedro project of the working directory."""
    root = find_kedro_project(Path.cwd())
    if root is None:
        raise RuntimeError(f"{Path.cwd()} is not inside a Kedro project")
    return Path(root)


def format_params(params: dict[str, Any], prefix: str = "") -> list[str]:
    """``key=value`` items for ``kedro run --params``, nested keys dotted.

    Raises:
        ValueError: for a value ``--params`` cannot carry (a list, or text with a comma).
    """
    items = []
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            items += format_params(value, prefix=f"{name}.")
            continue
        if isinstance(value, list | tuple) or "," in str(value):
            raise ValueError(f"--params cannot carry {name}={value!r}")
        items.append(f"{name}={str(value).lower() if isinstance(value, bool) else value}")
    return items


class ScratchProject:
    """A copy of ``pyproject.toml`` and ``conf/`` with its own ``data/``."""

    def __init__(self, root: Path) -> None:
        """Wrap an existing scratch project at ``root``."""
        self.root = root

    @classmethod
    def prepare(cls, source: Path, root: Path, inputs: dict[str, Any]
                ) -> tuple[ScratchProject, bool]:
        """Copy the project at ``source`` into ``root`` afresh (credentials left out).

        Inputs kept from an earlier benchmark (``keep_data``) that were generated with the same
        ``inputs`` settings are reused; everything else in ``root`` is replaced.

        Returns:
            The project, and whether its inputs must be generated.
        """
        marker = root / "data" / _KEPT_LAYER / _INPUTS_MARKER
        reuse = marker.exists() and json.loads(marker.read_text()) == inputs
        if root.exists():
            for child in root.iterdir():
                if not (reuse and child.name == "data"):
                    shutil.rmtree(child) if child.is_dir() else child.unlink()
        root.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / "pyproject.toml", root / "pyproject.toml")
        shutil.copytree(source / "conf", root / "conf",
                        ignore=shutil.ignore_patterns("credentials*"))
        (root / "conf" / "local").mkdir(exist_ok=True)
        (root / "src").mkdir()
        (root / "data" / _KEPT_LAYER).mkdir(parents=True, exist_ok=True)
        project = cls(root)
        if reuse:
            project.clear_outputs()
        return project, not reuse

    def mark_inputs(self, inputs: dict[str, Any]) -> None:
        """Record the settings the inputs in ``01_raw`` were generated with."""
        (self.root / "data" / _KEPT_LAYER / _INPUTS_MARKER).write_text(json.dumps(inputs))

    @property
    def runs_dir(self) -> Path:
        """Where the observer writes this project's run reports."""
        return self.root / "data" / "08_reporting" / "runs"

    def kedro_run(self, pipelines: list[str], params: dict[str, Any], *, memray: bool,
                  timeout_s: float, memory_limit_mb: int | None = None,
                  conf_env: str | None = None) -> float:
        """Run ``kedro run`` (in configuration environment ``conf_env``, if given) in a new process
        (inside a memory limit when one is given); returns its wall seconds (start-up included).

        Raises:
            RuntimeError: when the run fails, with the end of its output (and, when the
                memory limit killed it, saying so).
        """
        env = {**os.environ, "KEDRO_DISABLE_TELEMETRY": "1", "SBIR_MEMRAY": "1" if memray else "0"}
        command = [sys.executable, "-m", "kedro", "run", "--pipelines", ",".join(pipelines)]
        if conf_env is not None:
            command += ["--env", conf_env]
        if params:
            command += ["--params", ",".join(format_params(params))]
        with ExitStack() as stack:
            group = None if memory_limit_mb is None else stack.enter_context(
                memory_group(memory_limit_mb))
            started = time.perf_counter()
            result = subprocess.run(group.wrap(command) if group else command, cwd=self.root,
                                    env=env, capture_output=True, text=True, timeout=timeout_s,
                                    check=False)
            elapsed = time.perf_counter() - started
            killed = group is not None and group.oom_kills() > 0
        if result.returncode != 0:
            tail = (result.stdout + result.stderr)[-3000:]
            cause = f" (killed by its memory limit of {memory_limit_mb:,} MB)" if killed else ""
            raise RuntimeError(f"`{' '.join(command)}` failed in {self.root}{cause}:\n{tail}")
        return elapsed

    def clear_outputs(self, keep_inputs: bool = True) -> None:
        """Delete every dataset written so far (and the inputs unless kept); reports stay."""
        for layer in (self.root / "data").iterdir():
            if not layer.is_dir() or (layer.name == _KEPT_LAYER and keep_inputs):
                continue  # a file there is the run lock (run_lock.py), not a layer
            for child in layer.iterdir():
                if child != self.runs_dir:
                    shutil.rmtree(child) if child.is_dir() else child.unlink()

    def accuracy_report(self) -> dict[str, Any]:
        """The accuracy report of the last enrichment run in this copy (its stable copy)."""
        path = self.root / _LATEST_ACCURACY
        if not path.exists():
            raise RuntimeError(f"no accuracy report at {path}: did the run include enrichment?")
        return json.loads(path.read_text())

    def run_reports(self) -> set[Path]:
        """Paths of every run report written in this copy."""
        return set(self.runs_dir.glob(f"*/{REPORT_JSON}"))

    def new_run_report(self, known: set[Path]) -> tuple[Path, RunReport]:
        """The one run report not in ``known``, and its content."""
        new = sorted(self.run_reports() - known)
        if len(new) != 1:
            raise RuntimeError(f"expected one new run report under {self.runs_dir}, "
                               f"found {len(new)}")
        return new[0], read_run_report(new[0])
