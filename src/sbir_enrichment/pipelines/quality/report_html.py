"""The quality report as one self-contained HTML page (plotly.js embedded, no network access).

``render`` takes the report dictionary (what ``quality_report`` JSON holds), the past reports for
the trend charts and the enrichment's score thresholds, and returns the page.
"""

from __future__ import annotations

from html import escape
from typing import Any

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

_STATUS_COLOURS = {"pass": "#1a7f37", "warn": "#b26b00", "fail": "#c62828", "skipped": "#6b7280"}
_METHOD_COLOURS = {
    "uei_exact": "#1f77b4", "duns_exact": "#17becf", "name_fuzzy": "#2ca02c",
    "review_band": "#ff7f0e", "unmatched": "#9e9e9e",
}
# Histogram series: name matches and the candidates' scores of the awards left unmatched.
_FUZZY_LABELS = ("name_fuzzy", "review_band", "unmatched")
_CONFIG = {"displaylogo": False, "responsive": True}
_LAYOUT = {
    "template": "plotly_white", "height": 340, "margin": {"l": 60, "r": 20, "t": 50, "b": 60},
}
_RATE_DIMENSIONS = (
    ("phase", "Match rate by phase"),
    ("size_bucket", "Match rate by company size (employees)"),
    ("identifiers", "Match rate by identifiers on the award"),
    ("agency", "Match rate by agency"),
    ("award_year", "Match rate by award year"),
)
_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       background: #f6f7f9; color: #1f2328; }
header { background: #fff; border-bottom: 1px solid #d8dee4; padding: 16px 32px; }
main { padding: 16px 32px 48px; max-width: 1400px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; }
.badge { display: inline-block; color: #fff; border-radius: 4px; padding: 2px 10px;
         font-weight: 600; text-transform: uppercase; font-size: 13px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 12px; }
.card { background: #fff; border: 1px solid #d8dee4; border-radius: 6px; padding: 10px 16px;
        min-width: 130px; }
.card .value { font-size: 22px; font-weight: 600; }
.card .label { font-size: 12px; color: #57606a; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 16px; }
.chart { background: #fff; border: 1px solid #d8dee4; border-radius: 6px; padding: 4px; }
table { border-collapse: collapse; background: #fff; font-size: 13px; width: 100%; }
th, td { border: 1px solid #d8dee4; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eef1f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: #57606a; font-size: 13px; }
"""


def _badge(status: str) -> str:
    colour = _STATUS_COLOURS.get(status, "#6b7280")
    return f'<span class="badge" style="background:{colour}">{escape(status)}</span>'


def _fmt(value: Any, share: bool = False) -> str:
    """A cell: shares as percentages, floats to 2 places, ints with separators, None as —."""
    if value is None:
        return "—"
    if share:
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return escape(str(value))


def _table(rows: list[dict[str, Any]], columns: list[tuple[str, str]],
           shares: tuple[str, ...] = ()) -> str:
    """An HTML table of ``rows`` over ``(key, heading)`` columns."""
    head = "".join(f"<th>{escape(title)}</th>" for _, title in columns)
    body = "".join(
        "<tr>" + "".join(
            f'<td class="{"num" if isinstance(row.get(k), int | float) else ""}">'
            f"{_fmt(row.get(k), k in shares)}</td>" for k, _ in columns
        ) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _chart(figure: go.Figure, div_id: str) -> str:
    """A figure as a div plus its script; plotly.js itself is embedded once in the head."""
    figure.update_layout(**_LAYOUT)
    html = figure.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=_CONFIG)
    return f'<div class="chart">{html}</div>'


def method_share_figure(report: dict[str, Any]) -> go.Figure:
    """Share of awards per match method (review band apart from the other unmatched)."""
    rows = report["breakdowns"]["match_method"]
    total = sum(r["awards"] for r in rows) or 1
    labels = [r["group"] for r in rows]
    shares = [r["awards"] / total for r in rows]
    return go.Figure(
        go.Bar(y=labels, x=shares, orientation="h",
               text=[f"{share:.1%} ({r['awards']:,})" for share, r in zip(shares, rows,
                                                                           strict=True)],
               textposition="auto", hovertemplate="%{y}: %{x:.1%}<extra></extra>",
               marker_color=[_METHOD_COLOURS.get(x, "#8c564b") for x in labels]),
        layout={"title": {"text": "Awards by match method"},
                "xaxis": {"tickformat": ".0%"},
                "yaxis": {"type": "category", "autorange": "reversed"}},
    )


def score_histogram_figure(report: dict[str, Any], thresholds: dict[str, float]) -> go.Figure:
    """Stacked histogram of fuzzy, review-band and unmatched scores, thresholds as lines."""
    histogram = report["score_histogram"]
    edges = histogram["bin_edges"]
    centres = [(lo + hi) / 2 for lo, hi in zip(edges, edges[1:], strict=False)]
    widths = [hi - lo for lo, hi in zip(edges, edges[1:], strict=False)]
    figure = go.Figure(layout={
        "title": {"text": "Name-match score distribution"}, "barmode": "stack",
        "legend": {"orientation": "h", "y": -0.3},
        "xaxis": {"title": {"text": "match_score"}},
        "yaxis": {"title": {"text": "awards"}},
    })
    for label in _FUZZY_LABELS:
        if label in histogram["counts"]:
            figure.add_trace(go.Bar(x=centres, y=histogram["counts"][label], width=widths,
                                    name=label, marker_color=_METHOD_COLOURS[label]))
    for name, score in thresholds.items():
        figure.add_vline(x=score, line_dash="dash", line_color="#c62828",
                         annotation_text=f"{name} ≥ {score:g}", annotation_position="top left")
    lowest = [lo for label, counts in histogram["counts"].items() if label in _FUZZY_LABELS
              for lo, count in zip(edges, counts, strict=False) if count]
    start = min([*lowest, *thresholds.values(), 100.0])
    figure.update_xaxes(range=[max(0.0, start - 10.0), 100.0])
    return figure


def rate_figure(rows: list[dict[str, Any]], title: str, min_match_rate: float) -> go.Figure:
    """Bars of match rate per group, with the match-rate gate as a line."""
    figure = go.Figure(
        go.Bar(x=[str(r["group"]) for r in rows], y=[r["match_rate"] for r in rows],
               customdata=[[r["matched"], r["awards"]] for r in rows],
               hovertemplate="%{x}: %{y:.1%} (%{customdata[0]} of %{customdata[1]})"
                             "<extra></extra>",
               marker_color="#1f77b4"),
        layout={"title": {"text": title}, "xaxis": {"type": "category"},
                "yaxis": {"title": {"text": "match rate"}, "tickformat": ".0%",
                          "range": [0, 1.05]}},
    )
    figure.add_hline(y=min_match_rate, line_dash="dash", line_color="#c62828",
                     annotation_text=f"min_match_rate {min_match_rate:.0%}")
    return figure


def trend_figure(history: list[dict[str, Any]], min_match_rate: float) -> go.Figure:
    """Match rate, precision and recall over past runs (oldest left), zoomed to their range."""
    runs = [h["generated_at"][:23].replace("T", " ") for h in history]
    figure = go.Figure(layout={
        "title": {"text": f"Trend over the last {len(history)} run(s)"},
        "xaxis": {"title": {"text": "run"}, "type": "category"},
    })
    lowest = min_match_rate
    for metric in ("match_rate", "precision", "recall"):
        values = [h["summary"].get(metric) for h in history]
        known = [v for v in values if v is not None]
        if known:
            lowest = min(lowest, *known)
            figure.add_trace(go.Scatter(x=runs, y=values, mode="lines+markers", name=metric))
    figure.update_yaxes(tickformat=".0%", range=[max(0.0, lowest - 0.05), 1.01])
    figure.add_hline(y=min_match_rate, line_dash="dash", line_color="#c62828",
                     annotation_text="min_match_rate")
    return figure


def _summary_cards(summary: dict[str, Any]) -> str:
    cards = [
        ("awards", summary["awards"], False), ("matched", summary["matched"], False),
        ("match rate", summary["match_rate"], True), ("review band", summary["review_band"], False),
        ("unmatched", summary["unmatched"], False), ("precision", summary["precision"], True),
        ("recall", summary["recall"], True), ("F1", summary["f1"], True),
    ]
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="value">{_fmt(v, share)}</div>'
        f'<div class="label">{escape(label)}</div></div>' for label, v, share in cards
    ) + "</div>"


def _gates_table(gates: list[dict[str, Any]]) -> str:
    rows = "".join(
        f"<tr><td>{escape(g['name'])}</td><td>{_badge(g['status'])}</td>"
        f'<td class="num">{_fmt(g["measured"])}</td><td class="num">{_fmt(g["threshold"])}</td>'
        f"<td>{escape(g['message'])}</td></tr>"
        for g in gates
    )
    return ("<table><thead><tr><th>gate</th><th>status</th><th>measured</th><th>threshold</th>"
            f"<th>message</th></tr></thead><tbody>{rows}</tbody></table>")


_BREAKDOWN_COLUMNS = [
    ("group", "group"), ("awards", "awards"), ("matched", "matched"),
    ("match_rate", "match rate"), ("score_p10", "score p10"), ("score_p50", "score median"),
    ("score_p90", "score p90"),
]


def render(report: dict[str, Any], history: list[dict[str, Any]],
           thresholds: dict[str, float]) -> str:
    """The full page.

    Args:
        report: This run's quality report (as saved in ``quality_report``).
        history: Past reports' ``generated_at``, ``status`` and ``summary``, oldest first,
            this run included.
        thresholds: Enrichment score thresholds to mark on the histogram, by name.

    Returns:
        A standalone HTML document.
    """
    min_rate = report["thresholds"]["min_match_rate"]
    charts = [
        _chart(method_share_figure(report), "chart-method-share"),
        _chart(score_histogram_figure(report, thresholds), "chart-score-histogram"),
        *(_chart(rate_figure(report["breakdowns"][key], title, min_rate), f"chart-rate-{key}")
          for key, title in _RATE_DIMENSIONS),
        _chart(trend_figure(history, min_rate), "chart-trend"),
    ]
    accuracy_rows = [{"method": m, **f} for m, f in report["accuracy_by_method"].items()]
    delta_rows = [{"metric": m, **d} for m, d in report["regression"]["deltas"].items()]
    breakdown_tables = "".join(
        f"<h3>{escape(key)}</h3>"
        + _table(rows, _BREAKDOWN_COLUMNS, shares=("match_rate",))
        for key, rows in report["breakdowns"].items()
    )
    baseline = report["regression"]["baseline_version"] or "none stored"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>SBIR enrichment quality report {escape(report["generated_at"])}</title>
<style>{_STYLE}</style>
<script type="text/javascript">{get_plotlyjs()}</script>
</head><body>
<header><h1>Enrichment quality report {_badge(report["status"])}</h1>
<div class="muted">generated {escape(report["generated_at"])} · baseline {escape(baseline)}</div>
{_summary_cards(report["summary"])}</header>
<main>
<h2>Gates</h2>{_gates_table(report["gates"])}
<h2>Charts</h2><div class="grid">{"".join(charts)}</div>
<h2>Change from the baseline</h2>
{_table(delta_rows, [("metric", "metric"), ("baseline", "baseline"), ("current", "current"),
                     ("delta_pts", "change (points)")], shares=("baseline", "current"))
 if delta_rows else '<p class="muted">No baseline stored: '
                    '<code>kedro run --pipelines quality_baseline</code> stores one.</p>'}
<h2>Precision and recall by match method</h2>
{_table(accuracy_rows, [("method", "method"), ("matched", "matched"), ("correct", "correct"),
                        ("wrong", "wrong"), ("precision", "precision"),
                        ("recall_share", "share of recall")],
        shares=("precision", "recall_share")) if accuracy_rows
 else '<p class="muted">No match truth for this run.</p>'}
<h2>Unmatched awards by phase</h2>
{_table(report["unmatched_by_phase"], [("phase", "phase"), ("awards", "awards"),
        ("unmatched", "unmatched"), ("review_band", "in review band"),
        ("unmatched_share", "unmatched share")], shares=("unmatched_share",))}
<h2>Breakdowns</h2>{breakdown_tables}
</main></body></html>
"""
