"""The generated sample: deterministic, in the real layouts, and its truth is true."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from sample_fixtures import shared_sample

from sbir_enrichment.sample_data import GeneratorConfig, SampleData, generate_sample

SBIR_COLUMNS = [
    "Company", "Award Title", "Agency", "Branch", "Phase", "Program", "Agency Tracking Number",
    "Contract", "Proposal Award Date", "Contract End Date", "Solicitation Number",
    "Solicitation Year", "Solicitation Close Date", "Proposal Receipt Date", "Date of Notification",
    "Topic Code", "Award Year", "Award Amount", "UEI", "Duns", "HUBZone Owned",
    "Socially and Economically Disadvantaged", "Woman Owned", "Number Employees",
    "Company Website", "Address1", "Address2", "City", "State", "Zip", "Abstract", "Contact Name",
    "Contact Title", "Contact Phone", "Contact Email", "PI Name", "PI Title", "PI Phone",
    "PI Email", "RI Name", "RI POC Name", "RI POC Phone",
]
RECIPIENT_COLUMNS = [
    "id", "recipient_hash", "legal_business_name", "duns", "address_line_1", "address_line_2",
    "business_types_codes", "city", "congressional_district", "country_code", "parent_duns",
    "parent_legal_business_name", "state", "zip4", "zip5", "alternate_names", "source",
    "update_date", "uei", "parent_uei",
]
SMALL = GeneratorConfig(seed=5, n_awards=400, n_recipients=3000)


@pytest.fixture
def sample() -> SampleData:
    return shared_sample()


def test_same_seed_gives_identical_tables() -> None:
    first, second = generate_sample(SMALL), generate_sample(SMALL)
    pd.testing.assert_frame_equal(first.awards, second.awards)
    pd.testing.assert_frame_equal(first.recipients, second.recipients)
    pd.testing.assert_frame_equal(first.truth, second.truth)


def test_another_seed_gives_other_tables() -> None:
    first = generate_sample(SMALL)
    other = generate_sample(SMALL.model_copy(update={"seed": 6}))
    assert not first.awards["Company"].equals(other.awards["Company"])
    assert not set(first.recipients["recipient_hash"]) & set(other.recipients["recipient_hash"])


def test_awards_have_the_real_sbir_header_and_are_all_text(sample: SampleData) -> None:
    assert list(sample.awards.columns) == SBIR_COLUMNS
    assert len(sample.awards) == 8000
    assert all(str(dtype) == "str" for dtype in sample.awards.dtypes)


def test_recipients_have_the_recipient_lookup_columns(sample: SampleData) -> None:
    recipients = sample.recipients
    assert list(recipients.columns) == RECIPIENT_COLUMNS
    assert len(recipients) == 40000
    assert recipients["id"].is_unique and recipients["recipient_hash"].is_unique
    assert recipients["recipient_hash"].str.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").all()
    names = recipients["legal_business_name"]
    assert (names == names.str.upper()).all()
    assert recipients["uei"].dropna().str.fullmatch(r"[A-Z0-9]{12}").all()
    assert recipients["duns"].dropna().str.fullmatch(r"[0-9]{9}").all()
    assert recipients["uei"].dropna().is_unique
    assert recipients["state"].str.fullmatch(r"[A-Z]{2}").all()
    assert recipients["zip5"].str.fullmatch(r"[0-9]{5}").all()
    assert recipients["alternate_names"].notna().sum() > 0
    assert all(str(dtype) == "str" for col, dtype in recipients.dtypes.items()
               if col not in ("id", "alternate_names", "business_types_codes"))
    assert recipients["business_types_codes"].map(len).between(1, 5).all()


def test_truth_points_at_existing_recipients_once(sample: SampleData) -> None:
    truth = sample.truth
    assert list(truth.columns) == ["source_row", "recipient_hash", "variation"]
    assert truth["recipient_hash"].isin(sample.recipients["recipient_hash"]).all()
    assert truth["source_row"].between(0, len(sample.awards) - 1).all()
    assert not truth.duplicated().any()


def test_acceptable_recipients_of_an_award_share_one_firm_duns(sample: SampleData) -> None:
    truth = sample.truth.merge(sample.recipients, on="recipient_hash")
    several = truth[truth.groupby("source_row")["source_row"].transform("size") > 1]
    assert len(several) > 0
    per_award = several.groupby("source_row")
    assert (per_award["duns"].nunique() == 1).all()  # the current row may lack the DUNS
    assert (per_award["uei"].count() <= 1).all()


def test_recipients_outside_the_truth_never_share_a_firm_identifier(sample: SampleData) -> None:
    truth_rows = sample.recipients["recipient_hash"].isin(sample.truth["recipient_hash"])
    others = sample.recipients[~truth_rows]
    firms = sample.recipients[truth_rows]
    assert not set(others["uei"].dropna()) & set(firms["uei"].dropna())
    assert not set(others["duns"].dropna()) & set(firms["duns"].dropna())


def test_scale_parameters_are_checked() -> None:
    with pytest.raises(ValidationError, match="n_awards"):
        GeneratorConfig(n_awards=0)
    with pytest.raises(ValidationError, match="typo_share"):
        GeneratorConfig(names={"typo_share": 1.5})
    with pytest.raises(ValidationError, match="lower_case_share"):
        GeneratorConfig(names={"title_case_share": 0.8, "lower_case_share": 0.3})


def test_tiny_sample_still_has_every_table() -> None:
    tiny = generate_sample(GeneratorConfig(seed=1, n_awards=3, n_recipients=1))
    assert len(tiny.awards) == 3
    assert len(tiny.recipients) >= 1
    assert tiny.truth["recipient_hash"].isin(tiny.recipients["recipient_hash"]).all()
    assert np.isin(tiny.truth["source_row"], np.arange(3)).all()
