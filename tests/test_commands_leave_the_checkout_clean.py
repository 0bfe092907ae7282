"""No command changes a tracked file: ``kedro run`` in a git checkout leaves ``git status`` clean,
and says nothing a user cannot act on.

The project's telemetry choice is recorded in the repository (``.telemetry``, ``consent:
false``), so kedro-telemetry neither asks nor writes a project id into ``pyproject.toml``; the
runs here have no ``KEDRO_DISABLE_TELEMETRY``, as a user's would not.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT

KEDRO = Path(sys.executable).parent / "kedro"
SMALL = "sample_data.n_awards=60,sample_data.n_recipients=600"


def _git(checkout: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.com",
                           *args], cwd=checkout, check=True, capture_output=True,
                          text=True).stdout


def _checkout_of_this_tree(target: Path) -> Path:
    """A git repository holding this project's files as they are now (tracked and new)."""
    files = _git(PROJECT_ROOT, "ls-files", "--cached", "--others", "--exclude-standard",
                 "-z").split("\0")
    for name in filter(None, files):
        source = PROJECT_ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    _git(target, "commit", "-q", "-m", "snapshot")
    return target


@pytest.mark.slow
def test_kedro_run_leaves_git_status_clean(tmp_path: Path) -> None:
    checkout = _checkout_of_this_tree(tmp_path / "checkout")
    env = {key: value for key, value in os.environ.items()
           if key not in ("KEDRO_DISABLE_TELEMETRY", "DO_NOT_TRACK")}
    for args in (["--pipelines", "sample_data", "--params", SMALL], []):
        result = subprocess.run([str(KEDRO), "run", *args], cwd=checkout, env=env,
                                capture_output=True, text=True, timeout=600, check=False)
        output = result.stdout + result.stderr
        assert result.returncode == 0, output[-4000:]
        # Nothing a user cannot act on: no telemetry notice, no omegaconf deprecation warning,
        # no per-dataset Loading/Saving line; the run ends with its summary.
        assert "anonymous usage data" not in output
        assert "register_new_resolver" not in output
        assert "Loading data from" not in output and "Saving data to" not in output
        assert "── Run " in result.stdout
    assert _git(checkout, "status", "--porcelain") == ""
