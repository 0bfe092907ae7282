"""Typed parameters of the ingestion pipeline (``params:ingestion.*``), checked before a run."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sbir_enrichment.schemas import RAW_AWARD_COLUMNS

AWARD_COLUMNS = tuple(RAW_AWARD_COLUMNS.values())


class AwardParsingParams(BaseModel):
    """How award text is parsed, and which fields a row cannot do without."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    required_fields: list[str] = Field(
        min_length=1,
        description="Award columns (snake_case) whose blank or unparseable value rejects the "
        "row; must include company. Other fields that fail to parse become null.",
    )
    blank_tokens: list[str] = Field(
        description="Values read as blank in any field, compared case-insensitively after "
        "trimming (e.g. N/A)."
    )
    date_formats: list[str] = Field(
        min_length=1,
        description="strptime formats tried in order on date fields; a trailing time of day "
        "is ignored.",
    )

    @field_validator("required_fields")
    @classmethod
    def _known_fields(cls, fields: list[str]) -> list[str]:
        """Every required field is an award column, and the company name is one of them."""
        unknown = [f for f in fields if f not in AWARD_COLUMNS]
        if unknown:
            raise ValueError(f"unknown award column(s) {unknown}; columns: {list(AWARD_COLUMNS)}")
        if "company" not in fields:
            raise ValueError("'company' must be required: an award without a name is unusable")
        return fields
