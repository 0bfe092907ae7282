"""The observer under Kedro's real runner: lazy partition saves, generator nodes, memray.

These runs use the real ``SequentialRunner``, hook manager, catalog and datasets with small
purpose-built pipelines, so the events a node emits (and their order) are Kedro's own.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import memray
import numpy as np
import pandas as pd
import pytest
from kedro.config import OmegaConfigLoader
from kedro.framework.context import KedroContext
from kedro.framework.hooks.manager import _create_hook_manager
from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import Node, Pipeline
from kedro.runner import SequentialRunner
from kedro_datasets.json import JSONDataset
from kedro_datasets.pandas import ParquetDataset

from sbir_enrichment.datasets.partitions import ChunkedPartitionedDataset
from sbir_enrichment.hooks.observer import RunObserver

PARTITION_SECONDS = 0.15
BIG_ARRAY_MB = 80


def make_awards(n: int) -> pd.DataFrame:
    """A frame of ``n`` awards."""
    return pd.DataFrame({"source_row": np.arange(n), "company": "ACME"})


def lazy_partitions(awards: pd.DataFrame) -> dict:
    """Three partitions whose work happens when the dataset saves them."""
    def part(i: int):
        def compute() -> pd.DataFrame:
            time.sleep(PARTITION_SECONDS)
            return awards.iloc[i::3]
        return compute
    return {f"part-{i}": part(i) for i in range(3)}


def stream_chunks(awards: pd.DataFrame):
    """A generator node: each chunk is saved as it is yielded."""
    for i in range(4):
        yield awards.iloc[i::4]


def hold_big_array(awards: pd.DataFrame) -> pd.DataFrame:
    """Touch ``BIG_ARRAY_MB`` MB and hold them for a few RSS sampling periods."""
    block = np.ones(BIG_ARRAY_MB * 1024 * 1024 // 8)
    time.sleep(0.25)
    return awards.assign(score=float(block[: len(awards)].sum()))


def summarise(awards: pd.DataFrame) -> dict:
    """A small report of the awards: what a domain node saves as JSON."""
    return {"totals": {"awards": len(awards), "share": 0.25}, "status": "pass"}


def _observe(tmp_path: Path, nodes: list[Node], runtime_params: dict,
             extra: dict | None = None) -> dict:
    """Run ``nodes`` under the observer (``extra`` datasets added to the catalog); returns the
    run report."""
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    conf = Path(__file__).resolve().parents[2] / "conf"
    loader = OmegaConfigLoader(conf_source=str(conf), base_env="base", default_run_env="local",
                               runtime_params=runtime_params)
    hook_manager = _create_hook_manager()
    observer = RunObserver()
    hook_manager.register(observer)
    context = KedroContext(project_path=project, config_loader=loader, env="local",
                           package_name="sbir_enrichment", hook_manager=hook_manager,
                           runtime_params=runtime_params)
    hook_manager.hook.after_context_created(context=context)
    catalog = DataCatalog({
        "params:n": MemoryDataset(5000),
        "sbir_awards": ParquetDataset(filepath=str(project / "data" / "awards.parquet")),
        "award_chunks": ChunkedPartitionedDataset(
            path=str(project / "data" / "chunks"), dataset="pandas.ParquetDataset",
            filename_suffix=".parquet"),
        **(extra or {}),
    })
    hook_manager.hook.after_catalog_created(
        catalog=catalog, conf_catalog={}, conf_creds={}, parameters={},
        save_version="test-run", load_versions={})
    pipeline = Pipeline(nodes)
    run_params = {"run_id": "test-run", "runner": None, "pipeline_names": ["toy"],
                  "env": "local", "runtime_params": runtime_params}
    hook_manager.hook.before_pipeline_run(run_params=run_params, pipeline=pipeline,
                                          catalog=catalog)
    SequentialRunner().run(pipeline, catalog, hook_manager, run_id="test-run")
    hook_manager.hook.after_pipeline_run(run_params=run_params, run_result={},
                                         pipeline=pipeline, catalog=catalog)
    assert observer.last_report_dir is not None
    return json.loads((observer.last_report_dir / "run_report.json").read_text())


def test_lazy_partition_saves_and_generator_saves_belong_to_their_node(tmp_path: Path) -> None:
    report = _observe(tmp_path, [
        Node(make_awards, "params:n", "sbir_awards", name="make_awards_node"),
        Node(lazy_partitions, "sbir_awards", "award_chunks", name="lazy_partitions_node"),
        Node(stream_chunks, "sbir_awards", "streamed", name="stream_chunks_node"),
    ], {})
    nodes = {node["name"]: node for node in report["nodes"]}
    assert set(nodes) == {"make_awards_node", "lazy_partitions_node", "stream_chunks_node"}

    lazy = nodes["lazy_partitions_node"]
    # The partitions' work ran inside catalog.save, after after_node_run: still this node's.
    assert lazy["lazy_save_s"] >= 3 * PARTITION_SECONDS
    assert lazy["wall_s"] >= lazy["lazy_save_s"]
    assert lazy["outputs"]["award_chunks"] == {"kind": "lazy_partitions", "partitions": 3}
    assert lazy["rows_in"] == 5000

    streamed = nodes["stream_chunks_node"]
    assert streamed["outputs"]["streamed"]["rows"] == 5000
    assert streamed["outputs"]["streamed"]["saves"] == 4

    made = nodes["make_awards_node"]
    assert made["rows_out"] == 5000 and made["inputs"] == {}  # parameters are not data
    assert report["totals"]["throughput"] == {
        "unit": "awards", "count": 5000, "per_s": pytest.approx(5000 / report["totals"]["wall_s"],
                                                                rel=0.01),
        "s_per_1k": pytest.approx(report["totals"]["wall_s"] / 5, rel=0.01)}
    for node in report["nodes"]:
        phases = node["load_s"] + node["compute_s"] + node["save_s"] + node["lazy_save_s"]
        assert node["wall_s"] == pytest.approx(phases, abs=2e-3)
        assert node["throughput"]["per_s"] > 0  # every node here reads or writes award data
    assert [n["order"] for n in report["nodes"]] == [0, 1, 2]


def test_figures_and_report_paths_come_from_the_parameters(tmp_path: Path, capsys) -> None:
    report_path = tmp_path / "project" / "data" / "toy_report.json"
    report = _observe(tmp_path, [
        Node(make_awards, "params:n", "sbir_awards", name="make_awards_node"),
        Node(summarise, "sbir_awards", "toy_report", name="summarise_node"),
    ], {"observability": {
        "figures": {"awards": "toy_report.totals.awards", "share": "toy_report.totals.share",
                    "quality_status": "toy_report.status", "absent": "toy_report.nothing"},
        "reports": ["toy_report"]}},
        extra={"toy_report": JSONDataset(filepath=str(report_path))})
    assert report["figures"]["awards"] == 5000 and report["figures"]["share"] == 0.25
    assert report["figures"]["quality_status"] == "pass"
    assert report["figures"]["absent"] is None
    assert report["reports"] == {
        "run_report": "data/08_reporting/runs/test-run/run_report.md",
        "toy_report": "data/toy_report.json"}
    # The summary printed at the end names the figures and every report path.
    summary = capsys.readouterr().out
    assert "Run test-run succeeded" in summary
    assert "awards           5,000" in summary and "quality gates    pass" in summary
    assert "data/08_reporting/runs/test-run/run_report.md" in summary
    assert "data/toy_report.json" in summary
    # The newest run report is also at the stable path.
    latest = tmp_path / "project" / "data/08_reporting/latest/run_report.json"
    assert json.loads(latest.read_text()) == report


def test_memray_profiles_each_node_and_its_peak_matches_rss(tmp_path: Path) -> None:
    report = _observe(tmp_path, [
        Node(make_awards, "params:n", "sbir_awards", name="make_awards_node"),
        Node(hold_big_array, "sbir_awards", "scored", name="hold_big_array_node"),
    ], {"observability": {"memray": {"enabled": True}}})
    assert report["memray"]["enabled"]
    assert report["memray"]["arrow_memory_pool"] == "system"
    big = next(n for n in report["nodes"] if n["name"] == "hold_big_array_node")
    profile = big["memray"]
    assert Path(profile["bin"]).stat().st_size > 0
    assert Path(profile["bin"]).parent == tmp_path / "project" / report_dir_of(report)
    assert "<html" in Path(profile["flamegraph"]).read_text().lower()
    # The biggest allocation at the peak carries its whole stack: the node and Kedro's runner.
    reader = memray.FileReader(profile["bin"])
    biggest = max(reader.get_high_watermark_allocation_records(merge_threads=True),
                  key=lambda record: record.size)
    functions = [frame[0] for frame in biggest.stack_trace()]
    reader.close()
    assert "hold_big_array" in functions and "_run_node_sequential" in functions
    heap_peak = profile["peak_mb"] - profile["peak_mmap_mb"]
    assert heap_peak >= BIG_ARRAY_MB
    # The array's pages are touched, so RSS rose by about as much as memray saw allocated.
    assert 0.7 * heap_peak <= big["peak_delta_mb"] <= 1.5 * heap_peak + 50


def report_dir_of(report: dict) -> Path:
    """Where a run's memray files go, relative to the project."""
    return Path("data/08_reporting/runs") / report["run_id"] / "memray"
