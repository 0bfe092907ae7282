"""The one number formatter of every report, page and console line: a value and a kind in, text out.

Templates use it as the ``fmt`` filter (``{{ value | fmt("percent") }}``); Python code calls
:func:`fmt`. A missing value (``None`` or NaN) is always shown as ``–``.
"""

from __future__ import annotations

import math
from typing import Any

MISSING = "–"

_SPECS = {
    "count": "{:,.0f}",        # awards, rows, partitions: 12,345
    "rate": "{:,.0f}",         # awards per second: 1,796
    "mb": "{:,.0f}",           # megabytes: 1,353
    "seconds": "{:,.2f}",      # 63.41
    "percent": "{:.1%}",       # shares 0..1: 89.4%
    "ratio": "{:.3f}",         # precision, recall, F1: 0.999
    "score": "{:.1f}",         # match scores 0..100: 95.0
    "units": "{:.2f}",         # normalised time in reference units: 12.34
    "change_pct": "{:+.1f}%",  # relative change: +12.3%
    "change_pts": "{:+.2f} pts",  # change in percentage points: -1.25 pts
    "speed_up": "{:.2f}×",     # one time over another: 1.62×
}
KINDS = (*_SPECS, "number")


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt(value: Any, kind: str = "number") -> str:
    """``value`` as text in the style of ``kind`` (one of :data:`KINDS`).

    ``number`` (the default) shows integers and numbers of 1,000 or more with thousands
    separators and no decimals, smaller numbers with four significant digits; text is returned
    as it is.

    Raises:
        ValueError: for an unknown kind.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown number kind {kind!r}; known: {', '.join(KINDS)}")
    if _missing(value):
        return MISSING
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if value == 0:
        value = abs(value)  # never "-0.0"
    if kind == "number":
        return f"{value:,.0f}" if isinstance(value, int) or abs(value) >= 1000 else f"{value:.4g}"
    return _SPECS[kind].format(value)
