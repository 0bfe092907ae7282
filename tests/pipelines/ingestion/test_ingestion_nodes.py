"""Ingestion nodes: awards row accounting on messy input; recipients streamed into the index."""

from __future__ import annotations

import inspect
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from ingestion_inputs import MESSY_ROWS, SEQUENTIAL, messy_awards_csv, recipient_lookup
from kedro.validation.exceptions import DataValidationError

from sbir_enrichment.datasets.text_csv import TextCSVDataset
from sbir_enrichment.pipelines.ingestion import nodes, recipients
from sbir_enrichment.pipelines.ingestion.params import AwardParsingParams
from sbir_enrichment.sample_data import GeneratorConfig, generate_sample
from sbir_enrichment.schemas import (
    RAW_AWARD_COLUMNS,
    RecipientIndex,
    RecipientsRejected,
    SbirAwards,
    SbirAwardsRejected,
)

PARAMETERS = Path(__file__).resolve().parents[3] / "conf" / "base" / "parameters_ingestion.yml"


@pytest.fixture(scope="module")
def params() -> AwardParsingParams:
    config = yaml.safe_load(PARAMETERS.read_text())["ingestion"]["awards"]
    return AwardParsingParams(**config)


def _batches(path: Path, chunk_rows: int = 50_000) -> list[pd.DataFrame]:
    return list(TextCSVDataset(filepath=str(path), problem_column="csv_problem",
                               chunk_rows=chunk_rows).load())


@pytest.fixture(scope="module")
def parsed(tmp_path_factory, params):
    path = tmp_path_factory.mktemp("raw") / "sbir_awards.csv"
    outcomes = messy_awards_csv(path)
    raw = _batches(path)
    return pd.concat(raw), outcomes, *nodes.parse_awards(raw, params)


def test_every_record_lands_in_exactly_one_output(parsed) -> None:
    raw, outcomes, accepted, rejected, counts = parsed
    assert len(raw) == len(outcomes)
    both = pd.concat([accepted["source_row"], rejected["source_row"]])
    assert sorted(both) == list(range(len(raw)))  # union = input, no duplicates
    assert set(accepted["source_row"]).isdisjoint(rejected["source_row"])
    assert counts["rows_read"] == len(raw)
    assert counts["accepted"] + counts["rejected"] == len(raw)


def test_each_row_is_accepted_or_rejected_for_the_expected_field(parsed) -> None:
    _, outcomes, accepted, rejected, counts = parsed
    got = pd.Series("accepted", index=range(len(outcomes)))
    got[rejected["source_row"].to_numpy()] = rejected["reject_field"].to_numpy()
    assert got.tolist() == outcomes
    assert sum(counts["rejected_by_field"].values()) == len(rejected)
    assert counts["rejected_by_field"]["csv_record"] == 2


def test_rejected_rows_keep_raw_text_and_say_why(parsed) -> None:
    _, _, _, rejected, _ = parsed
    by_field = rejected.set_index("reject_field")
    assert "12345678901234" in by_field.loc["duns", "duns"].tolist()
    assert by_field.loc["uei", "uei"] == "abc-123"
    assert by_field.loc["uei", "reject_reason"].startswith("UEI must be 12")
    assert by_field.loc["phase", "reject_reason"] == "not a phase (I, II or III)"
    csv_reasons = by_field.loc["csv_record", "reject_reason"].tolist()
    assert csv_reasons[0] == "line 9: record has 2 fields, the header has 42"
    assert "44 fields" in csv_reasons[1] and "surplus values: x | x" in csv_reasons[1]
    assert list(rejected.columns) == [*RAW_AWARD_COLUMNS.values(), "source_row",
                                      "reject_field", "reject_reason"]
    SbirAwardsRejected.validate(rejected)


def test_values_are_parsed_to_their_types(parsed) -> None:
    _, _, accepted, _, counts = parsed
    row = accepted.set_index("source_row").loc[1]
    assert row["company"] == "Société Générale Tech, Inc."
    assert row["award_amount"] == pytest.approx(1_234_567.89)
    assert row["duns"] == "012345678" and row["uei"] == "ABC123DEF456"
    assert row["phase"] == "Phase II"
    assert row["proposal_award_date"] == pd.Timestamp("2020-09-26")
    assert row["contract_end_date"] == pd.Timestamp("2021-09-26")
    assert row["abstract"] == 'Line one\nline "two", with commas'
    assert row["number_employees"] == 1200 and row["state"] == "MA"
    assert row["zip"] == "02139"  # text: leading zero kept
    SbirAwards.validate(accepted)
    assert accepted["award_year"].dtype == "Int64"
    assert accepted["hubzone_owned"].dtype == "boolean"


def test_unparseable_optional_values_become_null_and_are_counted(parsed) -> None:
    _, _, accepted, _, counts = parsed
    row = accepted.set_index("source_row").loc[13]  # the row with bad optional values
    assert pd.isna(row["contract_end_date"]) and pd.isna(row["award_amount"])
    assert pd.isna(row["number_employees"]) and pd.isna(row["hubzone_owned"])
    assert pd.isna(row["state"])
    assert counts["values_nulled"] == {"award_amount": 1, "contract_end_date": 1,
                                       "hubzone_owned": 1, "number_employees": 1, "state": 1}
    fixed = accepted.set_index("source_row").loc[14]  # DUNS "12345678.0", blank UEI
    assert fixed["duns"] == "012345678" and pd.isna(fixed["uei"])


def test_required_fields_come_from_parameters(parsed) -> None:
    raw, _, _, _, _ = parsed
    relaxed = AwardParsingParams(required_fields=["company"], blank_tokens=["N/A"],
                                 date_formats=["%Y-%m-%d"])
    _, rejected, _ = nodes.parse_awards([raw], relaxed)
    assert "phase" not in set(rejected["reject_field"])  # a bad phase is now only nulled
    assert "award_year" not in set(rejected["reject_field"])


def _well_formed_awards_csv(path: Path) -> None:
    """The messy rows five times over, without malformed records (pyarrow's streamed path)."""
    rows = [row for row, _ in MESSY_ROWS] * 5
    pd.DataFrame(rows, columns=list(RAW_AWARD_COLUMNS)).to_csv(path, index=False)


@pytest.mark.parametrize("write", [messy_awards_csv, _well_formed_awards_csv])
def test_parsing_in_small_batches_gives_the_outputs_of_one_batch(tmp_path: Path, params,
                                                                 write) -> None:
    path = tmp_path / "sbir_awards.csv"
    write(path)
    whole = _batches(path, chunk_rows=10_000)
    batches = _batches(path, chunk_rows=7)
    assert len(whole) == 1 and len(batches) > 2
    accepted, rejected, counts = nodes.parse_awards(batches, params)
    one_accepted, one_rejected, one_counts = nodes.parse_awards(whole, params)
    pd.testing.assert_frame_equal(accepted, one_accepted)
    pd.testing.assert_frame_equal(rejected, one_rejected)
    assert counts == one_counts
    assert counts["rejected"] and counts["values_nulled"]  # rejects and nulled values included


@pytest.mark.parametrize(("fields", "message"), [
    (["agency"], "'company' must be required"),
    (["company", "compnay"], "unknown award column"),
])
def test_award_parameters_are_checked(fields, message) -> None:
    with pytest.raises(ValueError, match=message):
        AwardParsingParams(required_fields=fields, blank_tokens=[], date_formats=["%Y"])


def _split(frame: pd.DataFrame, size: int) -> list[pd.DataFrame]:
    return [frame.iloc[start:start + size] for start in range(0, len(frame), size)]


def _staged_partitions(frames: list[pd.DataFrame]) -> dict:
    parts = dict(nodes.stage_recipients(iter(frames), None, SEQUENTIAL))
    return {pid: (lambda f=frame: f) for pid, frame in parts.items()}


def test_stage_recipients_returns_a_lazy_generator_not_a_generator_function() -> None:
    assert not inspect.isgeneratorfunction(nodes.stage_recipients)
    assert not inspect.isgeneratorfunction(nodes.build_recipient_index)
    consumed = []

    def chunks():
        for chunk in _split(recipient_lookup(), 4):
            consumed.append(len(chunk))
            yield chunk

    stream = nodes.stage_recipients(chunks(), None, SEQUENTIAL)
    assert consumed == []  # nothing read until the dataset pulls
    first_id, _ = next(stream)
    assert first_id == "part-00000" and consumed == [4]


def _ingest_recipients(frames: list[pd.DataFrame]) -> tuple[dict, pd.DataFrame, dict]:
    """The three recipient nodes as the pipeline runs them: rejects (and counts), then index."""
    staged = _staged_partitions(frames)
    rejected, counts, duplicates = nodes.collect_recipient_rejects(staged)
    return dict(nodes.build_recipient_index(staged, duplicates, counts)), rejected, counts


def test_recipient_index_and_rejects_partition_the_source() -> None:
    source = recipient_lookup()
    index, rejected, counts = _ingest_recipients(_split(source, 4))
    assert list(index) == ["part-00000", "part-00001", "part-00002"]
    indexed = pd.concat(index.values(), ignore_index=True)
    assert sorted([*indexed["source_row"], *rejected["source_row"]]) == list(range(len(source)))
    assert rejected.set_index("source_row")["reject_field"].to_dict() == {
        2: "legal_business_name", 4: "legal_business_name", 5: "recipient_hash"}
    assert rejected.set_index("source_row").loc[4, "duns"] == "1234567890123"  # raw kept
    assert counts == {"rows_read": 12, "accepted": 9, "rejected": 3,
                      "rejected_by_field": {"legal_business_name": 2, "recipient_hash": 1},
                      "duplicate_recipient_hashes": 0}
    row = indexed.set_index("source_row")
    assert row.loc[0, "uei"] == "UEI000000000" and row.loc[0, "duns"] == "010000000"
    assert row.loc[0, "name"] == "Firm 0 Technologies, LLC" and row.loc[0, "state"] == "VA"
    assert row.loc[0, "name_norm"] == "FIRM 0 TECH"
    assert pd.isna(row.loc[3, "uei"]) and row.loc[3, "duns"] == "000000123"
    assert pd.isna(row.loc[6, "state"])
    RecipientIndex.validate(indexed)
    RecipientsRejected.validate(rejected)


def test_a_repeated_recipient_hash_keeps_the_first_usable_row_and_rejects_the_others() -> None:
    source = recipient_lookup()
    source.loc[[3, 7], "recipient_hash"] = "hash0001"  # repeats row 1: same chunk, later chunk
    source.loc[9, "recipient_hash"] = "hash0002"  # row 2 has no key, so row 9 is the one kept
    index, rejected, counts = _ingest_recipients(_split(source, 4))
    indexed = pd.concat(index.values(), ignore_index=True).set_index("source_row")
    assert indexed["recipient_hash"].is_unique
    assert indexed.loc[1, "recipient_hash"] == "hash0001"
    assert indexed.loc[9, "recipient_hash"] == "hash0002"
    reasons = rejected.set_index("source_row")
    for row in (3, 7):
        assert reasons.loc[row, "reject_field"] == "recipient_hash"
        assert reasons.loc[row, "reject_reason"] == (
            "duplicate: source_row 1 has the same recipient_hash and is kept")
    assert reasons.loc[7, "legal_business_name"] == "Firm 7 Technologies, LLC"
    assert sorted([*indexed.index, *reasons.index]) == list(range(len(source)))
    assert counts["duplicate_recipient_hashes"] == 2
    assert counts["rejected_by_field"] == {"legal_business_name": 2, "recipient_hash": 3}
    assert counts["accepted"] == len(indexed) == 7
    RecipientsRejected.validate(rejected)


@pytest.mark.parametrize(("frames", "message"), [
    ([], r"the recipient source gave no rows"),
    ([recipient_lookup().iloc[[2, 4, 5]]],
     r"all 3 rows of the recipient source were rejected \(legal_business_name: 2, "
     r"recipient_hash: 1\); see recipients_rejected"),
])
def test_no_usable_recipient_fails_the_index(frames: list[pd.DataFrame], message: str) -> None:
    staged = _staged_partitions(frames)
    rejected, counts, duplicates = nodes.collect_recipient_rejects(staged)
    assert len(rejected) == counts["rows_read"]  # the rejects are still written
    index = nodes.build_recipient_index(staged, duplicates, counts)
    with pytest.raises(ValueError, match=message):
        next(index)


def test_index_partition_breaking_the_schema_names_the_partition() -> None:
    staged = _staged_partitions([recipient_lookup()])
    broken = staged["part-00000"]().assign(uei="not-a-uei")
    with pytest.raises(DataValidationError) as failure:
        dict(nodes.build_recipient_index({"part-00000": lambda: broken},
                                         pd.DataFrame({"source_row": pd.Series(dtype="int64")}),
                                         {"accepted": len(broken)}))
    message = str(failure.value)
    assert "recipient_index[part-00000]" in message
    assert "uei" in message and "source_row 0: 'not-a-uei'" in message


def test_source_without_a_needed_column_fails_naming_it() -> None:
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['uei'\]"):
        dict(nodes.stage_recipients(iter([recipient_lookup().drop(columns="uei")]), None,
                                    SEQUENTIAL))


def test_summary_holds_both_inputs() -> None:
    summary = nodes.summarise_ingestion({"rows_read": 3}, {"rows_read": 5})
    assert summary == {"awards": {"rows_read": 3}, "recipients": {"rows_read": 5}}


def test_keys_of_any_width_are_compared_exactly() -> None:
    source = recipient_lookup()
    source.loc[[0, 1, 3, 6, 7, 8], "recipient_hash"] = ["a", "bb", "a", "7f3e-uuid", "bb", "c"]
    _, rejected, counts = _ingest_recipients(_split(source, 2))
    duplicates = rejected[rejected["reject_reason"].str.startswith("duplicate")]
    assert duplicates.set_index("source_row")["reject_reason"].to_dict() == {
        3: recipients.DUPLICATE.format(row=0), 7: recipients.DUPLICATE.format(row=1)}
    assert counts["duplicate_recipient_hashes"] == 2


def test_rows_that_only_share_a_hash_are_not_duplicates() -> None:
    # As if two different keys had collided on their 64-bit hash: the exact check keeps both.
    staged = _staged_partitions(_split(recipient_lookup(8), 4))
    suspects = {"part-00000": np.array([0, 1]), "part-00001": np.array([6])}
    assert recipients.duplicate_rows(staged, suspects).empty


def test_a_short_memory_budget_stages_in_sub_batches_with_the_same_partitions(caplog) -> None:
    source = generate_sample(GeneratorConfig(seed=3, n_awards=50, n_recipients=4_000)).recipients
    chunks = _split(source, 2_500)
    plenty = dict(nodes.stage_recipients(iter(chunks), 1e9, SEQUENTIAL))
    with caplog.at_level(logging.WARNING):
        short = dict(nodes.stage_recipients(iter(chunks), 1.0, SEQUENTIAL))
    assert list(short) == list(plenty) == ["part-00000", "part-00001"]
    for partition_id, frame in plenty.items():
        pd.testing.assert_frame_equal(short[partition_id], frame)
    assert "part-00000 (2,500 recipients) processed in 7 sub-batches" in caplog.text
    assert "ingestion.memory_budget_mb" in caplog.text
