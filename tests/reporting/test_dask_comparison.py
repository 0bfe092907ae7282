"""The benchmark's comparison of Dask runs names the nodes that ran tasks on the cluster."""

from __future__ import annotations

from sbir_enrichment.reporting.benchmark_pages import dask_comparison


def _figures(wall: dict[str, float], tasks: dict[str, int]) -> dict:
    return {"wall_s": sum(wall.values()), "peak_rss_mb": 500.0,
            "nodes": [{"name": name, "wall_s": seconds, "cluster_tasks": tasks.get(name)}
                      for name, seconds in wall.items()]}


def test_a_node_that_ran_on_the_cluster_is_compared_though_not_among_the_heaviest() -> None:
    sequential = _figures({"parse": 5.0, "validate": 4.0, "enrich": 0.5}, {})
    two = _figures({"parse": 5.0, "validate": 4.0, "enrich": 0.25}, {"enrich": 3})
    results = {"regression": {"sizes": [], "dask": []}, "sizes": [{
        **sequential, "size": 300, "bottlenecks": {"time": [{"name": "parse"},
                                                           {"name": "validate"}]},
        "dask": [{**two, "workers": 2, "worker_peak_rss_mb": [300.0],
                  "speed_up": {"run": 9.5 / 9.25, "nodes": {"enrich": 2.0}},
                  "speed_up_vs_one_worker": None}]}]}
    (compared,) = dask_comparison(results)
    rows = {(row["name"], row["label"]): row for row in compared["nodes"]}
    assert [name for name, label in rows if label == "2 Dask workers"] == [
        "parse", "validate", "enrich"]  # the heaviest first, then what ran on the cluster
    assert rows[("enrich", "2 Dask workers")]["wall_s"] == 0.25
    assert rows[("enrich", "2 Dask workers")]["speed_up"] == 2.0
    assert rows[("enrich", "sequential")]["wall_s"] == 0.5


def test_results_written_before_nodes_recorded_their_tasks_still_compare() -> None:
    older = _figures({"parse": 5.0}, {})
    for node in older["nodes"]:
        del node["cluster_tasks"]
    results = {"regression": {"sizes": [], "dask": []}, "sizes": [{
        **older, "size": 300, "bottlenecks": {"time": [{"name": "parse"}]},
        "dask": [{**older, "workers": 1, "speed_up": None, "speed_up_vs_one_worker": None}]}]}
    (compared,) = dask_comparison(results)
    assert [row["name"] for row in compared["nodes"]] == ["parse", "parse"]
