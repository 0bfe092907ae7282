"""Product outputs are replaced whole or not at all, and a missing input says who writes it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import run_session
from kedro.io.core import DatasetError, Version

from sbir_enrichment.datasets.atomic import JSONDataset, ParquetDataset, TextDataset

LOOKUP = Path("data/01_raw/usaspending/recipient_lookup.parquet")

# Saves one catalog entry of the project in a process that may write at most LIMIT bytes to a
# file: a real failed write (EFBIG, as from a full disk), not a simulated one.
_SAVE_WITH_A_FILE_SIZE_LIMIT = textwrap.dedent("""
    import resource, signal, sys
    import numpy as np, pandas as pd
    from kedro.config import OmegaConfigLoader
    from kedro.io import DataCatalog

    name, limit = sys.argv[1], int(sys.argv[2])
    config = OmegaConfigLoader("conf", base_env="base", default_run_env="local")["catalog"]
    catalog = DataCatalog.from_config({name: config[name]})
    rows = 200_000
    frame = pd.DataFrame({"recipient_hash": [f"h{i}" for i in range(rows)],
                          "noise": np.random.default_rng(0).random(rows)})
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    try:
        catalog.save(name, frame)
    except Exception as exc:
        print(type(exc).__name__, exc)
        sys.exit(3)
""")


def test_a_write_that_fails_midway_leaves_the_previous_output_whole(project_copy: Path) -> None:
    previous = pd.DataFrame({"recipient_hash": ["a", "b"], "noise": [0.5, 0.25]})
    (project_copy / LOOKUP).parent.mkdir(parents=True)
    previous.to_parquet(project_copy / LOOKUP)
    before = (project_copy / LOOKUP).read_bytes()
    result = subprocess.run(
        [sys.executable, "-c", _SAVE_WITH_A_FILE_SIZE_LIMIT, "sample_recipient_lookup",
         str(len(before) + 100_000)],
        cwd=project_copy, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 3, result.stderr[-2000:]
    assert "File too large" in result.stdout
    assert (project_copy / LOOKUP).read_bytes() == before  # not truncated, not replaced
    assert sorted(p.name for p in (project_copy / LOOKUP).parent.iterdir()) == [LOOKUP.name]


def test_each_kind_of_output_is_written_whole_with_no_temporary_left(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": np.arange(3), "b": list("xyz")})
    ParquetDataset(filepath=str(tmp_path / "t.parquet")).save(frame)
    JSONDataset(filepath=str(tmp_path / "r.json")).save({"k": [1, 2]})
    text = TextDataset(filepath=str(tmp_path / "p.html"), version=Version(None, "2026-01-01"))
    text.save("<html></html>")
    assert pd.read_parquet(tmp_path / "t.parquet").equals(frame)
    assert json.loads((tmp_path / "r.json").read_text()) == {"k": [1, 2]}
    assert text.load() == "<html></html>"
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == [
        "p.html/2026-01-01/p.html", "r.json", "t.parquet"]


def test_an_interrupted_versioned_write_is_never_the_latest_version(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    JSONDataset(filepath=str(path), version=Version(None, "2026-01-01")).save({"run": 1})
    torn = path / "2026-01-02"  # what a killed save leaves behind: a temporary file only
    torn.mkdir()
    (torn / ".report.json.tmp").write_text('{"run": ')
    assert JSONDataset(filepath=str(path), version=Version(None, None)).load() == {"run": 1}


def test_a_missing_input_names_the_pipeline_that_writes_it(tmp_path: Path) -> None:
    dataset = ParquetDataset(filepath=str(tmp_path / "sbir_awards.parquet"),
                             written_by="ingestion")
    with pytest.raises(DatasetError, match=r"sbir_awards\.parquet does not exist: the ingestion "
                                           r"pipeline writes it; run `kedro run --pipelines "
                                           r"ingestion` first"):
        dataset.load()


@pytest.mark.slow
def test_enrichment_alone_before_ingestion_says_to_run_ingestion(project_copy: Path) -> None:
    # Whichever of its inputs enrichment reads first (the awards or the recipient index).
    with pytest.raises(DatasetError, match=r"(does not exist: the ingestion pipeline writes it|"
                                           r"run `kedro run --pipelines ingestion`)"):
        run_session(project_copy, ["enrichment"])
