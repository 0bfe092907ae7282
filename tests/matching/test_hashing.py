"""String keys: equal strings share a key, missing is 0, inputs of every shape agree."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from sbir_enrichment.matching.hashing import string_keys


def test_equal_strings_share_a_key_and_missing_is_zero() -> None:
    keys = string_keys(pd.Series(["ACME", "ACME", None, "", "ACMF", "A" * 100]))
    assert keys.dtype == np.uint32
    assert keys[0] == keys[1]
    assert keys[2] == 0
    assert (np.delete(keys, 2) != 0).all()  # the empty string is a value, not missing
    assert len({int(k) for k in keys[[0, 3, 4, 5]]}) == 4


def test_series_arrays_and_chunked_arrays_give_the_same_keys() -> None:
    values = ["PUMPILUS", None, "ZYGOMAX LLC", "X"]
    chunked = pa.chunked_array([values[:1], values[1:]])
    sliced = pa.array(["junk", *values])[1:]
    expected = string_keys(pd.Series(values))
    for other in (pa.array(values), chunked, sliced, pa.array(values, pa.large_string())):
        assert (string_keys(other) == expected).all()


def test_keys_spread_over_many_distinct_strings() -> None:
    names = pd.Series([f"FIRM {i} TECH" for i in range(50_000)])
    assert len(np.unique(string_keys(names))) > 49_990


def test_a_key_does_not_depend_on_the_other_strings_of_the_batch() -> None:
    alone = string_keys(pd.Series(["SPOTRSIC", "TECH"]))
    beside_long = string_keys(pd.Series(["SPOTRSIC", "TECH", "X" * 300]))
    assert (alone == beside_long[:2]).all()
    many = pd.Series(["TECH"] * 70_000 + ["Y" * 90])  # spans several internal blocks
    assert (string_keys(many)[:-1] == string_keys(pd.Series(["TECH"]))[0]).all()
