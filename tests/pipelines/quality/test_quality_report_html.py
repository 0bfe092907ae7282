"""The quality report page: self-contained, and every chart draws in a real headless Chromium."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd
import pytest
from browser_fixtures import console_errors, open_page
from quality_frames import (
    accuracy,
    conf_enrichment_params,
    conf_quality_params,
    enriched_frame,
    review_candidates,
)

from sbir_enrichment.pipelines.quality import nodes
from sbir_enrichment.pipelines.quality.params import QualityParams

CHART_IDS = ("chart-method-share", "chart-score-histogram", "chart-rate-phase",
             "chart-rate-size_bucket", "chart-rate-identifiers", "chart-rate-agency",
             "chart-rate-award_year", "chart-trend")


@pytest.fixture
def enriched() -> pd.DataFrame:
    """A good enriched output of 200 awards (match rate 0.80)."""
    return enriched_frame()


@pytest.fixture
def candidates(enriched: pd.DataFrame) -> pd.DataFrame:
    """Review candidates of the good enriched output."""
    return review_candidates(enriched)


@pytest.fixture(scope="module")
def params() -> QualityParams:
    """The quality parameters as conf/base sets them."""
    return conf_quality_params()


class _ScriptTags(HTMLParser):
    """Counts inline ``<script>`` tags and collects the ``src`` of external ones."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []
        self.inline = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            source = dict(attrs).get("src")
            if source:
                self.sources.append(source)
            else:
                self.inline += 1


def _past(rate: float, at: str) -> dict:
    return {"generated_at": at, "status": "pass",
            "summary": {"match_rate": rate, "precision": 0.99, "recall": 0.95}}


@pytest.fixture(scope="module")
def report_page() -> tuple[dict, str]:
    """A report and its page, built by the nodes, with two past runs in the history."""
    params, enriched, truth = conf_quality_params(), enriched_frame(), accuracy()
    candidates = review_candidates(enriched)
    measures = nodes.measure_quality(enriched, truth, params)
    report, page = nodes.build_quality_report(
        quality_measures=measures,
        row_gates=nodes.check_rows(enriched, candidates, enriched[["source_row"]], params),
        metric_gates=nodes.check_metrics(measures, truth, params),
        regression=nodes.compare_with_baseline(measures, {}, params),
        past_reports={"v1": lambda: _past(0.78, "2026-01-01T00:00:00.000+00:00"),
                      "v2": lambda: _past(0.79, "2026-01-02T00:00:00.000+00:00")},
        params=params,
        enrichment=conf_enrichment_params(),
        provenance={"run_id": "2026-01-03T00.00.00.000Z", "parameters_fingerprint": "0"},
    )
    return report, page


def test_page_is_self_contained(report_page):
    report, page = report_page
    assert report["status"] == "pass"
    scripts = _ScriptTags()
    scripts.feed(page)
    assert scripts.sources == [] and scripts.inline == 1 + len(CHART_IDS)  # plotly.js + charts
    assert page.count("Plotly.newPlot") == len(CHART_IDS)
    settings = conf_enrichment_params().matching
    assert report["thresholds"]["score_thresholds"] == {"accept": settings.accept_score,
                                                        "review": settings.review_score}
    assert f"accept ≥ {settings.accept_score:g}" in page
    assert f"review ≥ {settings.review_score:g}" in page


@pytest.mark.browser
def test_every_chart_draws_without_console_errors(report_page, chromium, tmp_path):
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
        "return document.getElementById('chart-trend').data[0].x.length;")
    assert trend_points == 3  # two past runs and this one
    assert chromium.find_element("css selector", "header .badge").text == "PASS"
    assert console_errors(chromium) == []
