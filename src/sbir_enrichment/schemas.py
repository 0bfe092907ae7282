"""Pandera models of each data layer, attached to catalog entries as ``validator:``.

The catalog runs them through ``validation.SourceRowValidator``, so a failure names its rows.

Layers, in data-flow order: the raw SBIR.gov CSV (text), ingested and rejected awards, the
recipient index and rejected recipients. A model is the one place a layer's columns are stated;
``docs/data_contract.md`` explains them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from sbir_enrichment.matching.linker import WEIGHT_COLUMNS

UEI_PATTERN = r"^[A-Z0-9]{12}$"
DUNS_PATTERN = r"^[0-9]{9}$"
STATE_PATTERN = r"^[A-Z]{2}$"
PHASES = ("Phase I", "Phase II", "Phase III")
FIRST_AWARD_YEAR = 1982  # the SBIR program's first awards
LAST_AWARD_YEAR = 2100
CSV_PROBLEM = "csv_problem"  # added by TextCSVDataset to malformed records


def _raw(alias: str) -> Any:
    """A raw CSV column: present under exactly this name, text, may be null."""
    return pa.Field(alias=alias, nullable=True)


def _text() -> Any:
    """A text column that may be null."""
    return pa.Field(nullable=True)


def _year() -> Any:
    return pa.Field(nullable=True, ge=FIRST_AWARD_YEAR, le=LAST_AWARD_YEAR)


# --- SBIR awards --------------------------------------------------------------------------------


class SbirAwardsRaw(pa.DataFrameModel):
    """The SBIR.gov awards export as read: its 42 columns by their exact names, all text."""

    company: Series[str] = _raw("Company")
    award_title: Series[str] = _raw("Award Title")
    agency: Series[str] = _raw("Agency")
    branch: Series[str] = _raw("Branch")
    phase: Series[str] = _raw("Phase")
    program: Series[str] = _raw("Program")
    agency_tracking_number: Series[str] = _raw("Agency Tracking Number")
    contract: Series[str] = _raw("Contract")
    proposal_award_date: Series[str] = _raw("Proposal Award Date")
    contract_end_date: Series[str] = _raw("Contract End Date")
    solicitation_number: Series[str] = _raw("Solicitation Number")
    solicitation_year: Series[str] = _raw("Solicitation Year")
    solicitation_close_date: Series[str] = _raw("Solicitation Close Date")
    proposal_receipt_date: Series[str] = _raw("Proposal Receipt Date")
    date_of_notification: Series[str] = _raw("Date of Notification")
    topic_code: Series[str] = _raw("Topic Code")
    award_year: Series[str] = _raw("Award Year")
    award_amount: Series[str] = _raw("Award Amount")
    uei: Series[str] = _raw("UEI")
    duns: Series[str] = _raw("Duns")
    hubzone_owned: Series[str] = _raw("HUBZone Owned")
    socially_and_economically_disadvantaged: Series[str] = _raw(
        "Socially and Economically Disadvantaged"
    )
    woman_owned: Series[str] = _raw("Woman Owned")
    number_employees: Series[str] = _raw("Number Employees")
    company_website: Series[str] = _raw("Company Website")
    address1: Series[str] = _raw("Address1")
    address2: Series[str] = _raw("Address2")
    city: Series[str] = _raw("City")
    state: Series[str] = _raw("State")
    zip: Series[str] = _raw("Zip")
    abstract: Series[str] = _raw("Abstract")
    contact_name: Series[str] = _raw("Contact Name")
    contact_title: Series[str] = _raw("Contact Title")
    contact_phone: Series[str] = _raw("Contact Phone")
    contact_email: Series[str] = _raw("Contact Email")
    pi_name: Series[str] = _raw("PI Name")
    pi_title: Series[str] = _raw("PI Title")
    pi_phone: Series[str] = _raw("PI Phone")
    pi_email: Series[str] = _raw("PI Email")
    ri_name: Series[str] = _raw("RI Name")
    ri_poc_name: Series[str] = _raw("RI POC Name")
    ri_poc_phone: Series[str] = _raw("RI POC Phone")
    csv_problem: Series[str] | None = pa.Field(nullable=True)

    class Config:
        name = "SbirAwardsRaw"
        strict = False  # a column the export adds later is carried, not fatal


class SbirAwards(pa.DataFrameModel):
    """Ingested awards: snake_case columns, parsed types, normalised identifiers, ``source_row``."""

    company: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1})
    award_title: Series[str] = _text()
    agency: Series[str] = _text()
    branch: Series[str] = _text()
    phase: Series[str] = pa.Field(nullable=True, isin=PHASES)
    program: Series[str] = _text()
    agency_tracking_number: Series[str] = _text()
    contract: Series[str] = _text()
    proposal_award_date: Series[pd.Timestamp] = pa.Field(nullable=True)
    contract_end_date: Series[pd.Timestamp] = pa.Field(nullable=True)
    solicitation_number: Series[str] = _text()
    solicitation_year: Series[pd.Int64Dtype] = _year()
    solicitation_close_date: Series[pd.Timestamp] = pa.Field(nullable=True)
    proposal_receipt_date: Series[pd.Timestamp] = pa.Field(nullable=True)
    date_of_notification: Series[pd.Timestamp] = pa.Field(nullable=True)
    topic_code: Series[str] = _text()
    award_year: Series[pd.Int64Dtype] = _year()
    award_amount: Series[float] = pa.Field(nullable=True, ge=0)
    uei: Series[str] = pa.Field(nullable=True, str_matches=UEI_PATTERN)
    duns: Series[str] = pa.Field(nullable=True, str_matches=DUNS_PATTERN)
    hubzone_owned: Series[pd.BooleanDtype] = pa.Field(nullable=True)
    socially_and_economically_disadvantaged: Series[pd.BooleanDtype] = pa.Field(nullable=True)
    woman_owned: Series[pd.BooleanDtype] = pa.Field(nullable=True)
    number_employees: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    company_website: Series[str] = _text()
    address1: Series[str] = _text()
    address2: Series[str] = _text()
    city: Series[str] = _text()
    state: Series[str] = pa.Field(nullable=True, str_matches=STATE_PATTERN)
    zip: Series[str] = _text()
    abstract: Series[str] = _text()
    contact_name: Series[str] = _text()
    contact_title: Series[str] = _text()
    contact_phone: Series[str] = _text()
    contact_email: Series[str] = _text()
    pi_name: Series[str] = _text()
    pi_title: Series[str] = _text()
    pi_phone: Series[str] = _text()
    pi_email: Series[str] = _text()
    ri_name: Series[str] = _text()
    ri_poc_name: Series[str] = _text()
    ri_poc_phone: Series[str] = _text()
    source_row: Series[int] = pa.Field(ge=0, unique=True)

    class Config:
        name = "SbirAwards"
        strict = True


class SbirAwardsRejected(pa.DataFrameModel):
    """Awards ingestion could not use: raw text under snake_case names, and why."""

    company: Series[str] = _text()
    award_title: Series[str] = _text()
    agency: Series[str] = _text()
    branch: Series[str] = _text()
    phase: Series[str] = _text()
    program: Series[str] = _text()
    agency_tracking_number: Series[str] = _text()
    contract: Series[str] = _text()
    proposal_award_date: Series[str] = _text()
    contract_end_date: Series[str] = _text()
    solicitation_number: Series[str] = _text()
    solicitation_year: Series[str] = _text()
    solicitation_close_date: Series[str] = _text()
    proposal_receipt_date: Series[str] = _text()
    date_of_notification: Series[str] = _text()
    topic_code: Series[str] = _text()
    award_year: Series[str] = _text()
    award_amount: Series[str] = _text()
    uei: Series[str] = _text()
    duns: Series[str] = _text()
    hubzone_owned: Series[str] = _text()
    socially_and_economically_disadvantaged: Series[str] = _text()
    woman_owned: Series[str] = _text()
    number_employees: Series[str] = _text()
    company_website: Series[str] = _text()
    address1: Series[str] = _text()
    address2: Series[str] = _text()
    city: Series[str] = _text()
    state: Series[str] = _text()
    zip: Series[str] = _text()
    abstract: Series[str] = _text()
    contact_name: Series[str] = _text()
    contact_title: Series[str] = _text()
    contact_phone: Series[str] = _text()
    contact_email: Series[str] = _text()
    pi_name: Series[str] = _text()
    pi_title: Series[str] = _text()
    pi_phone: Series[str] = _text()
    pi_email: Series[str] = _text()
    ri_name: Series[str] = _text()
    ri_poc_name: Series[str] = _text()
    ri_poc_phone: Series[str] = _text()
    source_row: Series[int] = pa.Field(ge=0, unique=True)
    reject_field: Series[str] = pa.Field(str_length={"min_value": 1})
    reject_reason: Series[str] = pa.Field(str_length={"min_value": 1})

    class Config:
        name = "SbirAwardsRejected"
        strict = True


# Raw header name → snake_case column, in export order (read off the raw model's aliases).
RAW_AWARD_COLUMNS: dict[str, str] = {
    alias: field.original_name
    for alias, (_, field) in SbirAwardsRaw.__fields__.items()
    if alias != CSV_PROBLEM
}


# --- USAspending recipients ---------------------------------------------------------------------


class RecipientIndex(pa.DataFrameModel):
    """One partition of the recipient index: normalised keys of usable recipient rows."""

    recipient_hash: Series[str] = pa.Field(nullable=False)
    uei: Series[str] = pa.Field(nullable=True, str_matches=UEI_PATTERN)
    duns: Series[str] = pa.Field(nullable=True, str_matches=DUNS_PATTERN)
    parent_uei: Series[str] = pa.Field(nullable=True, str_matches=UEI_PATTERN)
    name: Series[str] = _text()
    name_norm: Series[str] = pa.Field(nullable=True, str_length={"min_value": 1})
    state: Series[str] = pa.Field(nullable=True, str_matches=STATE_PATTERN)
    source_row: Series[int] = pa.Field(ge=0, unique=True)

    @pa.dataframe_check(error="row has no name_norm, uei or duns to match on")
    @classmethod
    def has_a_key(cls, frame: pd.DataFrame) -> pd.Series:
        """Every indexed recipient can be found by name or by an identifier."""
        return frame["name_norm"].notna() | frame["uei"].notna() | frame["duns"].notna()

    class Config:
        name = "RecipientIndex"
        strict = True


class RecipientsRejected(pa.DataFrameModel):
    """Recipient rows that cannot be matched, with their raw name and identifiers, and why."""

    source_row: Series[int] = pa.Field(ge=0, unique=True)
    recipient_hash: Series[str] = _text()
    legal_business_name: Series[str] = _text()
    uei: Series[str] = _text()
    duns: Series[str] = _text()
    reject_field: Series[str] = pa.Field(str_length={"min_value": 1})
    reject_reason: Series[str] = pa.Field(str_length={"min_value": 1})

    class Config:
        name = "RecipientsRejected"
        strict = True


# --- Enriched awards and the review band (03_primary; the quality gates) -----------------------

MATCH_METHODS = ("uei_exact", "duns_exact", "name_fuzzy", "unmatched")
RECIPIENT_COLUMNS = (
    "recipient_hash", "recipient_uei", "recipient_duns", "recipient_name",
    "recipient_parent_uei", "recipient_state",
)
# Recipient fields a matched row must carry: its key. A recipient may lack identifiers, and a
# recipient with a UEI or DUNS but no name is indexed and matched by identifier (shown nameless).
MATCHED_REQUIRES = ("recipient_hash",)


def _cells(frame: pd.DataFrame, ok: dict[str, pd.Series]) -> pd.DataFrame:
    """A check result of ``frame``'s shape: ``ok`` for the named columns, True elsewhere.

    Pandera then reports only the failing cells of the named columns, with their row index. It
    drops failing cells that are null, so a check must mark a non-null cell of a failing row.
    """
    result = pd.DataFrame(True, index=frame.index, columns=frame.columns)
    for column, values in ok.items():
        result[column] = values.fillna(False).astype(bool).to_numpy()
    return result


class EnrichedSbirAwards(SbirAwards):
    """Enriched awards: every ingested award column plus its match, one row per award."""

    match_method: Series[str] = pa.Field(isin=MATCH_METHODS)
    match_score: Series[float] = pa.Field(ge=0, le=100, nullable=True)
    recipient_hash: Series[str] = _text()
    recipient_uei: Series[str] = pa.Field(nullable=True, str_matches=UEI_PATTERN)
    recipient_duns: Series[str] = pa.Field(nullable=True, str_matches=DUNS_PATTERN)
    recipient_name: Series[str] = _text()
    recipient_parent_uei: Series[str] = pa.Field(nullable=True, str_matches=UEI_PATTERN)
    recipient_state: Series[str] = pa.Field(nullable=True, str_matches=STATE_PATTERN)
    match_reason: Series[str] = pa.Field(str_length={"min_value": 1})
    in_review_band: Series[bool]
    match_probability: Series[float] = pa.Field(ge=0, le=1)
    match_weight_prior: Series[float] = pa.Field(nullable=True)
    match_weight_name: Series[float] = pa.Field(nullable=True)
    match_weight_legal_form: Series[float] = pa.Field(nullable=True)
    match_weight_state: Series[float] = pa.Field(nullable=True)
    match_weight_uei: Series[float] = pa.Field(nullable=True)
    match_weight_duns: Series[float] = pa.Field(nullable=True)
    match_weight_rivals: Series[float] = pa.Field(nullable=True, le=0)

    @pa.dataframe_check
    @classmethod
    def unmatched_rows_have_no_recipient(cls, frame: pd.DataFrame) -> pd.DataFrame:
        """An unmatched row carries no recipient field (the failing cells are quoted)."""
        unmatched = frame["match_method"] == "unmatched"
        return _cells(frame, {c: frame[c].isna() | ~unmatched for c in RECIPIENT_COLUMNS})

    @pa.dataframe_check
    @classmethod
    def matched_rows_have_recipient(cls, frame: pd.DataFrame) -> pd.DataFrame:
        """A matched row names its recipient by hash (reported on ``match_method``)."""
        present = frame[list(MATCHED_REQUIRES)].notna().all(axis=1)
        return _cells(frame, {"match_method": (frame["match_method"] == "unmatched") | present})

    @pa.dataframe_check
    @classmethod
    def review_band_rows_unmatched(cls, frame: pd.DataFrame) -> pd.DataFrame:
        """An award whose best candidate is in the review band is never counted as a match."""
        band = frame["in_review_band"].astype(bool)
        return _cells(frame, {"match_method": ~band | (frame["match_method"] == "unmatched")})

    @pa.dataframe_check
    @classmethod
    def weights_add_up_to_probability(cls, frame: pd.DataFrame) -> pd.DataFrame:
        """The match weights of a row sum to the log2 odds of its match probability."""
        weights = frame[list(WEIGHT_COLUMNS)]
        total = weights.sum(axis=1, min_count=len(WEIGHT_COLUMNS)).to_numpy(dtype=float)
        added_up = 1.0 / (1.0 + np.exp2(-np.clip(np.nan_to_num(total), -1000, 1000)))
        probability = frame["match_probability"].to_numpy(dtype=float)
        explained = np.where(np.isnan(total), probability == 0,
                             np.abs(added_up - probability) <= 1e-9)
        return _cells(frame, {"match_probability": pd.Series(explained, index=frame.index)})

    @pa.dataframe_check
    @classmethod
    def matched_rows_scored(cls, frame: pd.DataFrame) -> pd.DataFrame:
        """Every matched row has a score (reported on ``match_method``)."""
        scored = (frame["match_method"] == "unmatched") | frame["match_score"].notna()
        return _cells(frame, {"match_method": scored})

    class Config:
        name = "EnrichedSbirAwards"
        strict = True


class MatchReviewCandidates(pa.DataFrameModel):
    """Ranked recipient candidates of the awards whose best score fell in the review band."""

    source_row: Series[int] = pa.Field(ge=0)
    company: Series[str] = _text()
    state: Series[str] = _text()
    candidate_rank: Series[int] = pa.Field(ge=1)
    candidate_recipient_hash: Series[str] = pa.Field(nullable=False)
    candidate_name: Series[str] = _text()
    candidate_state: Series[str] = _text()
    candidate_score: Series[float] = pa.Field(ge=0, le=100)

    class Config:
        name = "MatchReviewCandidates"
        strict = True
        unique = ["source_row", "candidate_rank"]

