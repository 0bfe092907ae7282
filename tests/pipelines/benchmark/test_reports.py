"""The benchmark's Markdown summary and HTML pages, the latter rendered in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmark_samples import result, yardstick
from browser_fixtures import console_errors, open_page
from selenium.webdriver.common.by import By

from sbir_enrichment.pipelines.benchmark.history import summarise_history
from sbir_enrichment.pipelines.benchmark.nodes import (
    build_benchmark_reports,
    build_history_reports,
)


def test_markdown_summary_is_short_and_names_status_sizes_and_bottlenecks() -> None:
    baseline = result()
    summary, _ = build_benchmark_reports(result(slowdown=1.3, baseline=baseline))
    assert summary.startswith("### Benchmark FAILURE")
    assert "| 1,000 |" in summary and "| 10,000 |" in summary
    assert "+30.0% FAILURE" in summary and "+30.0% WARNING" in summary  # CPU fails, wall warns
    assert "`link_chunks_node` 70.0%" in summary  # the bottleneck and its share of node time
    assert "Baseline: benchmark" in summary
    assert len(summary) < 4000 and summary.count("\n") < 30  # fits a PR comment


def test_summary_and_page_give_each_yardsticks_accuracy_against_the_baseline() -> None:
    worse = result(baseline=result(), yardsticks={"real_variants": yardstick(precision=0.92)})
    summary, html = build_benchmark_reports(worse)
    assert ("| real_variants | 2,000 | 31,600 | 0.920 | -4.00 pts FAILURE | 0.800 | +0.00 pts OK |"
            in summary)
    assert '<section id="yardsticks">' in html and "<td>real_variants</td>" in html
    assert "<td class=\"num\">real_variants</td><td>precision</td>" in html


def test_summary_and_page_name_the_memory_limit_the_runs_had() -> None:
    summary, html = build_benchmark_reports(result(memory_limit_mb=1000))
    assert "inside a memory limit of 1,000 MB (cgroup)" in summary
    assert "1,000 MB memory limit (cgroup)" in html
    unlimited, _ = build_benchmark_reports(result())
    assert "memory limit" not in unlimited


def test_summary_and_page_give_the_dask_runs_beside_the_sequential_ones() -> None:
    # Two workers at 0.6 of the sequential time; one worker at 1.2 (so 2.00× over one worker).
    summary, html = build_benchmark_reports(
        result(baseline=result(dask={2: 0.6}), dask={1: 1.2, 2: 0.6}))
    assert "| 10,000 | sequential | 12.00 | – | – | – | 400 | – | – |" in summary
    assert "| 10,000 | 1 Dask worker | 14.40 | 0.83× | 1.00× | – | 400 | 350 | – |" in summary
    assert ("| 10,000 | 2 Dask workers | 7.20 | 1.67× | 2.00× | +0.0% OK | 400 | 360 / 350 | "
            "+0.0% OK |") in summary
    # The heaviest nodes of the sequential run, per configuration.
    assert "| 10,000 | `link_chunks_node` | 2 Dask workers | 5.04 | 1.67× | 2.00× |" in summary
    assert '<section id="dask">' in html and "<td>2 Dask workers</td>" in html
    assert '<td class="num">360 / 350</td>' in html
    assert "10,000, 2 Dask workers</td><td>worker_peak_rss_mb_max</td>" in html
    assert 'id="chart-dask-time"' in html
    plain_summary, plain_html = build_benchmark_reports(result())
    assert "Dask" not in plain_summary and "Dask" not in plain_html


def test_markdown_without_baseline_says_how_to_store_one() -> None:
    summary, _ = build_benchmark_reports(result())
    assert summary.startswith("### Benchmark NO_BASELINE")
    assert "kedro run --pipelines benchmark_baseline" in summary


@pytest.mark.browser
def test_benchmark_and_history_pages_render_their_charts_in_chromium(chromium, tmp_path: Path
                                                                      ) -> None:
    _, html = build_benchmark_reports(result(slowdown=1.12, baseline=result()))
    history = {"days": None, **summarise_history(
        [result("2026-01-01T00:00:00+00:00"), result("2026-01-02T00:00:00+00:00", 1.2)], 5)}
    _, history_html = build_history_reports(history)
    _, dask_html = build_benchmark_reports(result(dask={1: 1.2, 2: 0.6}))
    for name, page, charts in (("benchmark.html", html, 4), ("history.html", history_html, 4),
                               ("dask.html", dask_html, 5)):
        path = tmp_path / name
        path.write_text(page)
        open_page(chromium, path.as_uri())
        assert console_errors(chromium) == []
        plots = chromium.find_elements(By.CSS_SELECTOR, "div.js-plotly-plot")
        assert len(plots) == charts
        # Each chart drew its data: plotly renders one SVG group per trace.
        for plot in plots:
            assert plot.find_elements(By.CSS_SELECTOR, "g.trace"), plot.get_attribute("id")
        assert "<script src" not in page  # plotly.js is inline: the page works offline
    assert "WARNING" in html
