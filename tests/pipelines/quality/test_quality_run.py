"""The quality gates through real Kedro runs on a small generated sample (one project copy).

The module's project is generated and run once (sample data, then the default pipeline); each test
then runs ``quality`` or ``quality_baseline`` on it and restores what it changed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from conftest import project_after_a_run, run_session
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro.io.core import Version
from kedro.validation.exceptions import DataValidationError
from kedro_datasets.json import JSONDataset
from quality_frames import conf_enrichment_params

from sbir_enrichment.pipelines.quality.gates import QualityGateError

pytestmark = pytest.mark.slow

SIZE = {"sample_data": {"n_awards": 800, "n_recipients": 10000}}
QUALITY = Path("data/08_reporting/quality")
ENRICHED = Path("data/03_primary/enriched_sbir_awards.parquet")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A project copy after ``sample_data`` and a default ``kedro run``; cwd moved into it."""
    with project_after_a_run(tmp_path_factory.mktemp("quality") / "project", SIZE) as path:
        yield path


def _versions(name: str) -> list[str]:
    """Saved versions of a versioned quality dataset, oldest first."""
    folder = QUALITY / name
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _latest_report() -> dict:
    version = _versions("quality_report.json")[-1]
    return json.loads((QUALITY / "quality_report.json" / version / "quality_report.json")
                      .read_text())


def _gate(report: dict, name: str) -> dict:
    return next(g for g in report["gates"] if g["name"] == name)


def test_default_run_passes_every_gate_and_writes_both_reports(project):
    report = _latest_report()
    assert report["status"] == "pass"
    statuses = {g["name"]: g["status"] for g in report["gates"]}
    assert statuses == {"enriched_schema": "pass", "row_accounting": "pass",
                        "review_band_unmatched": "pass", "match_rate": "pass",
                        "precision": "pass", "match_rate_regression": "skipped"}
    summary = report["summary"]
    assert summary["awards"] == len(pd.read_parquet(ENRICHED))
    assert summary["has_truth"] and summary["precision"] >= 0.98
    assert _versions("quality_report.json") == _versions("quality_report.html")
    settings = conf_enrichment_params().matching
    assert report["thresholds"]["score_thresholds"] == {
        "accept": 100 * settings.accept_probability, "review": 100 * settings.review_probability}


def test_failing_gate_writes_its_report_and_stops_the_baseline_store(project):
    reports_before = _versions("quality_report.json")
    with pytest.raises(QualityGateError, match=r"match_rate: match rate 0\.\d{4} .* is below "
                                               r"min_match_rate 0\.9990"):
        run_session(project, ["quality_baseline"], params={"quality": {"min_match_rate": 0.999}})
    new = sorted(set(_versions("quality_report.json")) - set(reports_before))
    assert len(new) == 1 and new == sorted(set(_versions("quality_report.html"))
                                           - set(reports_before))
    report = _latest_report()
    assert report["status"] == "fail"
    assert _gate(report, "match_rate")["threshold"] == 0.999
    assert _versions("quality_baseline.json") == []  # the node after the gate never ran


def test_broken_enriched_output_fails_the_schema_gate_with_example_rows(project):
    original = pd.read_parquet(ENRICHED)
    broken = original.copy()
    matched = broken.index[broken["match_method"] != "unmatched"][:2]
    broken.loc[matched[0], "recipient_uei"] = "not-a-uei"
    broken = pd.concat([broken, broken.loc[[matched[1]]]], ignore_index=True)
    broken.to_parquet(ENRICHED)  # behind the catalog's back, as a corrupted file would be
    try:
        with pytest.raises(QualityGateError) as failure:
            run_session(project, ["quality"])
    finally:
        original.to_parquet(ENRICHED)
    message = str(failure.value)
    assert "   enriched_schema: " in message and "   row_accounting: " not in message
    bad_row = int(original.loc[matched[0], "source_row"])
    assert f"recipient_uei: str_matches('^[A-Z0-9]{{12}}$') failed for 1 row(s); e.g. " \
           f"[{{'source_row': {bad_row}" in message
    assert "source_row: field_uniqueness failed for 2 row(s)" in message
    assert _gate(_latest_report(), "enriched_schema")["measured"] == 3


def test_catalog_validator_refuses_to_save_a_malformed_enriched_frame(project):
    bootstrap_project(project)
    with KedroSession.create(project_path=project) as session:
        catalog = session.load_context().catalog
    bad = pd.read_parquet(ENRICHED)
    bad.loc[bad["match_method"] != "unmatched", "match_score"] = 120.0
    before = ENRICHED.stat().st_mtime_ns
    with pytest.raises(DataValidationError) as failure:
        catalog.save("enriched_sbir_awards", bad)
    message = str(failure.value)
    assert "Validation failed for dataset 'enriched_sbir_awards' on save" in message
    assert "match_score: less_than_or_equal_to(100)" in message
    assert ENRICHED.stat().st_mtime_ns == before


def test_baseline_is_stored_on_request_and_a_larger_drop_fails(project):
    run_session(project, ["quality_baseline"])
    stored = _versions("quality_baseline.json")
    assert len(stored) == 1
    baseline = json.loads((QUALITY / "quality_baseline.json" / stored[0] /
                           "quality_baseline.json").read_text())
    rate = baseline["summary"]["match_rate"]
    assert rate == _latest_report()["summary"]["match_rate"]

    # A newer baseline 5.01 points above this run: the drop gate fails the run (the boundary
    # itself, exactly 5 points, is pinned in test_quality_baseline.py).
    newer = QUALITY / "quality_baseline.json"
    version = "9999-01-01T00.00.00.000Z"
    JSONDataset(filepath=str(newer), version=Version(None, version)).save(
        {**baseline, "summary": {**baseline["summary"], "match_rate": rate + 0.0501}})
    try:
        with pytest.raises(QualityGateError, match="match_rate_regression: "):
            run_session(project, ["quality"])
    finally:
        shutil.rmtree(newer / version)
    report = _latest_report()
    assert _gate(report, "match_rate_regression")["status"] == "fail"
    assert report["regression"]["baseline_version"] == version
    assert report["regression"]["deltas"]["match_rate"]["delta_pts"] == pytest.approx(-5.01)


def test_out_of_range_threshold_fails_before_the_run_naming_it(project):
    reports_before = _versions("quality_report.json")
    with pytest.raises(Exception, match="quality") as failure:
        run_session(project, ["quality"], params={"quality": {"min_match_rate": 1.5}})
    assert "min_match_rate" in str(failure.value)
    assert _versions("quality_report.json") == reports_before


def _kedro_run(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).parent / "kedro"), "run", *args],
        cwd=project, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "KEDRO_DISABLE_TELEMETRY": "1", "COLUMNS": "200"},
    )


def test_a_failed_gate_on_the_command_line_is_short_and_names_the_reports(project):
    args = ("--pipelines", "quality", "--params", "quality.min_match_rate=0.999")
    result = _kedro_run(project, *args)
    assert result.returncode == 1
    output = result.stdout + result.stderr
    # The gate table and one line on what to do; no traceback, no Kedro resume hint.
    assert "1 quality gate(s) failed (match_rate)." in result.stderr
    assert re.search(r"^ +match_rate +fail +\d+\.\d% +99\.9%$", result.stderr, re.M)
    assert "What to do: " in result.stderr
    assert "Traceback" not in output and "--from-nodes" not in output
    assert len(output.splitlines()) < 80
    # The end-of-run summary names the run report and the HTML report; both exist.
    summary = result.stdout[result.stdout.index("── Run "):]
    assert "FAILED" in summary.splitlines()[0]
    assert re.search(r"match rate +\d+\.\d% \(.* matched\), gate ≥ 99\.9%: fail", summary)
    paths = re.findall(r"(data/08_reporting/\S+)", summary)
    assert "data/08_reporting/latest/quality_report.html" in paths
    assert any(p.startswith("data/08_reporting/runs/") and p.endswith("/run_report.md")
               for p in paths)
    assert all((project / p).is_file() for p in paths)
    assert _latest_report()["status"] == "fail"
    latest = project / "data/08_reporting/latest/quality_report.json"
    assert json.loads(latest.read_text()) == _latest_report()

    verbose = _kedro_run(project, *args, "--verbose")
    assert verbose.returncode != 0
    assert "QualityGateError" in verbose.stdout + verbose.stderr  # the traceback is kept
