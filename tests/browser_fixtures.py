"""Real headless Chromium for tests of the project's HTML pages (reports, kedro-viz build).

Use the ``chromium`` fixture (mark the test ``@pytest.mark.browser``); ``open_page`` loads a URL
and waits for the document, ``console_errors`` drains the browser console and returns its errors,
``load_at_width`` loads a page into a window of a given width, and ``chart_geometry`` /
``layout_problems`` check how its charts were laid out.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM_BINARY = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1400,1000",
    # Hermetic: every host but the loopback fails to resolve, so a page needing the network shows.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)


def _options(user_data_dir: str) -> webdriver.ChromeOptions:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM_BINARY
    for flag in _FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={user_data_dir}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return options


@pytest.fixture(scope="session")
def chromium() -> Iterator[webdriver.Chrome]:
    """A headless Chromium driven by selenium, with a fresh profile, shared by the session."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER),
                                  options=_options(profile))
        driver.set_page_load_timeout(60)
        try:
            yield driver
        finally:
            driver.quit()


def open_page(driver: webdriver.Chrome, url: str, timeout: float = 30) -> None:
    """Load ``url`` (console log drained first) and wait until the document has loaded."""
    driver.get_log("browser")
    driver.get(url)
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def console_errors(driver: webdriver.Chrome) -> list[dict]:
    """Console entries of level SEVERE since the last call (the log is drained)."""
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


# Geometry of every chart card of a report page, read in the browser right after load (no
# resize event has happened): the card, its caption, plotly's drawn SVG, its toolbar, its bars.
_CHART_GEOMETRY_JS = """
const box = (e) => { if (!e) return null; const r = e.getBoundingClientRect();
  return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width,
          height: r.height}; };
return Array.from(document.querySelectorAll('figure.chart')).map((card) => {
  const plot = card.querySelector('.js-plotly-plot');
  return {
    id: plot ? plot.id : null,
    card: box(card), inner_width: card.clientWidth,
    caption: box(card.querySelector('figcaption')),
    svg: box(card.querySelector('svg.main-svg')),
    modebar: box(card.querySelector('.modebar-container')),
    bars: Array.from(card.querySelectorAll('g.trace.bars path')).map(box)
      .filter((b) => b.width > 0 && b.height > 0),
    traces: card.querySelectorAll('g.trace').length,
    annotations: card.querySelectorAll('g.annotation').length,
    legend_items: Array.from(card.querySelectorAll('g.legend g.traces')).map(box),
    axis_texts: Array.from(card.querySelectorAll(
      'g.g-xtitle text, g.g-ytitle text, g.xtick text, g.ytick text')).map(box)
      .filter((b) => b.width > 0 && b.height > 0),
  };
});
"""


def load_at_width(driver: webdriver.Chrome, url: str, width: int, height: int = 1100) -> None:
    """Size the window to ``width`` CSS pixels first, then load ``url`` (a page seen on load)."""
    driver.set_window_size(width, height)
    inner = driver.execute_script("return window.innerWidth")
    if inner != width:  # outer and inner size differ by the window frame, if any
        driver.set_window_size(2 * width - inner, height)
    open_page(driver, url)


def chart_geometry(driver: webdriver.Chrome) -> list[dict]:
    """Per chart card: rectangles of the card, caption, plot SVG, toolbar and every bar."""
    return driver.execute_script(_CHART_GEOMETRY_JS)


def layout_problems(charts: list[dict], slack: float = 1.0) -> list[str]:
    """What is wrong with the charts' layout: a plot wider than or outside its card, a bar
    outside its plot, a caption under the toolbar, text drawn over the plot, a legend over an
    axis's text."""
    problems = []
    for chart in charts:
        name, card, svg = chart["id"], chart["card"], chart["svg"]
        if svg is None:
            problems.append(f"{name}: no plot drawn")
            continue
        if svg["width"] > chart["inner_width"] + slack or svg["right"] > card["right"] + slack \
                or svg["left"] < card["left"] - slack:
            problems.append(f"{name}: plot {svg['width']:.0f} px wide at x={svg['left']:.0f}"
                            f" in a card {chart['inner_width']} px wide at x={card['left']:.0f}")
        for bar in chart["bars"]:
            if bar["right"] > svg["right"] + slack or bar["left"] < svg["left"] - slack:
                problems.append(f"{name}: a bar is drawn outside the plot")
                break
        modebar, caption = chart["modebar"], chart["caption"]
        if modebar and caption and modebar["top"] < caption["bottom"] - slack \
                and modebar["left"] < caption["right"]:
            problems.append(f"{name}: the toolbar covers the title")
        if chart["annotations"]:
            problems.append(f"{name}: {chart['annotations']} text label(s) drawn on the plot")
        if any(_overlap(item, text) for item in chart["legend_items"]
               for text in chart["axis_texts"]):
            problems.append(f"{name}: the legend overlaps an axis title or tick label")
    return problems


def _overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] \
        and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def vertical_gaps(driver: webdriver.Chrome, selector: str) -> list[float]:
    """Gaps in px between each element matching ``selector`` and the block that follows it
    (the next heading, paragraph, table or chart grid of the page, in document order)."""
    return driver.execute_script("""
      const blocks = Array.from(document.querySelectorAll(
        'main h2, main h3, main p, main .table-wrap, main .charts'));
      return blocks.slice(0, -1).map((block, i) => [block, blocks[i + 1]])
        .filter(([block]) => block.matches(arguments[0]))
        .map(([block, next]) =>
          next.getBoundingClientRect().top - block.getBoundingClientRect().bottom);
    """, selector)
