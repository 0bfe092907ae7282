"""The quality report page: charts from the report's figures, sections from template partials."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from sbir_enrichment.reporting.charts import METHOD_COLOURS, spec, threshold_line
from sbir_enrichment.reporting.numbers import fmt
from sbir_enrichment.reporting.templating import render

# Histogram series: name matches and the candidates' scores of the awards left unmatched.
_NAME_STAGE_LABELS = ("name_fuzzy", "review_band", "unmatched")
_RATE_DIMENSIONS = (
    ("phase", "Match rate by phase"),
    ("size_bucket", "Match rate by company size (employees)"),
    ("identifiers", "Match rate by identifiers on the award"),
    ("agency", "Match rate by agency"),
    ("award_year", "Match rate by award year"),
)


def method_share_figure(rows: list[dict[str, Any]]) -> go.Figure:
    """Share of awards per match method (review band apart from the other unmatched)."""
    total = sum(r["awards"] for r in rows) or 1
    labels = [r["group"] for r in rows]
    shares = [r["awards"] / total for r in rows]
    return go.Figure(
        go.Bar(y=labels, x=shares, orientation="h", name="share of awards",
               text=[f"{fmt(share, 'percent')} ({fmt(r['awards'], 'count')})"
                     for share, r in zip(shares, rows, strict=True)],
               textposition="auto", hovertemplate="%{y}: %{x:.1%}<extra></extra>",
               marker_color=[METHOD_COLOURS.get(label, "#8c564b") for label in labels]),
        layout={"xaxis": {"tickformat": ".0%"},
                "yaxis": {"type": "category", "autorange": "reversed"}, "showlegend": False},
    )


def score_histogram_figure(histogram: dict[str, Any], thresholds: dict[str, float]
                           ) -> go.Figure:
    """Stacked histogram of name-stage scores (name matches, review band, unmatched), with the
    enrichment's score thresholds as lines."""
    edges = histogram["bin_edges"]
    centres = [(lo + hi) / 2 for lo, hi in zip(edges, edges[1:], strict=False)]
    widths = [hi - lo for lo, hi in zip(edges, edges[1:], strict=False)]
    figure = go.Figure(layout={"barmode": "stack",
                               "xaxis": {"title": {"text": "match_score"}},
                               "yaxis": {"title": {"text": "awards"}}})
    for label in _NAME_STAGE_LABELS:
        if label in histogram["counts"]:
            figure.add_trace(go.Bar(x=centres, y=histogram["counts"][label], width=widths,
                                    name=label, marker_color=METHOD_COLOURS[label]))
    for (name, score), dash in zip(sorted(thresholds.items(), key=lambda item: item[1]),
                                   ("dot", "dash", "dashdot"), strict=False):
        threshold_line(figure, score, f"{name} ≥ {score:g}", axis="x", dash=dash)
    # The axis starts below the lowest scored bin; score 0 (no candidate in reach) is left off.
    lowest = [lo for label, counts in histogram["counts"].items() if label in _NAME_STAGE_LABELS
              for lo, count in zip(edges, counts, strict=False) if count and lo > 0]
    start = min([*lowest, *thresholds.values(), 100.0])
    figure.update_xaxes(range=[max(0.0, start - 10.0), 100.0])
    return figure


def rate_figure(rows: list[dict[str, Any]], min_match_rate: float) -> go.Figure:
    """Bars of match rate per group, with the match-rate gate as a line."""
    figure = go.Figure(
        go.Bar(x=[str(r["group"]) for r in rows], y=[r["match_rate"] for r in rows],
               name="match rate", customdata=[[r["matched"], r["awards"]] for r in rows],
               hovertemplate="%{x}: %{y:.1%} (%{customdata[0]:,} of %{customdata[1]:,})"
                             "<extra></extra>",
               marker_color="#1f77b4"),
        layout={"xaxis": {"type": "category"},
                "yaxis": {"title": {"text": "match rate"}, "tickformat": ".0%",
                          "range": [0, 1.05]}},
    )
    threshold_line(figure, min_match_rate, f"min_match_rate {fmt(min_match_rate, 'percent')}")
    return figure


def trend_figure(history: list[dict[str, Any]], metrics: tuple[str, ...], threshold: float,
                 threshold_name: str) -> go.Figure:
    """``metrics`` over past runs (oldest left) with their gate as a line, zoomed to the range."""
    runs = [h["generated_at"][:19].replace("T", " ") for h in history]
    figure = go.Figure(layout={"xaxis": {"type": "category", "showticklabels": len(runs) <= 8,
                                         "range": [-0.5, len(runs) - 0.5]}})
    lowest = highest = threshold
    for metric in metrics:
        values = [h["summary"].get(metric) for h in history]
        known = [v for v in values if v is not None]
        if known:
            lowest, highest = min(lowest, *known), max(highest, *known)
            figure.add_trace(go.Scatter(x=runs, y=values, mode="lines+markers", name=metric))
    pad = max(0.01, (highest - lowest) * 0.15)
    figure.update_yaxes(tickformat=".1%", range=[max(0.0, lowest - pad), min(1.0, highest) + pad])
    threshold_line(figure, threshold, f"{threshold_name} {fmt(threshold, 'percent')}")
    return figure


def render_quality_page(report: dict[str, Any], history: list[dict[str, Any]]) -> str:
    """The quality report page.

    Args:
        report: This run's quality report (as saved in ``quality_report``), with the
            enrichment's score thresholds under ``thresholds.score_thresholds``.
        history: Past reports' ``generated_at``, ``status`` and ``summary``, oldest first,
            this run included.

    Returns:
        A standalone HTML document (plotly.js inline: it opens offline).
    """
    thresholds = report["thresholds"]
    min_rate = thresholds["min_match_rate"]
    cards = [
        ("chart-method-share", "Awards by match method",
         method_share_figure(report["breakdowns"]["match_method"])),
        ("chart-score-histogram", "Name-stage scores of awards with a candidate",
         score_histogram_figure(report["score_histogram"], thresholds["score_thresholds"])),
        *((f"chart-rate-{key}", title, rate_figure(report["breakdowns"][key], min_rate))
          for key, title in _RATE_DIMENSIONS),
        ("chart-trend-match-rate", f"Match rate over the last {len(history)} run(s)",
         trend_figure(history, ("match_rate",), min_rate, "min_match_rate")),
    ]
    if any(past["summary"].get("precision") is not None for past in history):
        cards.append(("chart-trend-accuracy",
                      f"Precision and recall over the last {len(history)} run(s)",
                      trend_figure(history, ("precision", "recall"), thresholds["min_precision"],
                                   "min_precision")))
    return render("quality_report.html.j2", report=report,
                  chart_cards=[(chart_id, title) for chart_id, title, _ in cards],
                  charts={chart_id: spec(figure) for chart_id, _, figure in cards})
