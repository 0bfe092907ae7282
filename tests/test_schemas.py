"""Pandera models as catalog validators: each gate fails on bad data, naming dataset and column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from ingestion_inputs import SEQUENTIAL, award, messy_awards_csv, recipient_lookup
from kedro.config import OmegaConfigLoader
from kedro.io import DataCatalog
from kedro.validation.exceptions import DataValidationError

from sbir_enrichment.pipelines.ingestion import nodes
from sbir_enrichment.pipelines.ingestion.params import AwardParsingParams
from sbir_enrichment.schemas import RAW_AWARD_COLUMNS, SbirAwards, SbirAwardsRaw
from sbir_enrichment.validation import SourceRowValidator, failures_with_rows

INGESTION_DATASETS = ("sbir_awards_raw", "sbir_awards", "sbir_awards_rejected",
                      "recipients_rejected")


@pytest.fixture
def catalog(project_copy: Path) -> DataCatalog:
    """The ingestion entries of the project's real catalog configuration."""
    loader = OmegaConfigLoader(str(project_copy / "conf"), base_env="base",
                               default_run_env="local")
    config = loader["catalog"]
    return DataCatalog.from_config({name: config[name] for name in INGESTION_DATASETS})


@pytest.fixture
def parsed(catalog: DataCatalog, project_copy: Path):
    messy_awards_csv(project_copy / "data" / "01_raw" / "sbir_awards.csv")
    params = AwardParsingParams(required_fields=["company", "agency", "phase", "award_year"],
                                blank_tokens=["N/A"], date_formats=["%Y-%m-%d", "%m/%d/%Y"])
    return nodes.parse_awards(catalog.load("sbir_awards_raw"), params)


def _failure(action) -> str:
    with pytest.raises(DataValidationError) as failure:
        action()
    return str(failure.value)


def test_raw_model_lists_the_42_export_columns_in_order() -> None:
    assert len(RAW_AWARD_COLUMNS) == 42
    assert list(RAW_AWARD_COLUMNS)[:3] == ["Company", "Award Title", "Agency"]
    assert list(RAW_AWARD_COLUMNS.values()) == list(SbirAwards.to_schema().columns)[:42]
    assert "csv_problem" in SbirAwardsRaw.to_schema().columns  # optional, not required
    assert not SbirAwardsRaw.to_schema().columns["csv_problem"].required


def test_raw_gate_fails_on_a_renamed_column(catalog: DataCatalog, project_copy: Path) -> None:
    header = ",".join(c if c != "Award Title" else "Award Titel" for c in RAW_AWARD_COLUMNS)
    row = ",".join(award().values()).replace("$149,950.00", "149950")
    (project_copy / "data" / "01_raw" / "sbir_awards.csv").write_text(f"{header}\n{row}\n")
    batches = catalog.load("sbir_awards_raw")  # a stream: each batch is checked as it is read
    message = _failure(lambda: next(batches))
    assert "Pandera validation failed against sbir_enrichment.schemas.SbirAwardsRaw" in message
    assert "column_in_dataframe" in message and "Award Title" in message


def test_a_stream_is_validated_batch_by_batch_as_it_is_drawn(parsed) -> None:
    accepted = parsed[0]
    later = accepted.iloc[2:].copy()
    later.loc[later.index[1], "uei"] = "abc123"
    stream = SourceRowValidator("SbirAwards").validate(iter([accepted.iloc[:2], later]))
    assert len(next(stream)) == 2  # the first batch passes; the second fails when drawn
    message = _failure(lambda: next(stream))
    assert f"source_row {later['source_row'].iloc[1]}: 'abc123'" in message


def test_a_frame_without_source_row_is_named_by_its_index_labels() -> None:
    batch = pd.DataFrame({"Company": ["Acme", "---"]}, index=[50_000, 50_001])  # record numbers
    cases = pd.DataFrame({"index": [50_001], "column": ["Company"], "check": ["a_check"],
                          "failure_case": ["---"]})
    [failure] = failures_with_rows(cases, batch)
    assert failure.failure_examples == ["source_row 50001: '---'"]


def test_raw_gate_passes_a_messy_but_complete_file(parsed) -> None:
    accepted, rejected, _ = parsed
    assert len(accepted) and len(rejected)


def test_awards_gate_fails_on_bad_values_with_examples(catalog: DataCatalog, parsed) -> None:
    accepted = parsed[0].copy()
    accepted.loc[0, "uei"] = "abc123"
    accepted.loc[1, "phase"] = "Phase 4"
    accepted.loc[2, "source_row"] = accepted.loc[3, "source_row"]
    message = _failure(lambda: catalog.save("sbir_awards", accepted))
    assert "Validation failed for dataset 'sbir_awards' on save" in message
    assert "uei: str_matches" in message and "abc123" in message
    assert "phase: isin" in message and "Phase 4" in message
    assert "source_row: field_uniqueness" in message
    # Every failure names the rows it was found in.
    rows = accepted["source_row"]
    assert f"source_row {rows[0]}: 'abc123'" in message
    assert f"source_row {rows[1]}: 'Phase 4'" in message


def test_awards_gate_fails_on_a_missing_column(catalog: DataCatalog, parsed) -> None:
    message = _failure(lambda: catalog.save("sbir_awards", parsed[0].drop(columns="duns")))
    assert "'sbir_awards'" in message and "duns" in message


def test_rejected_awards_gate_fails_without_a_reason(catalog: DataCatalog, parsed) -> None:
    rejected = parsed[1].copy()
    rejected.loc[0, "reject_reason"] = None
    message = _failure(lambda: catalog.save("sbir_awards_rejected", rejected))
    assert "'sbir_awards_rejected'" in message and "reject_reason" in message


def test_rejected_recipients_gate_fails_on_bad_rows(catalog: DataCatalog) -> None:
    staged = dict(nodes.stage_recipients(iter([recipient_lookup()]), None, SEQUENTIAL))
    loaders = {k: (lambda v=v: v) for k, v in staged.items()}
    rejected, _, _ = nodes.collect_recipient_rejects(loaders)
    catalog.save("recipients_rejected", rejected)  # the real output passes
    rejected.loc[0, "source_row"] = -1
    rejected.loc[1, "reject_field"] = ""
    message = _failure(lambda: catalog.save("recipients_rejected", rejected))
    assert "'recipients_rejected'" in message
    assert "source_row: greater_than_or_equal_to(0)" in message and "-1" in message
    assert "reject_field: str_length" in message


def test_good_outputs_pass_their_gates(catalog: DataCatalog, parsed) -> None:
    accepted, rejected, _ = parsed
    catalog.save("sbir_awards", accepted)
    catalog.save("sbir_awards_rejected", rejected)
    assert pd.read_parquet("data/02_intermediate/sbir_awards.parquet").equals(accepted)
