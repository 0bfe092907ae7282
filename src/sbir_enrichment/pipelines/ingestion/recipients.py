"""Normalise chunks of USAspending ``recipient_lookup`` rows into recipient-index rows.

A chunk becomes the index columns (``schemas.RecipientIndex``) plus ``reject_field`` and
``reject_reason`` (null for usable rows) and, for rejected rows only, the raw ``uei_raw`` and
``duns_raw``, so one pass over the source serves both the index and the rejects.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sbir_enrichment.matching.identifiers import normalise_duns, normalise_uei
from sbir_enrichment.matching.names import normalise_name
from sbir_enrichment.schemas import STATE_PATTERN, RecipientIndex, RecipientsRejected

SOURCE_COLUMNS = ("recipient_hash", "legal_business_name", "uei", "duns", "parent_uei", "state")
INDEX_COLUMNS = tuple(RecipientIndex.to_schema().columns)
REJECTED_COLUMNS = tuple(RecipientsRejected.to_schema().columns)

NO_HASH = "blank: a recipient without its key cannot be linked to"
NO_KEY = "no usable name and no valid UEI or DUNS to match on"


def _text(values: pd.Series) -> pd.Series:
    """Source values as trimmed text; blanks become null (numbers become their digits)."""
    text = values.astype("string").str.strip()
    return text.mask(text == "").astype("str")


def normalise_recipients(chunk: pd.DataFrame, first_row: int) -> pd.DataFrame:
    """Index columns of one source chunk, with reject columns; ``first_row`` numbers its rows.

    Raises:
        ValueError: When the chunk lacks a source column the index needs.
    """
    missing = [c for c in SOURCE_COLUMNS if c not in chunk.columns]
    if missing:
        raise ValueError(f"recipient source lacks column(s) {missing}; it has {list(chunk)}")
    chunk = chunk.reset_index(drop=True)
    text = {column: _text(chunk[column]) for column in SOURCE_COLUMNS}
    state = text["state"].str.upper()
    frame = pd.DataFrame({
        "recipient_hash": text["recipient_hash"],
        "uei": normalise_uei(text["uei"]).astype("str"),
        "duns": normalise_duns(text["duns"]).astype("str"),
        "parent_uei": normalise_uei(text["parent_uei"]).astype("str"),
        "name": text["legal_business_name"],
        "name_norm": normalise_name(text["legal_business_name"]).astype("str"),
        "state": state.where(state.str.fullmatch(STATE_PATTERN).fillna(False).astype(bool)),
        "source_row": np.arange(first_row, first_row + len(chunk), dtype="int64"),
    })
    no_hash = frame["recipient_hash"].isna()
    no_key = frame[["name_norm", "uei", "duns"]].isna().all(axis=1)
    field = np.select([no_hash, no_key], ["recipient_hash", "legal_business_name"], "")
    reason = np.select([no_hash, no_key], [NO_HASH, NO_KEY], "")
    rejected = no_hash | no_key
    frame["reject_field"] = pd.Series(field, dtype="str").where(rejected.to_numpy())
    frame["reject_reason"] = pd.Series(reason, dtype="str").where(rejected.to_numpy())
    frame["uei_raw"] = text["uei"].where(rejected)
    frame["duns_raw"] = text["duns"].where(rejected)
    return frame


def no_rejected_rows() -> pd.DataFrame:
    """An empty rejects frame, typed like any other."""
    return pd.DataFrame({
        column: pd.Series(dtype="int64" if column == "source_row" else "str")
        for column in REJECTED_COLUMNS
    })


def index_rows(staged: pd.DataFrame) -> pd.DataFrame:
    """The usable rows of a staged chunk, in the index's columns."""
    kept = staged.loc[staged["reject_field"].isna(), list(INDEX_COLUMNS)]
    return kept.reset_index(drop=True)


def rejected_rows(staged: pd.DataFrame) -> pd.DataFrame:
    """The rejected rows of a staged chunk, with their raw name and identifiers and why."""
    rejected = staged.loc[staged["reject_field"].notna()]
    frame = pd.DataFrame({
        "source_row": rejected["source_row"],
        "recipient_hash": rejected["recipient_hash"],
        "legal_business_name": rejected["name"],
        "uei": rejected["uei_raw"],
        "duns": rejected["duns_raw"],
        "reject_field": rejected["reject_field"],
        "reject_reason": rejected["reject_reason"],
    })
    return frame[list(REJECTED_COLUMNS)].reset_index(drop=True)
