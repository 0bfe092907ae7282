"""A real run of the project's pipelines leaves a run report covering every node plausibly."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from kedro.framework.project import pipelines
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from sbir_enrichment.reporting.run_report import (
    RunReport,
    bottlenecks,
    read_run_report,
    write_run_report,
)

TIMED_PIPELINES = ["ingestion", "enrichment"]
AWARDS = 400
# Limits that the run must cross (every award node is "slow") or never reach (memory), so the
# report's alerts can be checked against its own figures.
ALERT_PARAMS = {"observability": {"alerts": {
    "seconds_per_1k_units": 1e-6, "node_memory_delta_mb": 1e6}}}


def _run(project: Path, names: list[str], params: dict) -> dict:
    """Run ``names`` in a real session; returns the run report it wrote."""
    runs = project / "data/08_reporting/runs"
    before = set(runs.glob("*/run_report.json"))
    bootstrap_project(project)
    with KedroSession.create(project_path=project, runtime_params=params) as session:
        session.run(pipeline_names=names)
    (path,) = set(runs.glob("*/run_report.json")) - before
    read_run_report(path)  # the file is a valid RunReport
    return json.loads(path.read_text())


@pytest.mark.slow
def test_a_real_run_is_reported_node_by_node(project_copy: Path) -> None:
    _run(project_copy, ["sample_data"],
         {"sample_data": {"n_awards": AWARDS, "n_recipients": AWARDS * 16}})
    report = _run(project_copy, TIMED_PIPELINES, ALERT_PARAMS)
    _check_every_node_has_plausible_time(report)
    _check_rows_and_rates_match_the_written_data(project_copy, report)
    _check_alerts_follow_the_figures(project_copy, report)


def _check_every_node_has_plausible_time(report: dict) -> None:
    expected = {node.name for name in TIMED_PIPELINES for node in pipelines[name].nodes}
    assert {node["name"] for node in report["nodes"]} == expected
    cores = os.cpu_count() or 1
    for node in report["nodes"]:
        assert node["wall_s"] > 0, node["name"]
        assert 0 <= node["cpu_s"] <= node["wall_s"] * cores + 0.05, node["name"]
        phases = node["load_s"] + node["compute_s"] + node["save_s"] + node["lazy_save_s"]
        assert phases == pytest.approx(node["wall_s"], abs=5e-3), node["name"]
        assert node["rss_start_mb"] > 0
        assert node["peak_rss_mb"] >= max(node["rss_start_mb"], node["rss_end_mb"]) - 0.1
        assert node["process_maxrss_mb"] >= node["peak_rss_mb"] - 0.1
    totals = report["totals"]
    assert totals["nodes_wall_s"] <= totals["wall_s"]
    assert totals["process_maxrss_mb"] >= totals["peak_rss_mb"] - 0.1
    assert report["status"] == "success" and report["pipelines"] == TIMED_PIPELINES
    assert report["environment"]["libraries"]["kedro"] == "1.7.0"
    assert len(report["parameters_fingerprint"]) == 16
    assert 0 <= report["observer_overhead"]["share_of_wall"] < 0.05


def _check_rows_and_rates_match_the_written_data(project: Path, report: dict) -> None:
    data = project / "data"
    accepted = pd.read_parquet(data / "02_intermediate/sbir_awards.parquet")
    rejected = pd.read_parquet(data / "02_intermediate/sbir_awards_rejected.parquet")
    enriched = pd.read_parquet(data / "03_primary/enriched_sbir_awards.parquet")
    nodes = {node["name"]: node for node in report["nodes"]}
    writer = next(n for n in nodes.values() if "sbir_awards" in n["outputs"])
    assert writer["inputs"]["sbir_awards_raw"] == {"kind": "iterator"}  # streamed, not counted
    assert writer["outputs"]["sbir_awards"]["rows"] == len(accepted)
    assert writer["outputs"]["sbir_awards_rejected"]["rows"] == len(rejected)
    assert report["totals"]["throughput"]["count"] == len(accepted)
    final = next(n for n in nodes.values() if "enriched_sbir_awards" in n["outputs"])
    assert final["outputs"]["enriched_sbir_awards"]["rows"] == len(enriched)
    assert final["throughput"]["per_s"] == pytest.approx(len(accepted) / final["wall_s"],
                                                         rel=0.01)
    # Domain figures are the accuracy report's own, copied as they were saved.
    accuracy = json.loads((data / "08_reporting/latest/accuracy_report.json").read_text())
    figures = report["figures"]
    assert figures["awards"] == accuracy["awards"] == len(enriched)
    assert figures["matched"] == accuracy["matched"] == (
        enriched["match_method"] != "unmatched").sum()
    assert figures["precision"] == accuracy["precision"] is not None
    assert report["reports"]["accuracy_report"] == "data/08_reporting/latest/accuracy_report.json"


def _check_alerts_follow_the_figures(project: Path, report: dict) -> None:
    award_nodes = {n["name"] for n in report["nodes"] if n["throughput"] is not None}
    alerts = report["alerts"]
    assert {a["node"] for a in alerts if a["kind"] == "seconds_per_1k_units"} == award_nodes
    assert award_nodes  # the award-handling nodes were recognised
    assert not [a for a in alerts if a["kind"] == "node_memory_delta"]
    markdown = (project / "data/08_reporting/runs" / report["run_id"] / "run_report.md")
    text = markdown.read_text()
    assert "| matched |" in text and "## Alerts" in text and "s per 1,000 awards" in text


def test_markdown_of_a_run_without_nodes_names_no_bottleneck(tmp_path: Path) -> None:
    totals = {"wall_s": 0.5, "cpu_s": 0.4, "nodes_wall_s": 0.0, "load_s": 0.0,
              "compute_s": 0.0, "save_s": 0.0, "lazy_save_s": 0.0, "rss_start_mb": 200.0,
              "peak_rss_mb": 200.0, "memory_delta_mb": 0.0, "process_maxrss_mb": 200.0,
              "nodes": 0}
    report = RunReport.model_validate({
        "run_id": "r", "status": "success", "error": None, "started_at": "t0",
        "finished_at": "t1", "pipelines": ["p"], "env": "local", "runner": "SequentialRunner",
        "runtime_params": {}, "git": {"commit": None, "dirty": None},
        "parameters_fingerprint": "f", "environment": {},
        "memray": {"enabled": False, "arrow_memory_pool": None}, "totals": totals,
        "figures": {}, "reports": {},
        "observer_overhead": {"hook_s": 0.0, "sampler_cpu_s": 0.0, "share_of_wall": 0.0},
        "bottlenecks": bottlenecks([], 0.0), "nodes": [], "alerts": [], "notes": []})
    path = write_run_report(report, tmp_path)
    assert read_run_report(path) == report
    lines = (tmp_path / "run_report.md").read_text().splitlines()
    assert "Most time: –" in lines
    assert "Most memory: –" in lines
    assert "None." in lines  # no alerts
