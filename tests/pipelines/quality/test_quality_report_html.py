"""The quality report page: self-contained, sections from partials, every chart drawn.

Layout on load (charts fitting their cards, titles clear of the toolbar) is checked for every
page in tests/reporting/test_pages_in_chromium.py.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from browser_fixtures import console_errors, open_page
from quality_frames import conf_enrichment_params
from report_pages import quality_report_page

from sbir_enrichment.reporting.templating import environment

CHART_IDS = ("chart-method-share", "chart-score-histogram", "chart-rate-phase",
             "chart-rate-size_bucket", "chart-rate-identifiers", "chart-rate-agency",
             "chart-rate-award_year", "chart-trend-match-rate", "chart-trend-accuracy")
SECTIONS = ("gates", "charts", "baseline", "accuracy_by_method", "reliability",
            "accuracy_by_variation", "unmatched_by_phase", "breakdowns")


class _Page(HTMLParser):
    """Counts inline ``<script>`` tags, collects external ``src`` and section ids."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []
        self.inline = 0
        self.sections: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            if found.get("src"):
                self.sources.append(found["src"])
            else:
                self.inline += 1
        if tag == "section":
            self.sections.append(found.get("id") or "")


@pytest.fixture(scope="module")
def report_page() -> tuple[dict, str]:
    """A report and its page, built by the nodes, with two past runs in the history."""
    return quality_report_page()


def test_page_is_self_contained_and_built_from_its_partials(report_page):
    report, page = report_page
    assert report["status"] == "pass"
    parsed = _Page()
    parsed.feed(page)
    assert parsed.sources == [] and parsed.inline == 2  # plotly.js, then the charts
    assert tuple(parsed.sections) == SECTIONS
    for section in SECTIONS:  # each section is a template file of its own
        environment().get_template(f"quality/{section}.html.j2")
    settings = conf_enrichment_params().matching
    assert report["thresholds"]["score_thresholds"] == {
        "accept": 100 * settings.accept_probability, "review": 100 * settings.review_probability}
    # The reliability table and recall by variation, as the accuracy report gave them.
    assert "<td>0.9 – 0.95</td><td class=\"num\">12</td>" in page
    assert "<td class=\"num\">0.931</td><td class=\"num\">0.750</td>" in page
    assert "<td>moved</td><td class=\"num\">8</td><td class=\"num\">6</td>" in page


@pytest.mark.browser
def test_every_chart_draws_with_its_thresholds_in_the_legend(report_page, chromium, tmp_path):
    _, page = report_page
    path = tmp_path / "quality_report.html"
    path.write_text(page, encoding="utf-8")
    open_page(chromium, path.as_uri())
    for chart_id in CHART_IDS:
        drawn = chromium.execute_script(
            "const d = document.getElementById(arguments[0]);"
            "return d ? d.querySelectorAll('svg.main-svg g.trace path').length : -1;", chart_id)
        assert drawn > 0, f"{chart_id} drew nothing ({drawn})"
    trend_points = chromium.execute_script(
        "return document.getElementById('chart-trend-match-rate').data[0].x.length;")
    assert trend_points == 3  # two past runs and this one
    settings = conf_enrichment_params().matching
    lines = chromium.execute_script(
        "return document.getElementById('chart-score-histogram').layout.shapes"
        ".map(s => s.name);")
    assert sorted(lines) == sorted([f"accept ≥ {100 * settings.accept_probability:g}",
                                    f"review ≥ {100 * settings.review_probability:g}"])
    legend = chromium.execute_script(
        "return Array.from(document.querySelectorAll('#chart-rate-phase .legendtext'))"
        ".map(t => t.textContent);")
    assert "min_match_rate 70.0%" in legend
    assert chromium.find_element("css selector", "header .badge").text == "PASS"
    assert console_errors(chromium) == []
