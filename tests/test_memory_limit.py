"""The pipelines under a real cgroup memory limit: they adapt and finish with output identical to
an unlimited run; the same limit kills them when they are told memory is plentiful.

The sample has 20,000 awards and 1,200,000 recipients, read in chunks of 100,000 recipients.
Measured on this machine (docs/operations.md, "Memory"): ingestion peaks at ~430 MB of
anonymous memory; enrichment at ~670 MB when it builds its index in memory and links whole
chunks, and at ~390 MB (plus ~235 MB of mapped index pages the kernel may drop) when it spills
the index and links in sub-batches. The limit lies between the two.
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

from sbir_enrichment.pipelines.benchmark.memory_limit import (
    MemoryGroup,
    limits_available,
    memory_group,
)

pytestmark = pytest.mark.skipif(not limits_available(),
                                reason="needs root and the cgroup v1 memory controller")

LIMIT_MB = 560
SAMPLE = {"sample_data": {"n_awards": 20_000, "n_recipients": 1_200_000}}
ENRICHED = Path("data/03_primary/enriched_sbir_awards.parquet")
REPORT = Path("data/08_reporting/latest/run_report.json")
OUTPUTS = ("data/02_intermediate", "data/03_primary")
KEDRO = [str(Path(sys.executable).with_name("kedro")), "run", "--pipelines"]
SETTINGS = "recipient_chunk_rows=100000"
PLENTY = f"{SETTINGS},ingestion.memory_budget_mb=100000,enrichment.memory_budget_mb=100000"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with the sample generated (no limit)."""
    path = make_project_copy(tmp_path_factory.mktemp("memory_limit") / "project")
    cwd = Path.cwd()
    os.chdir(path)
    try:
        run_session(path, ["sample_data"], params=SAMPLE)
    finally:
        os.chdir(cwd)
    return path


def _run(project: Path, params: str, group: MemoryGroup | None = None
         ) -> subprocess.CompletedProcess:
    """Ingestion, then enrichment, each its own process (inside ``group`` when given)."""
    for output in OUTPUTS:
        shutil.rmtree(project / output, ignore_errors=True)
    result = None
    for pipeline in ("ingestion", "enrichment"):
        command = [*KEDRO, pipeline, "--params", params]
        result = subprocess.run(group.wrap(command) if group else command, cwd=project,
                                capture_output=True, text=True, check=False,
                                env={**os.environ, "KEDRO_DISABLE_TELEMETRY": "1"})
        if result.returncode != 0:
            break
    return result


def test_pipelines_adapt_to_a_cgroup_limit_and_die_without_adapting(project: Path) -> None:
    unlimited = _run(project, SETTINGS)
    assert unlimited.returncode == 0, unlimited.stderr[-3000:]
    expected = pd.read_parquet(project / ENRICHED)
    assert "spilled" not in unlimited.stderr + unlimited.stdout

    with memory_group(LIMIT_MB) as group:
        adapted = _run(project, SETTINGS, group)
        output = adapted.stdout + adapted.stderr
        assert adapted.returncode == 0, output[-3000:]
        assert group.oom_kills() == 0
        assert f"memory budget: {LIMIT_MB} MB (cgroup" in output
        assert "recipient index spilled to memory-mapped files" in output
        pd.testing.assert_frame_equal(pd.read_parquet(project / ENRICHED), expected)
        assert not any((project / "data" / "tmp").iterdir())  # scratch files are gone
        memory = json.loads((project / REPORT).read_text())["memory"]
        assert (memory["allowed"]["mb"], memory["allowed"]["source"]) == (LIMIT_MB, "cgroup")
        assert memory["budgets"]["enrich_chunks_node"]["source"] == "cgroup"
        spills = [a for a in memory["adaptations"] if a["node"] == "index_recipients_node"]
        assert len(spills) == 1 and spills[0]["spilled_mb"] > 0

        told_plenty = _run(project, PLENTY, group)
        assert told_plenty.returncode in (-9, 137), \
            (told_plenty.stdout + told_plenty.stderr)[-3000:]
        assert group.oom_kills() == 1
