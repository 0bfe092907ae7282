"""The ``sample_data`` pipeline through a real KedroSession in a throw-away project copy."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import run_session
from kedro.config import OmegaConfigLoader

pytestmark = pytest.mark.slow

SIZE = {"sample_data": {"n_awards": 1500, "n_recipients": 12000}}


def test_pipeline_writes_the_three_raw_files(project_copy: Path) -> None:
    run_session(project_copy, ["sample_data"], params=SIZE)
    raw = project_copy / "data" / "01_raw"
    awards = pd.read_csv(raw / "sbir_awards.csv", dtype=str, keep_default_na=False)
    recipients = pq.read_table(raw / "usaspending" / "recipient_lookup.parquet").to_pandas()
    truth = pd.read_csv(raw / "match_truth.csv", dtype={"recipient_hash": str})
    assert len(awards) == 1500 and len(awards.columns) == 42
    assert awards.columns[0] == "Company" and awards.columns[-1] == "RI POC Phone"
    assert len(recipients) == 12000
    assert recipients["recipient_hash"].is_unique
    assert list(truth.columns) == ["source_row", "recipient_hash", "variation"]
    assert truth["variation"].str.contains(
        "uei shown|duns shown|wrong identifier|no identifier").all()
    assert truth["recipient_hash"].isin(recipients["recipient_hash"]).all()
    assert truth["source_row"].between(0, 1499).all()
    # Lost leading zeros survive the round trip: text is written and read back as text.
    assert awards["Duns"].str.fullmatch(r"[0-9]{1,8}").any()


def test_same_parameters_write_identical_files(project_copy: Path, tmp_path: Path) -> None:
    raw = project_copy / "data" / "01_raw"
    run_session(project_copy, ["sample_data"], params=SIZE)
    first = {p.name: p.read_bytes() for p in (raw / "sbir_awards.csv", raw / "match_truth.csv")}
    first_recipients = pd.read_parquet(raw / "usaspending" / "recipient_lookup.parquet")
    run_session(project_copy, ["sample_data"], params=SIZE)
    assert first == {p.name: p.read_bytes() for p in (raw / "sbir_awards.csv",
                                                       raw / "match_truth.csv")}
    pd.testing.assert_frame_equal(
        first_recipients, pd.read_parquet(raw / "usaspending" / "recipient_lookup.parquet"))


def test_out_of_range_parameter_fails_before_the_run_naming_it(project_copy: Path) -> None:
    bad = {"sample_data": {"n_awards": 100, "names": {"typo_share": 2}}}
    with pytest.raises(Exception, match="typo_share") as failure:
        run_session(project_copy, ["sample_data"], params=bad)
    assert "less than or equal to 1" in str(failure.value)
    assert not (project_copy / "data" / "01_raw" / "sbir_awards.csv").exists()


def test_full_environment_sets_the_real_scale(project_copy: Path) -> None:
    loader = OmegaConfigLoader(str(project_copy / "conf"), base_env="base", default_run_env="full")
    params = loader["parameters"]["sample_data"]
    assert (params["n_awards"], params["n_recipients"]) == (214381, 3382233)
    assert json.dumps(params)  # plain values only
