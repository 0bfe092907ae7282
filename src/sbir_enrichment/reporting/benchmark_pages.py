"""The benchmark's reports: its page and Markdown summary, and the history's page and listing."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from sbir_enrichment.reporting.charts import spec
from sbir_enrichment.reporting.templating import render

# Metric, card title, y axis (plotly picks tick labels unless set: a flat series of 400 MB must
# not read "400, 400, 400").
_TREND_CHARTS = (("normalised_cpu", "Normalised CPU time (reference units)", {}),
                 ("awards_per_s", "Awards per second", {}),
                 ("peak_rss_mb", "Peak RSS (MB)", {}),
                 ("match_rate", "Match rate", {"tickformat": ".0%", "range": [0, 1.02]}))


def _size_labels(sizes: list[dict[str, Any]]) -> list[str]:
    return [f"{size['size']:,}" for size in sizes]


def time_figure(sizes: list[dict[str, Any]]) -> go.Figure:
    """Median pipeline time per size, with the fastest and slowest repeat as error bars."""
    return go.Figure(
        go.Bar(x=_size_labels(sizes), y=[size["wall_s"] for size in sizes],
               marker_color="#1f77b4", name="median wall time",
               error_y={"type": "data", "symmetric": False,
                        "array": [s["wall_s_max"] - s["wall_s"] for s in sizes],
                        "arrayminus": [s["wall_s"] - s["wall_s_min"] for s in sizes]},
               customdata=[[s["awards_per_s"]] for s in sizes],
               hovertemplate="%{x} awards: %{y:.2f} s (%{customdata[0]:,.0f} awards/s)"
                             "<extra></extra>"),
        layout={"xaxis": {"title": {"text": "awards"}, "type": "category"},
                "yaxis": {"title": {"text": "seconds"}}, "showlegend": False},
    )


def memory_figure(sizes: list[dict[str, Any]]) -> go.Figure:
    """Peak RSS of the timed process and its rise during the run, per size."""
    figure = go.Figure(layout={"barmode": "group",
                               "xaxis": {"title": {"text": "awards"}, "type": "category"},
                               "yaxis": {"title": {"text": "MB"}, "tickformat": ",.0f"}})
    figure.add_trace(go.Bar(x=_size_labels(sizes), y=[s["peak_rss_mb"] for s in sizes],
                            name="peak RSS"))
    figure.add_trace(go.Bar(x=_size_labels(sizes), y=[s["memory_delta_mb"] for s in sizes],
                            name="rise during the run"))
    return figure


def node_time_figure(sizes: list[dict[str, Any]]) -> go.Figure:
    """Share of node time per node, one stacked bar per size: where to optimise first."""
    figure = go.Figure(layout={"barmode": "stack",
                               "xaxis": {"title": {"text": "awards"}, "type": "category"},
                               "yaxis": {"tickformat": ".0%", "range": [0, 1]},
                               "legend": {"font": {"size": 11}}})
    names = list(dict.fromkeys(node["name"] for size in sizes for node in size["nodes"]))
    for name in names:
        shares = []
        for size in sizes:
            total = sum(node["wall_s"] or 0 for node in size["nodes"]) or 1
            wall = next((n["wall_s"] for n in size["nodes"] if n["name"] == name), 0) or 0
            shares.append(wall / total)
        figure.add_trace(go.Bar(x=_size_labels(sizes), y=shares, name=name))
    return figure


def node_memory_figure(size: dict[str, Any]) -> go.Figure:
    """Peak RSS rise per node at one size."""
    nodes = sorted(size["nodes"], key=lambda node: node["peak_delta_mb"] or 0)
    return go.Figure(
        go.Bar(y=[n["name"] for n in nodes], x=[n["peak_delta_mb"] for n in nodes],
               orientation="h", marker_color="#ff7f0e", name="peak RSS rise"),
        layout={"xaxis": {"title": {"text": "MB"}, "tickformat": ",.0f"},
                "showlegend": False},
    )


def _worker_label(workers: int | None) -> str:
    if workers is None:
        return "sequential"
    return f"{workers} Dask worker{'s' if workers > 1 else ''}"


def dask_comparison(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Per size also timed on a Dask cluster: a row per run configuration (sequential first)
    with its wall time, speed-ups, peak memory (driver and each worker) and checks against the
    baseline, and a row per configuration of each of the sequential run's heaviest nodes and of
    each node that ran tasks on the cluster (whatever its share of the sequential run)."""
    checks = {(entry["size"], entry["workers"]): {c["metric"]: c for c in entry["checks"]}
              for entry in results["regression"].get("dask", [])}
    compared = []
    for size in results["sizes"]:
        if not size.get("dask"):
            continue
        configurations = [(None, size, None, None), *(
            (entry["workers"], entry, entry["speed_up"], entry["speed_up_vs_one_worker"])
            for entry in size["dask"])]
        runs = [{"label": _worker_label(workers), "wall_s": figures["wall_s"],
                 "speed_up": (speed_up or {}).get("run"), "vs_one": (vs_one or {}).get("run"),
                 "peak_rss_mb": figures["peak_rss_mb"],
                 "worker_peaks": figures.get("worker_peak_rss_mb", []),
                 "checks": checks.get((size["size"], workers), {})}
                for workers, figures, speed_up, vs_one in configurations]
        names = dict.fromkeys([*(heavy["name"] for heavy in size["bottlenecks"]["time"]),
                               *(node["name"] for entry in size["dask"]
                                 for node in entry["nodes"] if node.get("cluster_tasks"))])
        nodes = [{"name": name, "label": _worker_label(workers),
                  "wall_s": next((node["wall_s"] for node in figures["nodes"]
                                  if node["name"] == name), None),
                  "speed_up": (speed_up or {}).get("nodes", {}).get(name),
                  "vs_one": (vs_one or {}).get("nodes", {}).get(name)}
                 for name in names
                 for workers, figures, speed_up, vs_one in configurations]
        compared.append({"size": size["size"], "runs": runs, "nodes": nodes})
    return compared


def dask_time_figure(compared: dict[str, Any]) -> go.Figure:
    """Wall time of the run and of its heaviest nodes, one bar per run configuration."""
    figure = go.Figure(layout={"barmode": "group", "xaxis": {"type": "category"},
                               "yaxis": {"title": {"text": "seconds"}}})
    names = list(dict.fromkeys(row["name"] for row in compared["nodes"]))
    for run in compared["runs"]:
        walls = [row["wall_s"] for row in compared["nodes"] if row["label"] == run["label"]]
        figure.add_trace(go.Bar(x=["whole run", *names], y=[run["wall_s"], *walls],
                                name=run["label"]))
    return figure


def _checks_by_size(regression: dict[str, Any]) -> dict[int, dict[str, dict[str, Any]]]:
    return {entry["size"]: {check["metric"]: check for check in entry["checks"]}
            for entry in regression["sizes"]}


def _checks_by_yardstick(regression: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    return {entry["yardstick"]: {check["metric"]: check for check in entry["checks"]}
            for entry in regression.get("yardsticks") or []}


def render_benchmark_summary(results: dict[str, Any]) -> str:
    """A PR-comment-sized Markdown summary: status, per-size table, the Dask runs (when timed),
    yardsticks' accuracy, bottlenecks, baseline."""
    return render("benchmark_summary.md.j2", results=results,
                  checks_by_size=_checks_by_size(results["regression"]),
                  yardstick_checks=_checks_by_yardstick(results["regression"]),
                  largest=max(results["sizes"], key=lambda size: size["size"]),
                  dask=dask_comparison(results))


def render_benchmark_page(results: dict[str, Any]) -> str:
    """The benchmark page: status, machine, charts per size, the Dask runs (when timed),
    bottlenecks, regression checks."""
    sizes = results["sizes"]
    largest = max(sizes, key=lambda size: size["size"])
    cards = [
        ("chart-time", "Pipeline time per size (median, min–max)", time_figure(sizes)),
        ("chart-memory", "Memory per size (median)", memory_figure(sizes)),
        ("chart-node-time", "Where the time goes (share of node time)", node_time_figure(sizes)),
        ("chart-node-memory", f"Peak RSS rise per node at {largest['size']:,} awards",
         node_memory_figure(largest)),
    ]
    dask = dask_comparison(results)
    if dask:
        cards.append(("chart-dask-time", f"Sequential and on Dask workers at "
                      f"{dask[-1]['size']:,} awards (median wall s)", dask_time_figure(dask[-1])))
    return render("benchmark_report.html.j2", results=results, largest=largest, dask=dask,
                  chart_cards=[(chart_id, title) for chart_id, title, _ in cards],
                  charts={chart_id: spec(figure) for chart_id, _, figure in cards})


def trend_figure(series: dict[str, dict[str, list[list[Any]]]], metric: str,
                 yaxis: dict[str, Any]) -> go.Figure:
    """One line per size of ``metric`` over the archived benchmarks (x: when created)."""
    figure = go.Figure(layout={"yaxis": yaxis})
    for size, by_metric in series.items():
        points = by_metric.get(metric, [])
        figure.add_trace(go.Scatter(x=[p[0] for p in points], y=[p[1] for p in points],
                                    mode="lines+markers", name=f"{int(size):,} awards"))
    return figure


def render_history_summary(history: dict[str, Any]) -> str:
    """The archived runs listed, then each size's metrics with their trend (Markdown)."""
    return render("benchmark_history.md.j2", history=history)


def render_history_page(history: dict[str, Any]) -> str:
    """The history page: trend charts, the metric table with trends, the list of runs."""
    cards = [(f"chart-trend-{metric}", title, trend_figure(history["series"], metric, yaxis))
             for metric, title, yaxis in _TREND_CHARTS]
    return render("benchmark_history.html.j2", history=history,
                  chart_cards=[(chart_id, title) for chart_id, title, _ in cards],
                  charts={chart_id: spec(figure) for chart_id, _, figure in cards})
