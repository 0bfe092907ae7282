"""Gates: a good enriched output passes every gate; each crafted bad output fails its gate."""

from __future__ import annotations

import pandas as pd
import pytest
from quality_frames import accuracy, conf_quality_params, enriched_frame, review_candidates

from sbir_enrichment.pipelines.quality import gates, nodes
from sbir_enrichment.pipelines.quality.gates import QualityGateError
from sbir_enrichment.pipelines.quality.params import QualityParams
from sbir_enrichment.schemas import EnrichedSbirAwards


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


def _gates(enriched: pd.DataFrame, candidates: pd.DataFrame, params: QualityParams,
           accepted: pd.DataFrame | None = None) -> dict[str, dict]:
    accepted = enriched[["source_row"]] if accepted is None else accepted
    return {g["name"]: g for g in nodes.check_rows(enriched, candidates, accepted, params)}


def test_good_sample_passes_every_gate(enriched, candidates, params):
    row_gates = _gates(enriched, candidates, params)
    measures = nodes.measure_quality(enriched, accuracy(), params)
    metric_gates = nodes.check_metrics(measures, accuracy(), params)
    assert [g["status"] for g in row_gates.values()] == ["pass"] * 3, row_gates
    assert [(g["name"], g["status"]) for g in metric_gates] == [
        ("match_rate", "pass"), ("precision", "pass")]


# (what is broken, row, column, bad value, the failing column and check as the message names
# them, the source_row quoted). Every case breaks its own row of one frame, validated once.
BAD_OUTPUTS = [
    ("UEI of wrong shape", 0, "recipient_uei", "abc123", "recipient_uei", "str_matches", 0),
    ("DUNS of wrong shape", 1, "recipient_duns", "12345", "recipient_duns", "str_matches", 1),
    ("parent UEI of wrong shape", 2, "recipient_parent_uei", "X", "recipient_parent_uei",
     "str_matches", 2),
    ("score above 100", 4, "match_score", 100.5, "match_score", "less_than_or_equal_to", 4),
    ("negative score", 5, "match_score", -1.0, "match_score", "greater_than_or_equal_to", 5),
    ("unknown method", 6, "match_method", "token_set", "match_method", "isin", 6),
    ("duplicated award", 7, "source_row", 8, "source_row", "field_uniqueness", 8),
    ("recipient on an unmatched award", 3, "recipient_hash", "h1", "recipient_hash",
     "unmatched_rows_have_no_recipient", 3),
    ("matched award without recipient", 10, "recipient_hash", None, "match_method",
     "matched_rows_have_recipient", 10),
    ("matched award without score", 11, "match_score", float("nan"), "match_method",
     "matched_rows_scored", 11),
    ("review-band award counted as matched", 12, "in_review_band", True, "match_method",
     "review_band_rows_unmatched", 12),
    ("empty match reason", 14, "match_reason", "", "match_reason", "str_length", 14),
]


@pytest.fixture(scope="module")
def broken_gate(params) -> dict:
    """The schema gate over a frame with every bad output of ``BAD_OUTPUTS`` in its own row."""
    frame = enriched_frame()
    for _, row, column, value, *_ in BAD_OUTPUTS:
        frame.loc[row, column] = value
    failures = gates.schema_failures(frame, EnrichedSbirAwards, params.example_rows)
    return gates.row_gate("enriched_schema", "enriched", failures, len(frame)).to_dict()


@pytest.mark.parametrize("case", BAD_OUTPUTS, ids=[b[0] for b in BAD_OUTPUTS])
def test_bad_row_fails_schema_gate_with_example_rows(broken_gate, case):
    _, _, _, _, column, check, source_row = case
    assert broken_gate["status"] == "fail"
    assert broken_gate["threshold"] == 0 and broken_gate["measured"] >= len(BAD_OUTPUTS)
    failure = next(d for d in broken_gate["details"] if d["check"].startswith(check)
                   and d["column"] == column)
    assert source_row in [example["source_row"] for example in failure["examples"]]
    assert f"{column}: {check}" in broken_gate["message"]
    assert f"'source_row': {source_row}" in broken_gate["message"]
    assert "(allowed: 0 failing rows)" in broken_gate["message"]


def test_good_rows_are_not_quoted(broken_gate):
    quoted = {e["source_row"] for d in broken_gate["details"] for e in d["examples"]}
    assert quoted == {b[-1] for b in BAD_OUTPUTS}


def test_wrong_dtype_fails_schema_gate(enriched, candidates, params):
    enriched["match_score"] = enriched["match_score"].astype("string")
    gate = _gates(enriched, candidates, params)["enriched_schema"]
    assert gate["status"] == "fail"
    assert "match_score: dtype('float64')" in gate["message"]


def test_lost_and_extra_awards_fail_row_accounting(enriched, candidates, params):
    accepted = pd.DataFrame({"source_row": list(range(1, 200)) + [500, 501]})
    gate = _gates(enriched, candidates, params, accepted=accepted)["row_accounting"]
    assert gate["status"] == "fail"
    assert gate["measured"] == 3
    by_check = {d["check"]: d for d in gate["details"]}
    assert by_check["accepted award missing from enriched output"]["examples"] == [
        {"source_row": 500}, {"source_row": 501}]
    assert by_check["enriched row is not an accepted award"]["examples"] == [{"source_row": 0}]


def test_candidate_of_a_matched_award_fails_review_band_gate(enriched, candidates, params):
    candidates.loc[0, "source_row"] = 0  # award 0 is matched by UEI
    gate = _gates(enriched, candidates, params)["review_band_unmatched"]
    assert gate["status"] == "fail"
    assert gate["details"][0]["examples"][0] == {
        "source_row": 0, "candidate_rank": 1, "candidate_recipient_hash": "c0",
        "award_match_method": "uei_exact"}


def test_candidate_score_out_of_range_fails_review_band_gate(enriched, candidates, params):
    candidates.loc[1, "candidate_score"] = 140.0
    gate = _gates(enriched, candidates, params)["review_band_unmatched"]
    assert gate["status"] == "fail"
    assert "candidate_score: less_than_or_equal_to(100)" in gate["message"]


def test_match_rate_gate_fails_below_threshold_with_both_numbers(enriched, params):
    enriched.loc[enriched.index[:40], "match_method"] = "unmatched"
    measures = nodes.measure_quality(enriched, accuracy(has_truth=False), params)
    gate = nodes.check_metrics(measures, accuracy(has_truth=False), params)[0]
    assert gate["status"] == "fail"
    assert gate["measured"] == pytest.approx(0.64)
    assert gate["threshold"] == 0.70
    assert "match rate 0.6400 (128 of 200 awards matched" in gate["message"]
    assert "is below min_match_rate 0.7000" in gate["message"]


def test_review_band_never_counts_as_matched(enriched, params):
    # A broken enrichment marks band awards as name matches; the rate still excludes them.
    band = enriched["in_review_band"]
    enriched.loc[band, "match_method"] = "name_fuzzy"
    figures = nodes.measure_quality(enriched, accuracy(has_truth=False), params)["summary"]
    assert figures["matched"] == 160
    assert figures["match_rate"] == 0.80


def test_precision_gate_fails_below_threshold_and_is_skipped_without_truth(enriched, params):
    low = accuracy(precision=0.95)
    measures = nodes.measure_quality(enriched, low, params)
    precision = nodes.check_metrics(measures, low, params)[1]
    assert precision["status"] == "fail"
    assert (precision["measured"], precision["threshold"]) == (0.95, 0.98)
    assert "precision 0.9500 (8 wrong of 160 matched; wrong by method: {'name_fuzzy': 8})" in \
        precision["message"]
    no_truth = accuracy(has_truth=False)
    skipped = nodes.check_metrics(nodes.measure_quality(enriched, no_truth, params), no_truth,
                                  params)[1]
    assert skipped["status"] == "skipped"


def test_precision_gate_fails_when_precision_is_undefined():
    nothing_matched = {"has_truth": True, "precision": None, "matched": 0,
                       "false_positives": 0, "by_method": {}}
    result = gates.precision_gate(nothing_matched, 0.98)
    assert (result.status, result.measured, result.threshold) == ("fail", None, 0.98)
    assert "precision undefined: no award was matched" in result.message


def test_enforce_raises_with_each_failed_gate_and_certifies_a_passing_report():
    report = {
        "generated_at": "2026-01-01T00:00:00+00:00", "summary": {"match_rate": 0.6},
        "gates": [
            {"name": "match_rate", "status": "fail", "measured": 0.6, "threshold": 0.7,
             "unit": "share", "message": "match rate 0.6000 is below"},
            {"name": "precision", "status": "pass", "measured": 0.99, "threshold": 0.98,
             "unit": "share", "message": "ok"},
            {"name": "match_rate_regression", "status": "warn", "measured": 2.0,
             "threshold": 5.0, "unit": "points", "message": "dropped 2 points"},
        ],
    }
    with pytest.raises(QualityGateError) as failed:
        nodes.enforce_quality_gates(report)
    # A short table of every gate, then what the failed one found, and what to do.
    lines = str(failed.value).splitlines()
    assert lines[0] == "1 quality gate(s) failed (match_rate)."
    assert lines[3].split() == ["match_rate", "fail", "60.0%", "70.0%"]
    assert lines[5].split() == ["match_rate_regression", "warn", "2", "5"]
    assert "match_rate: match rate 0.6000 is below" in str(failed.value)
    assert "quality report" in failed.value.what_to_do
    report["gates"][0]["status"] = "pass"
    assert nodes.enforce_quality_gates(report) == {
        "report_generated_at": "2026-01-01T00:00:00+00:00", "summary": {"match_rate": 0.6}}
