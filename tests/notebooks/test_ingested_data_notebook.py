"""notebooks/ingested_data.ipynb runs top to bottom on a freshly ingested small sample."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbclient
import nbformat
import pytest
from conftest import PROJECT_ROOT, run_session

NOTEBOOK = PROJECT_ROOT / "notebooks" / "ingested_data.ipynb"


def _text_outputs(notebook: nbformat.NotebookNode) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


@pytest.mark.slow
def test_ingested_data_notebook_executes(project_copy: Path) -> None:
    run_session(project_copy, ["sample_data"],
                params={"sample_data": {"n_awards": 200, "n_recipients": 2000}})
    run_session(project_copy, ["ingestion"])
    notebooks = project_copy / "notebooks"
    notebooks.mkdir()
    shutil.copy2(NOTEBOOK, notebooks / NOTEBOOK.name)
    notebook = nbformat.read(notebooks / NOTEBOOK.name, as_version=4)

    # The kernel starts in the copy's notebooks/ folder, so %load_ext kedro.ipython finds the copy.
    nbclient.NotebookClient(notebook, kernel_name="python3", timeout=180,
                            resources={"metadata": {"path": str(notebooks)}}).execute()

    text = _text_outputs(notebook)
    assert "accepted awards" in text
    assert "partition(s); part-00000 holds" in text
    assert "rejected recipient rows" in text
