"""A recipient with a UEI or DUNS but no name: indexed, matched by identifier, shown nameless."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_session
from ingestion_inputs import RAW_COLUMNS, award, recipient_lookup
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro.validation.exceptions import DataValidationError
from matching_worlds import generated_model

ENRICHED = Path("data/03_primary/enriched_sbir_awards.parquet")


def _write_awards(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=RAW_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.slow
def test_a_nameless_recipient_is_matched_by_its_identifiers(project_copy: Path) -> None:
    lookup = recipient_lookup()
    lookup.loc[0, "legal_business_name"] = ""  # UEI uei000000000 and DUNS 10000000, no name
    lookup.loc[1, "legal_business_name"] = None
    raw = project_copy / "data" / "01_raw"
    (raw / "usaspending").mkdir()
    lookup.to_parquet(raw / "usaspending" / "recipient_lookup.parquet")
    # Three awards are too few to estimate a model on: use one learned from a generated sample.
    # A missing name says nothing for or against (level else), the identifier decides.
    _write_awards(raw / "sbir_awards.csv", [
        award(company="Acme Inc", uei="UEI000000000", duns=""),
        award(company="Zeta LLC", uei="", duns="10000001"),
        award(company="Firm 7 Technologies LLC", uei="", duns=""),
    ])
    model = project_copy / "generated_model.json"
    model.write_text(generated_model().model_dump_json())
    run_session(project_copy, ["ingestion", "enrichment"],
                params={"frozen_match_model": str(model)})

    enriched = pd.read_parquet(ENRICHED).set_index("source_row")
    assert enriched.loc[0, "match_method"] == "uei_exact"
    assert enriched.loc[1, "match_method"] == "duns_exact"
    assert enriched.loc[[0, 1], "recipient_hash"].tolist() == ["hash0000", "hash0001"]
    assert enriched.loc[[0, 1], "recipient_name"].isna().all()  # shown without a name
    assert enriched.loc[0, "recipient_uei"] == "UEI000000000"

    # The contract still requires the recipient's key on a matched row, and says which row.
    bootstrap_project(project_copy)
    with KedroSession.create(project_path=project_copy) as session:
        catalog = session.load_context().catalog
    broken = pd.read_parquet(ENRICHED)
    broken.loc[broken["source_row"] == 1, "recipient_hash"] = None
    with pytest.raises(DataValidationError) as failure:
        catalog.save("enriched_sbir_awards", broken)
    message = str(failure.value)
    assert "matched_rows_have_recipient" in message and "source_row 1" in message
