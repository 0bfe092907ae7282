"""Enrichment under a real cgroup memory limit: it adapts and finishes with identical output;
the same limit kills it when it is told memory is plentiful (no adaptation).

The sample (20,000 awards, 1,200,000 recipients) is ingested without a limit; enrichment alone
then peaks at ~670 MB of anonymous memory when it builds its index in memory and links whole
chunks, and at ~390 MB (plus ~235 MB of mapped index pages the kernel may drop) when it spills
the index and links in sub-batches (measured on this machine, docs/operations.md). The limit
lies between the two.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import make_project_copy, run_session
from memory_cgroup import memory_group, needs_cgroups

pytestmark = needs_cgroups

LIMIT_MB = 560
SAMPLE = {"sample_data": {"n_awards": 20_000, "n_recipients": 1_200_000}}
ENRICHED = Path("data/03_primary/enriched_sbir_awards.parquet")
REPORT = Path("data/08_reporting/latest/run_report.json")
RUN_OUTPUTS = ("data/02_intermediate/enriched_chunks", "data/03_primary")
KEDRO = [str(Path(sys.executable).with_name("kedro")), "run", "--pipelines", "enrichment"]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with the sample generated and ingested (no limit)."""
    path = make_project_copy(tmp_path_factory.mktemp("memory_limit") / "project")
    cwd = Path.cwd()
    os.chdir(path)
    try:
        run_session(path, ["sample_data"], params=SAMPLE)
        run_session(path, ["ingestion"])
    finally:
        os.chdir(cwd)
    return path


def _enrich(project: Path, command: list[str]) -> subprocess.CompletedProcess:
    for output in RUN_OUTPUTS:
        shutil.rmtree(project / output, ignore_errors=True)
    return subprocess.run(command, cwd=project, capture_output=True, text=True, check=False,
                          env={**os.environ, "KEDRO_DISABLE_TELEMETRY": "1"})


def test_enrichment_adapts_to_a_cgroup_limit_and_dies_without_adapting(ingested: Path) -> None:
    unlimited = _enrich(ingested, KEDRO)
    assert unlimited.returncode == 0, unlimited.stderr[-3000:]
    expected = pd.read_parquet(ingested / ENRICHED)
    assert "spilled" not in unlimited.stderr + unlimited.stdout

    with memory_group(LIMIT_MB) as group:
        adapted = _enrich(ingested, group.wrap(KEDRO))
        output = adapted.stdout + adapted.stderr
        assert adapted.returncode == 0, output[-3000:]
        assert group.oom_kills() == 0
        assert f"memory budget: {LIMIT_MB} MB (cgroup" in output
        assert "recipient index spilled to memory-mapped files" in output
        pd.testing.assert_frame_equal(pd.read_parquet(ingested / ENRICHED), expected)
        assert not any((ingested / "data" / "tmp").iterdir())  # scratch files are gone
        memory = json.loads((ingested / REPORT).read_text())["memory"]
        assert (memory["allowed"]["mb"], memory["allowed"]["source"]) == (LIMIT_MB, "cgroup")
        assert memory["budgets"]["enrich_chunks_node"]["source"] == "cgroup"
        spills = [a for a in memory["adaptations"] if a["node"] == "index_recipients_node"]
        assert len(spills) == 1 and spills[0]["spilled_mb"] > 0

        told_plenty = _enrich(ingested, group.wrap(
            [*KEDRO, "--params", "enrichment.memory_budget_mb=100000"]))
        assert told_plenty.returncode in (-9, 137), \
            (told_plenty.stdout + told_plenty.stderr)[-3000:]
        assert group.oom_kills() == 1
