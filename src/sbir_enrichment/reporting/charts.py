"""What every chart of the HTML reports shares: layout, colours, threshold lines, the JSON spec.

A chart is a plotly figure turned into a plain spec (``{"data", "layout"}``) that the page
draws once it is laid out (``templates/charts.js.j2``). Titles are the cards' captions, not
plotly titles, so the toolbar never covers them; thresholds are dashed lines named in the
legend, never text on the plot, so no label sits on the data.
"""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go

THRESHOLD_COLOUR = "#c62828"
METHOD_COLOURS = {
    "uei_exact": "#1f77b4", "duns_exact": "#17becf", "name_fuzzy": "#2ca02c",
    "review_band": "#ff7f0e", "unmatched": "#9e9e9e",
}
LAYOUT: dict[str, Any] = {
    "template": "plotly_white",
    "autosize": True,
    "margin": {"l": 64, "r": 24, "t": 36, "b": 48},
    "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.2, "yanchor": "top"},
    "xaxis": {"automargin": True},
    "yaxis": {"automargin": True},
}


def spec(figure: go.Figure) -> dict[str, Any]:
    """The figure with the shared layout, as JSON-ready ``{"data", "layout"}``."""
    figure.update_layout(**LAYOUT)
    return json.loads(figure.to_json())


def threshold_line(figure: go.Figure, value: float, name: str, axis: str = "y",
                   dash: str = "dash") -> None:
    """A dashed line at ``value`` across the plot (``axis="x"``: a vertical one), named in the
    legend."""
    style = {"line": {"dash": dash, "color": THRESHOLD_COLOUR, "width": 1.5},
             "name": name, "showlegend": True}
    if axis == "x":
        figure.add_vline(x=value, **style)
    else:
        figure.add_hline(y=value, **style)
