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

from sbir_enrichment.hooks.run_report import bottlenecks, to_markdown

TIMED_PIPELINES = ["ingestion", "enrichment"]
AWARDS = 400
# Limits that the run must cross (every award node is "slow", the match rate is "low") or never
# reach (memory), so the report's alerts can be checked against its own figures.
ALERT_PARAMS = {"observability": {"alerts": {
    "seconds_per_1k_awards": 1e-6, "min_match_rate": 0.999, "node_memory_delta_mb": 1e6}}}


def _run(project: Path, names: list[str], params: dict) -> dict:
    """Run ``names`` in a real session; returns the run report it wrote."""
    runs = project / "data/08_reporting/runs"
    before = set(runs.glob("*/run_report.json"))
    bootstrap_project(project)
    with KedroSession.create(project_path=project, runtime_params=params) as session:
        session.run(pipeline_names=names)
    (path,) = set(runs.glob("*/run_report.json")) - before
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
    assert writer["inputs"]["sbir_awards_raw"]["rows"] == AWARDS
    assert writer["outputs"]["sbir_awards"]["rows"] == len(accepted)
    assert writer["outputs"]["sbir_awards_rejected"]["rows"] == len(rejected)
    assert report["totals"]["awards"] == len(accepted)
    final = next(n for n in nodes.values() if "enriched_sbir_awards" in n["outputs"])
    assert final["outputs"]["enriched_sbir_awards"]["rows"] == len(enriched)
    assert final["awards_per_s"] == pytest.approx(len(accepted) / final["wall_s"], rel=0.01)
    assert report["totals"]["match_rate"] == pytest.approx(
        (enriched["match_method"] != "unmatched").mean())
    assert report["accuracy"]["precision"] is not None


def _check_alerts_follow_the_figures(project: Path, report: dict) -> None:
    award_nodes = {n["name"] for n in report["nodes"] if n["s_per_1k_awards"] is not None}
    alerts = report["alerts"]
    assert {a["node"] for a in alerts if a["kind"] == "seconds_per_1k_awards"} == award_nodes
    assert award_nodes  # the award-handling nodes were recognised
    assert [a["kind"] for a in alerts if a["node"] is None] == ["match_rate"]
    assert not [a for a in alerts if a["kind"] == "node_memory_delta"]
    markdown = (project / "data/08_reporting/runs" / report["run_id"] / "run_report.md")
    assert "match rate" in markdown.read_text() and "## Alerts" in markdown.read_text()


def test_markdown_of_a_run_without_nodes_names_no_bottleneck() -> None:
    totals = {"wall_s": 0.5, "cpu_s": 0.4, "peak_rss_mb": 200.0, "memory_delta_mb": 0.0,
              "awards": None, "awards_per_s": None, "match_rate": None}
    report = {"run_id": "r", "status": "success", "pipelines": ["p"], "env": "local",
              "runner": "SequentialRunner", "git": {"commit": None, "dirty": None},
              "parameters_fingerprint": "f", "totals": totals, "accuracy": None, "nodes": [],
              "observer_overhead": {"hook_s": 0.0, "sampler_cpu_s": 0.0, "share_of_wall": 0.0},
              "bottlenecks": bottlenecks([], 0.0), "alerts": []}
    lines = to_markdown(report).splitlines()
    assert "Most time: –" in lines
    assert "Most memory: –" in lines
