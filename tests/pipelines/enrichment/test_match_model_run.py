"""The match model through real Kedro runs: saved per run, frozen on request, reused unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_session

SAMPLE = {"sample_data": {"n_awards": 600, "n_recipients": 8000, "seed": 9}}


def _models(project: Path) -> list[dict]:
    folder = project / "data" / "06_models" / "match_model.json"
    return [json.loads((v / "match_model.json").read_text()) for v in sorted(folder.iterdir())]


@pytest.mark.slow
def test_each_run_saves_its_model_and_a_frozen_one_is_reused(project_copy: Path) -> None:
    run_session(project_copy, ["sample_data"], params=SAMPLE)
    run_session(project_copy, ["ingestion"])
    run_session(project_copy, ["enrichment"])
    (estimated,) = _models(project_copy)
    assert estimated["estimation"]["source"] == "estimated"
    ingested = pd.read_parquet(project_copy / "data" / "02_intermediate" / "sbir_awards.parquet")
    assert estimated["estimation"]["awards"] == len(ingested)  # fewer than estimate_awards

    run_session(project_copy, ["freeze_match_model"])
    frozen_file = project_copy / "data" / "06_models" / "frozen_match_model.json"
    assert json.loads(frozen_file.read_text()) == estimated

    # Another sample, so a fresh estimate would differ; the frozen model is used as it is.
    run_session(project_copy, ["enrichment"], params={"enrichment": {"matching": {
        "estimate_awards": 200}}})
    reused = _models(project_copy)[-1]
    assert reused["estimation"]["source"] == "frozen"
    assert reused["comparisons"] == estimated["comparisons"]

    elsewhere = project_copy / "kept_model.json"
    frozen_file.rename(elsewhere)
    run_session(project_copy, ["enrichment"], params={"frozen_match_model": str(elsewhere)})
    assert _models(project_copy)[-1]["estimation"]["source"] == "frozen"
    run_session(project_copy, ["enrichment"], params={"enrichment": {"matching": {
        "estimate_awards": 200}}})
    assert _models(project_copy)[-1]["estimation"]["awards"] == 200  # no frozen file: estimated
