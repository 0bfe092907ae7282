"""Breakdowns: group labels, rates and decisions per group, histogram, accuracy by method."""

from __future__ import annotations

import pandas as pd
import pytest
from quality_frames import accuracy, conf_enrichment_params, conf_quality_params, enriched_frame

from sbir_enrichment.pipelines.quality import breakdowns, nodes
from sbir_enrichment.pipelines.quality.gates import QualityGateError
from sbir_enrichment.pipelines.quality.params import QualityParams


@pytest.fixture
def enriched() -> pd.DataFrame:
    """A good enriched output of 200 awards (match rate 0.80)."""
    return enriched_frame()


@pytest.fixture(scope="module")
def params() -> QualityParams:
    """The quality parameters as conf/base sets them."""
    return conf_quality_params()


def test_size_buckets_include_their_upper_bound():
    employees = pd.Series([0, 10, 11, 50, 51, 500, 501, None], dtype="Int64")
    labels = breakdowns.size_bucket(employees, [10, 50, 500])
    assert labels.astype(str).tolist() == [
        "≤10", "≤10", "11–50", "11–50", "51–500", "51–500", ">500", "unknown"]
    assert list(labels.cat.categories) == ["≤10", "11–50", "51–500", ">500", "unknown"]


def test_identifier_kinds():
    uei = pd.Series(["A" * 12, None, "B" * 12, None], dtype="str")
    duns = pd.Series(["1" * 9, "2" * 9, None, None], dtype="str")
    assert breakdowns.identifier_kind(uei, duns).astype(str).tolist() == [
        "both", "duns", "uei", "none"]


def test_rate_breakdown_counts_rates_and_how_each_award_was_decided():
    labels = pd.Series(["a", "a", "a", "b", "b"])
    matched = pd.Series([True, True, False, False, False])
    methods = pd.Series(["uei_exact", "name_fuzzy", "review_band", "unmatched", "unmatched"])
    rows = breakdowns.rate_breakdown(labels, matched, methods)
    assert rows == [
        {"group": "a", "awards": 3, "matched": 2, "match_rate": 0.6667,
         "by_method": {"name_fuzzy": 1, "review_band": 1, "uei_exact": 1}},
        {"group": "b", "awards": 2, "matched": 0, "match_rate": 0.0,
         "by_method": {"unmatched": 2}},
    ]


@pytest.mark.parametrize("case", ["no awards", "nothing matched"])
def test_a_run_where_nothing_matches_is_measured_and_fails_its_gate(case, enriched, params):
    # A header-only awards file gives no awards; an empty recipient source leaves every award
    # unmatched. Both must be measured (not crash) and then fail the match-rate gate.
    if case == "no awards":
        enriched = enriched.iloc[0:0]
    else:
        enriched = enriched.assign(match_method="unmatched", in_review_band=False)
    measures = nodes.measure_quality(enriched, accuracy(), params)
    assert measures["summary"]["matched"] == 0 and measures["summary"]["match_rate"] == 0.0
    for name, rows in measures["breakdowns"].items():
        assert sum(r["matched"] for r in rows) == 0, name
    report, page = nodes.build_quality_report(
        quality_measures=measures, row_gates=[],
        metric_gates=nodes.check_metrics(measures, accuracy(), params),
        regression=nodes.compare_with_baseline(measures, {}, params), past_reports={},
        params=params, enrichment=conf_enrichment_params(),
        provenance={"run_id": "2026-01-03T00.00.00.000Z", "parameters_fingerprint": "0"})
    assert report["status"] == "fail" and "<html" in page
    with pytest.raises(QualityGateError, match="match_rate"):
        nodes.enforce_quality_gates(report)


def test_measures_cover_every_dimension_and_add_up(enriched, params):
    measures = nodes.measure_quality(enriched, accuracy(), params)
    assert set(measures["breakdowns"]) == {
        "match_method", "phase", "size_bucket", "identifiers", "agency", "award_year"}
    for name, rows in measures["breakdowns"].items():
        assert sum(r["awards"] for r in rows) == 200, name
        assert sum(r["matched"] for r in rows) == 160, name
    methods = {r["group"]: r["awards"] for r in measures["breakdowns"]["match_method"]}
    assert methods == {"uei_exact": 80, "duns_exact": 40, "name_fuzzy": 40, "review_band": 20,
                       "unmatched": 20}
    years = [r["group"] for r in measures["breakdowns"]["award_year"]]
    assert years == ["2019", "2020", "2021", "2022", "2023"]
    by_phase = {r["phase"]: r for r in measures["unmatched_by_phase"]}
    assert by_phase["Phase I"]["unmatched"] + by_phase["Phase II"]["unmatched"] == 40
    assert by_phase["Phase I"]["review_band"] + by_phase["Phase II"]["review_band"] == 20


def test_score_histogram_bins_every_scored_row_by_method(enriched, params):
    histogram = nodes.measure_quality(enriched, accuracy(), params)["score_histogram"]
    assert histogram["bin_edges"][0] == 0.0 and histogram["bin_edges"][-1] == 100.0
    assert len(histogram["bin_edges"]) == 51
    totals = {label: sum(counts) for label, counts in histogram["counts"].items()}
    assert totals == {"uei_exact": 80, "duns_exact": 40, "name_fuzzy": 40, "review_band": 20}
    band = histogram["counts"]["review_band"]
    assert band[42] == 20  # score 84 falls in [84, 86)


def test_accuracy_by_method_shares_add_up_to_recall():
    report = accuracy()
    report["recall"] = (80 + 38 + 40) / 170
    by_method = breakdowns.accuracy_by_method(report)
    assert set(by_method) == {"duns_exact", "name_fuzzy", "uei_exact"}
    assert by_method["name_fuzzy"]["wrong"] == 2
    assert sum(m["recall_share"] for m in by_method.values()) == pytest.approx(
        report["recall"], abs=1e-5)
    assert breakdowns.accuracy_by_method({"has_truth": False}) == {}


def test_summary_without_truth_has_no_precision(enriched):
    figures = breakdowns.summary(enriched, {"has_truth": False})
    assert figures == {"awards": 200, "matched": 160, "review_band": 20, "unmatched": 40,
                       "match_rate": 0.8, "has_truth": False, "precision": None,
                       "recall": None, "f1": None}
