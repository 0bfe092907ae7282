"""Self-contained HTML pages (plotly.js embedded, no network) for benchmarks and their history."""

from __future__ import annotations

from html import escape
from typing import Any

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from sbir_enrichment.pipelines.benchmark.report_markdown import machine_line

_STATUS_COLOURS = {"OK": "#1a7f37", "WARNING": "#b26b00", "FAILURE": "#c62828",
                   "NO_BASELINE": "#6b7280", "improving": "#1a7f37", "degrading": "#c62828",
                   "stable": "#6b7280"}
_CONFIG = {"displaylogo": False, "responsive": True}
_LAYOUT = {"template": "plotly_white", "height": 360,
           "margin": {"l": 60, "r": 20, "t": 50, "b": 60}}
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1f2328; }
header { background: #fff; border-bottom: 1px solid #d8dee4; padding: 16px 32px; }
main { padding: 16px 32px 48px; max-width: 1400px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; }
.badge { display: inline-block; color: #fff; border-radius: 4px; padding: 2px 10px;
         font-weight: 600; font-size: 13px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
.chart { background: #fff; border: 1px solid #d8dee4; border-radius: 6px; padding: 4px; }
table { border-collapse: collapse; background: #fff; font-size: 13px; }
th, td { border: 1px solid #d8dee4; padding: 4px 8px; text-align: left; }
th { background: #eef1f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: #57606a; font-size: 13px; }
"""


def badge(status: str) -> str:
    """A coloured status label."""
    colour = _STATUS_COLOURS.get(status, "#6b7280")
    return f'<span class="badge" style="background:{colour}">{escape(status)}</span>'


def _cell(value: Any) -> str:
    if value is None:
        return "<td>–</td>"
    if isinstance(value, float):
        return f'<td class="num">{value:,.3f}</td>'
    if isinstance(value, int):
        return f'<td class="num">{value:,}</td>'
    return f"<td>{value}</td>"


def table(rows: list[list[Any]], headings: list[str]) -> str:
    """An HTML table; string cells are inserted as given (escape them first)."""
    head = "".join(f"<th>{escape(title)}</th>" for title in headings)
    body = "".join("<tr>" + "".join(_cell(value) for value in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def chart(figure: go.Figure, div_id: str) -> str:
    """A figure's div and script; plotly.js is embedded once by :func:`page`."""
    figure.update_layout(**_LAYOUT)
    html = figure.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                          config=_CONFIG)
    return f'<div class="chart">{html}</div>'


def page(title: str, header: str, body: str) -> str:
    """A standalone document with plotly.js inlined."""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style>"
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head>"
        f"<body><header>{header}</header><main>{body}</main></body></html>"
    )


def time_figure(sizes: list[dict[str, Any]]) -> go.Figure:
    """Median pipeline time per size, with the fastest and slowest repeat as error bars."""
    labels = [f"{size['size']:,}" for size in sizes]
    walls = [size["wall_s"] for size in sizes]
    return go.Figure(
        go.Bar(x=labels, y=walls, marker_color="#1f77b4",
               error_y={"type": "data", "symmetric": False,
                        "array": [s["wall_s_max"] - s["wall_s"] for s in sizes],
                        "arrayminus": [s["wall_s"] - s["wall_s_min"] for s in sizes]},
               customdata=[[s["awards_per_s"]] for s in sizes],
               hovertemplate="%{x} awards: %{y:.2f} s (%{customdata[0]:,.0f} awards/s)"
                             "<extra></extra>"),
        layout={"title": {"text": "Pipeline time per size (median, min–max)"},
                "xaxis": {"title": {"text": "awards"}, "type": "category"},
                "yaxis": {"title": {"text": "seconds"}}},
    )


def memory_figure(sizes: list[dict[str, Any]]) -> go.Figure:
    """Peak RSS of the timed process and its rise during the run, per size."""
    labels = [f"{size['size']:,}" for size in sizes]
    figure = go.Figure(layout={
        "title": {"text": "Memory per size (median)"}, "barmode": "group",
        "xaxis": {"title": {"text": "awards"}, "type": "category"},
        "yaxis": {"title": {"text": "MB"}},
    })
    figure.add_trace(go.Bar(x=labels, y=[s["peak_rss_mb"] for s in sizes], name="peak RSS"))
    figure.add_trace(go.Bar(x=labels, y=[s["memory_delta_mb"] for s in sizes],
                            name="rise during the run"))
    return figure


def node_time_figure(sizes: list[dict[str, Any]]) -> go.Figure:
    """Share of node time per node, one stacked bar per size: where to optimise first."""
    figure = go.Figure(layout={
        "title": {"text": "Where the time goes (share of node time)"}, "barmode": "stack",
        "xaxis": {"title": {"text": "awards"}, "type": "category"},
        "yaxis": {"tickformat": ".0%", "range": [0, 1]},
    })
    names = list(dict.fromkeys(node["name"] for size in sizes for node in size["nodes"]))
    for name in names:
        shares = []
        for size in sizes:
            total = sum(node["wall_s"] or 0 for node in size["nodes"]) or 1
            wall = next((n["wall_s"] for n in size["nodes"] if n["name"] == name), 0) or 0
            shares.append(wall / total)
        figure.add_trace(go.Bar(x=[f"{s['size']:,}" for s in sizes], y=shares, name=name))
    return figure


def node_memory_figure(size: dict[str, Any]) -> go.Figure:
    """Peak RSS rise per node at one size."""
    nodes = sorted(size["nodes"], key=lambda node: node["peak_delta_mb"] or 0)
    return go.Figure(
        go.Bar(y=[n["name"] for n in nodes], x=[n["peak_delta_mb"] for n in nodes],
               orientation="h", marker_color="#ff7f0e"),
        layout={"title": {"text": f"Peak RSS rise per node at {size['size']:,} awards"},
                "xaxis": {"title": {"text": "MB"}}, "margin": {"l": 220}},
    )


def _regression_rows(regression: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for entry in regression["sizes"]:
        for check in entry["checks"]:
            change = check.get("change_pct", check.get("change_pts"))
            unit = " pts" if "change_pts" in check else " %"
            rows.append([entry["size"], escape(check["metric"]), check["baseline"],
                         check["current"],
                         None if change is None else f"{change:+.2f}{unit}",
                         badge(check["status"])])
    return rows


def render_benchmark(results: dict[str, Any]) -> str:
    """The benchmark page: status, machine, charts per size, bottlenecks, regression checks."""
    sizes = results["sizes"]
    regression = results["regression"]
    largest = max(sizes, key=lambda size: size["size"])
    git = results["git"]
    header = (
        f"<h1>Benchmark {escape(results['benchmark_id'])} {badge(regression['status'])}</h1>"
        f"<div class='muted'>commit {escape(str(git['commit']))}"
        f"{' (dirty)' if git['dirty'] else ''} · parameters "
        f"{escape(str(results['parameters_fingerprint']))} · "
        f"{escape(machine_line(results['environment']))} · reference workload "
        f"{results['reference']['median_s']:.3f} s wall / "
        f"{results['reference']['median_cpu_s']:.3f} s CPU</div>"
    )
    size_rows = [[s["size"], s["recipients"], s["repeats"], s["wall_s"], s["cpu_s"],
                  s["normalised_cpu"], s["normalised_time"], s["awards_per_s"], s["peak_rss_mb"],
                  s["memory_delta_mb"], s["match_rate"], s["precision"], s["recall"]]
                 for s in sizes]
    spot_rows = [[escape(resource), escape(b["name"]),
                  b.get("wall_s", b.get("peak_delta_mb")), b["share"]]
                 for resource, spots in largest["bottlenecks"].items() for b in spots]
    body = (
        "<h2>Sizes</h2>"
        + table(size_rows, ["awards", "recipients", "repeats", "wall s", "CPU s",
                            "normalised CPU", "normalised wall", "awards/s", "peak RSS MB",
                            "rise MB", "match rate", "precision", "recall"])
        + "<div class='grid'>"
        + chart(time_figure(sizes), "time")
        + chart(memory_figure(sizes), "memory")
        + chart(node_time_figure(sizes), "node_time")
        + chart(node_memory_figure(largest), "node_memory")
        + "</div>"
        + f"<h2>Bottlenecks at {largest['size']:,} awards</h2>"
        + table(spot_rows, ["resource", "node", "seconds / MB", "share"])
        + "<h2>Against the baseline</h2>"
        + table(_regression_rows(regression),
                ["awards", "metric", "baseline", "current", "change", "status"])
    )
    return page(f"Benchmark {results['benchmark_id']}", header, body)


_TREND_CHARTS = (("normalised_cpu", "Normalised CPU time (reference units)"),
                 ("awards_per_s", "Awards per second"),
                 ("peak_rss_mb", "Peak RSS (MB)"),
                 ("match_rate", "Match rate"))


def trend_figure(series: dict[str, dict[str, list[list[Any]]]], metric: str,
                 title: str) -> go.Figure:
    """One line per size of ``metric`` over the archived benchmarks."""
    figure = go.Figure(layout={"title": {"text": title},
                               "xaxis": {"title": {"text": "benchmark created"}}})
    for size, by_metric in series.items():
        points = by_metric.get(metric, [])
        figure.add_trace(go.Scatter(x=[p[0] for p in points], y=[p[1] for p in points],
                                    mode="lines+markers", name=f"{int(size):,} awards"))
    return figure


def render_history(history: dict[str, Any]) -> str:
    """The history page: trend charts, the metric table with trends, the list of runs."""
    period = f"last {history['days']:g} days" if history.get("days") else "all time"
    header = (f"<h1>Benchmark history</h1><div class='muted'>{escape(period)} · "
              f"{len(history['runs'])} run(s) · generated {escape(history['generated_at'])}"
              "</div>")
    metric_rows = [[m["size"], escape(m["metric"]), m["count"], m["min"], m["max"], m["mean"],
                    m["latest"], badge(m["trend"]) + (f" {m['change_pct']:+.1f}%"
                                                      if m["change_pct"] is not None else "")]
                   for m in history["metrics"]]
    run_rows = [[escape(r["created_at"][:19]), escape(r["commit"] + ("*" if r["dirty"] else "")),
                 badge(r["status"]), escape(r["cpu_model"]),
                 escape(", ".join(f"{size:,}: {wall:.2f} s" for size, wall in r["wall_s"]))]
                for r in history["runs"]]
    body = (
        "<div class='grid'>"
        + "".join(chart(trend_figure(history["series"], metric, title), f"trend_{metric}")
                  for metric, title in _TREND_CHARTS)
        + "</div><h2>Metrics</h2>"
        + table(metric_rows, ["awards", "metric", "runs", "min", "max", "mean", "latest",
                              "trend"])
        + "<h2>Runs</h2>"
        + table(run_rows, ["created", "commit", "status", "CPU", "time per size"])
    )
    return page("Benchmark history", header, body)
