"""The COPY text reader: escapes, arrays, chunking and damage, on hand-written COPY text."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pytest
from kedro.io.core import DatasetError

from sbir_enrichment.datasets.copy_text import (
    iter_copy_frames,
    parse_text_arrays,
    unescape_copy_text,
)


def _frames(text: str, columns=("a", "b"), chunk_rows: int = 10, end_marker: bool = True,
            array_columns=("b",)) -> list[pd.DataFrame]:
    return list(iter_copy_frames(
        io.BytesIO(text.encode()), name="test.dat", column_names=list(columns),
        columns=list(columns), array_columns=array_columns, chunk_rows=chunk_rows,
        end_marker=end_marker, progress=lambda: ""))


def test_escapes_are_decoded_left_to_right() -> None:
    raw = pa.array(["a\\tb", "c\\\\n", "\\\\\\n", "\\r\\b\\f\\v", "plain", None, "end\\\\"])
    assert unescape_copy_text(raw).to_pylist() == [
        "a\tb", "c\\n", "\\\n", "\r\b\f\v", "plain", None, "end\\"]


def test_array_literals_follow_postgres_quoting() -> None:
    literals = pa.array(['{"A B","C,D","E\\"F","G\\\\H","NULL","",NULL}', "{}", None,
                         "{2X,8W}", '{null,"x,"}', '{","}', '{"{X}"}'])
    assert parse_text_arrays(literals, "b", 1).to_pylist() == [
        ["A B", "C,D", 'E"F', "G\\H", "NULL", "", None], [], None, ["2X", "8W"],
        [None, "x,"], [","], ["{X}"]]


def test_null_markers_and_escaped_backslash_n_are_told_apart() -> None:
    (frame,) = _frames("\\N\t{}\n\\\\N\t\\N\n\t{\"\"}\n\\.\n\n\n")
    assert frame["a"].tolist()[1:] == ["\\N", ""]
    assert pd.isna(frame["a"].iloc[0])
    assert [None if v is None else list(v) for v in frame["b"]] == [[], None, [""]]


def test_rows_come_in_chunks_of_the_asked_size() -> None:
    text = "".join(f"{i}\t{{{i}}}\n" for i in range(25)) + "\\.\n"
    frames = _frames(text, chunk_rows=10)
    assert [len(f) for f in frames] == [10, 10, 5]
    assert pd.concat(frames)["a"].tolist() == [str(i) for i in range(25)]


def test_an_empty_table_gives_one_empty_frame_with_its_columns() -> None:
    (frame,) = _frames("\\.\n\n\n")
    assert list(frame.columns) == ["a", "b"] and frame.empty


def test_a_missing_end_marker_means_truncated_unless_not_expected() -> None:
    with pytest.raises(DatasetError, match=r"test.dat: ends after line 2 without"):
        _frames("1\t{}\n2\t{}\n")
    assert len(_frames("1\t{}\n2\t{}\n", end_marker=False)[0]) == 2


def test_wrong_field_count_names_the_line() -> None:
    with pytest.raises(DatasetError, match=r"test.dat: line 3 has 3 tab-separated fields, "
                                           r"expected 2: '3\\tx\\ty'"):
        _frames("1\t{}\n2\t{}\n3\tx\ty\n\\.\n")


def test_invalid_utf8_is_reported() -> None:
    with pytest.raises(DatasetError, match=r"test.dat: unreadable after line 0: .*UTF8"):
        list(iter_copy_frames(io.BytesIO(b"\xff\xfe\t{}\n\\.\n"), name="test.dat",
                              column_names=["a", "b"], columns=["a", "b"], array_columns=(),
                              chunk_rows=10, end_marker=True, progress=lambda: ""))
