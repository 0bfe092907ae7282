"""Fingerprints: stable for equal content, different for any changed value, type or null."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pyarrow as pa

from sbir_enrichment.pipelines.enrichment.fingerprint import (
    combine,
    frame_digest,
    matching_code_digest,
    table_digest,
)


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "company": pd.Series(["Acme", None, "Zygo"], dtype="str"),
        "amount": [1.5, np.nan, 3.0],
        "year": pd.array([2020, None, 2021], dtype="Int64"),
        "flag": pd.array([True, None, False], dtype="boolean"),
        "date": pd.to_datetime(["2020-01-01", None, "2021-02-03"]),
    })


def test_equal_content_gives_equal_digests_whatever_the_index_or_slicing() -> None:
    frame = _frame()
    assert frame_digest(frame) == frame_digest(_frame())
    assert frame_digest(frame.iloc[1:]) == frame_digest(frame.iloc[1:].reset_index(drop=True))
    chunked = pa.Table.from_batches(pa.Table.from_pandas(frame).to_batches(max_chunksize=1))
    assert table_digest(chunked) == table_digest(pa.Table.from_pandas(frame))


def test_any_changed_value_null_or_type_changes_the_digest() -> None:
    base = frame_digest(_frame())
    changes = [
        lambda f: f.assign(company=f["company"].where(f.index != 0, "Acme ")),
        lambda f: f.assign(amount=f["amount"].fillna(0.0)),  # null → 0 is a change
        lambda f: f.assign(year=f["year"].astype("float64")),  # same numbers, other type
        lambda f: f.assign(flag=f["flag"].fillna(False)),
        lambda f: f.assign(date=f["date"] + pd.Timedelta(days=1)),
        lambda f: f.rename(columns={"company": "firm"}),
        lambda f: f.iloc[:2],
    ]
    digests = {frame_digest(change(_frame())) for change in changes}
    assert base not in digests and len(digests) == len(changes)


def test_date32_and_other_arrow_types_are_digested() -> None:
    table = pa.table({"d": pa.array([datetime.date(2020, 1, 1), None]),
                      "l": pa.array([["a"], None])})
    assert table_digest(table) != table_digest(table.slice(0, 1))


def test_combine_and_code_digest() -> None:
    assert combine("a", "bc") != combine("ab", "c")
    assert matching_code_digest() == matching_code_digest()
    assert len(matching_code_digest()) == 16
