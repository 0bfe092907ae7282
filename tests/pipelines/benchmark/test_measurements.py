"""Summaries of timed runs: a size's runs on Dask workers beside its sequential runs."""

from __future__ import annotations

from benchmark_samples import dask_run, result

from sbir_enrichment.pipelines.benchmark.measurements import summarise_dask


def test_dask_summary_gives_each_workers_peak_and_the_speed_ups() -> None:
    sequential = result()["sizes"][0]  # 1,000 awards, 2.0 s median
    runs = {1: [dask_run(1000, wall, 1, peak) for wall, peak in ((2.4, 300.0), (2.6, 320.0))],
            2: [dask_run(1000, wall, 2, peak) for wall, peak in ((1.2, 300.0), (1.4, 340.0))]}
    one, two = summarise_dask(sequential, runs, top_nodes=2)
    assert two["workers"] == 2 and two["wall_s"] == 1.3
    # Each worker's peak, largest first, the median over the repeats.
    assert two["worker_peak_rss_mb"] == [330.0, 320.0] and two["worker_peak_rss_mb_max"] == 330
    assert two["speed_up"]["run"] == round(2.0 / 1.3, 3)
    assert two["speed_up"]["nodes"]["link_chunks_node"] == round(1.4 / (1.3 * 0.7), 3)
    assert two["speed_up_vs_one_worker"]["run"] == round(2.5 / 1.3, 3)
    assert one["speed_up_vs_one_worker"]["run"] == 1.0
    (alone,) = summarise_dask(sequential, {2: runs[2]}, top_nodes=2)
    assert alone["speed_up_vs_one_worker"] is None  # one worker was not timed
