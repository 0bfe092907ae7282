"""Every HTML report renders right on load in headless Chromium, at 1,400 and 1,920 px wide.

Each page is loaded into a window already at its width (no resize event happens), then, per
chart card: the drawn plot fits inside its card, every bar lies inside its plot, the card's
title is clear of plotly's toolbar, and no text label is drawn over the plot (thresholds are
named in the legend). Tables and chart grids keep a gap between them. A screenshot of each
page at each width is saved (``SBIR_SCREENSHOT_DIR``, else the test's temporary folder).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from browser_fixtures import (
    chart_geometry,
    console_errors,
    layout_problems,
    load_at_width,
    vertical_gaps,
)
from report_pages import (
    benchmark_dask_report_page,
    benchmark_history_page,
    benchmark_report_page,
    quality_report_page,
)

WIDTHS = (1400, 1920)
PAGES: dict[str, tuple[Callable[[], str], int]] = {
    "quality_report": (lambda: quality_report_page()[1], 9),
    "benchmark_report": (benchmark_report_page, 4),
    "benchmark_report_dask": (benchmark_dask_report_page, 5),
    "benchmark_history": (benchmark_history_page, 4),
}


@pytest.fixture(scope="module")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go."""
    folder = os.environ.get("SBIR_SCREENSHOT_DIR")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_every_chart_fits_its_card_on_load(name: str, width: int, chromium, tmp_path: Path,
                                           screenshot_dir: Path) -> None:
    build, charts = PAGES[name]
    page = tmp_path / f"{name}.html"
    page.write_text(build(), encoding="utf-8")
    load_at_width(chromium, page.as_uri(), width)
    assert chromium.execute_script("return window.innerWidth") == width

    geometry = chart_geometry(chromium)
    assert len(geometry) == charts
    assert all(chart["traces"] > 0 for chart in geometry)  # each chart drew its data
    assert layout_problems(geometry) == []
    # More than one chart per row: the cards are narrower than the page, so a chart drawn
    # before the grid was laid out would overflow its card.
    cards = {round(chart["card"]["top"]) for chart in geometry}
    assert len(cards) < len(geometry)
    # A table or chart grid is never flush against the next block (a chart grid, a table).
    assert min(vertical_gaps(chromium, ".table-wrap, .charts")) >= 12
    assert console_errors(chromium) == []

    height = chromium.execute_script("return document.documentElement.scrollHeight")
    chromium.set_window_size(width, min(height, 8000))
    chromium.save_screenshot(str(screenshot_dir / f"{name}-{width}.png"))
