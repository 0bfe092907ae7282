"""Every notebook in notebooks/ runs top to bottom over the catalog after a small default run.

The notebooks are found, not listed: a new notebook is executed too. Each known notebook's
outputs are also checked for what it is meant to show. JupyterLab, the README's way to open
them, is installed by the project's set-up: its server starts and lists every notebook.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbclient
import nbformat
import pandas as pd
import pytest
from conftest import PROJECT_ROOT, free_port, project_after_a_run

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
SAMPLE = {"sample_data": {"n_awards": 300, "n_recipients": 3000}}


def _expected(project: Path) -> dict[str, list[str]]:
    """Phrases each known notebook's outputs must hold, from the run's own data."""
    enriched = pd.read_parquet(project / "data/03_primary/enriched_sbir_awards.parquet")
    report = json.loads((project / "data/08_reporting/latest/quality_report.json").read_text())
    scores = report["thresholds"]["score_thresholds"]
    return {
        "ingested_data.ipynb": ["accepted awards", "partition(s); part-00000 holds",
                                "rejected recipient rows"],
        "review_band.ipynb": [
            f"review band: {int(enriched['in_review_band'].sum()):,} awards",
            f"accept from probability {scores['accept'] / 100:g}, "
            f"review from {scores['review'] / 100:g}",
            "unmatched awards carry a UEI or DUNS", "waterfall of source_row",
            "→ probability"],
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A project copy after ``sample_data`` and a default ``kedro run``, with the notebooks."""
    with project_after_a_run(tmp_path_factory.mktemp("notebooks") / "project", SAMPLE) as path:
        shutil.copytree(PROJECT_ROOT / "notebooks", path / "notebooks")
        yield path


def _text_outputs(notebook: nbformat.NotebookNode) -> str:
    return "\n".join(output.get("text", "") + output.get("data", {}).get("text/plain", "")
                     for cell in notebook.cells for output in cell.get("outputs", []))


def test_the_notebooks_are_found() -> None:
    assert {path.name for path in NOTEBOOKS} >= {"ingested_data.ipynb", "review_band.ipynb"}


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_executes_over_the_catalog(project: Path, path: Path) -> None:
    notebook = nbformat.read(project / "notebooks" / path.name, as_version=4)
    # The kernel starts in the copy's notebooks/, so %load_ext kedro.ipython finds the copy.
    nbclient.NotebookClient(notebook, kernel_name="python3", timeout=180,
                            resources={"metadata": {"path": str(project / "notebooks")}}
                            ).execute()
    outputs = [o for cell in notebook.cells for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = _text_outputs(notebook)
    for phrase in _expected(project).get(path.name, []):
        assert phrase in text, phrase



@pytest.mark.slow
def test_jupyter_lab_serves_the_notebooks(project: Path) -> None:
    lab = Path(sys.executable).with_name("jupyter-lab")
    assert lab.exists(), "JupyterLab is not installed by the project's set-up"
    port = free_port()
    server = subprocess.Popen(
        [str(lab), "notebooks/", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         "--IdentityProvider.token=test-token", "--allow-root"],  # CI runs as root
        cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        listing = _contents(f"http://127.0.0.1:{port}/api/contents", server)
        assert {item["name"] for item in listing["content"]} >= {p.name for p in NOTEBOOKS}
    finally:
        server.terminate()
        server.wait(timeout=30)


def _contents(url: str, server: subprocess.Popen, timeout_s: float = 90) -> dict:
    """The server's listing of its folder, once it answers."""
    request = urllib.request.Request(url, headers={"Authorization": "token test-token"})
    deadline = time.monotonic() + timeout_s
    while True:
        assert server.poll() is None, "the Jupyter server stopped"
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return json.load(response)
        except OSError:
            assert time.monotonic() < deadline, "the Jupyter server did not answer in time"
            time.sleep(0.5)
