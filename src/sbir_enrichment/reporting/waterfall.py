"""The waterfall of one award's match weights, the way Splink's ``waterfall_chart`` draws them.

Each bar is one term of the award's log2 odds (prior, each comparison, rivals); the last bar is
their sum, labelled with the match probability it gives. The terms are the award's own
``match_weight_*`` columns, so the chart explains the decision from its row alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go

from sbir_enrichment.matching import WEIGHT_COLUMNS
from sbir_enrichment.reporting.charts import LAYOUT


def waterfall_terms(row: Mapping[str, Any]) -> list[tuple[str, float]]:
    """``(term, bits)`` of an enriched row's match weights, in the order they add up."""
    return [(column.removeprefix("match_weight_"), float(row[column]))
            for column in WEIGHT_COLUMNS]


def waterfall_figure(row: Mapping[str, Any]) -> go.Figure:
    """A waterfall of ``row``'s match weights (an enriched award with a candidate).

    Raises:
        ValueError: when the award had no candidate (its weights are missing).
    """
    terms = waterfall_terms(row)
    if any(np.isnan(bits) for _, bits in terms):
        raise ValueError(f"award {row.get('source_row')} had no candidate: no weights to draw")
    total = sum(bits for _, bits in terms)
    names = [name for name, _ in terms] + ["log2 odds"]
    values = [bits for _, bits in terms] + [total]
    figure = go.Figure(go.Waterfall(
        x=names, y=values, measure=["relative"] * len(terms) + ["total"],
        text=[f"{v:+.1f}" for v in values], textposition="outside",
        increasing={"marker": {"color": "#2ca02c"}}, decreasing={"marker": {"color": "#c62828"}},
        totals={"marker": {"color": "#1f77b4"}}, name="match weight (bits)"))
    figure.update_layout(**LAYOUT, showlegend=False,
                         yaxis_title="match weight (bits)",
                         xaxis_title=f"probability {float(row['match_probability']):.3f}")
    return figure
