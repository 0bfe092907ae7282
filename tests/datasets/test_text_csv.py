"""TextCSVDataset: every field as text, records with the wrong field count kept visible, streamed
in batches numbered by record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from kedro.io.core import DatasetError

from sbir_enrichment.datasets.text_csv import TextCSVDataset

WELL_FORMED = (
    "Name,Amount,Note\r\n"
    '"Acme, Inc.",007,"said ""hi"""\r\n'
    "Café Ünïcode,,\r\n"
    "\r\n"  # a blank line is not a record
    '"Two\nLines",1,NA\r\n'
)

# Header on line 1; the record on lines 3-4 spans two lines, so the short one is on line 5 and the
# long one on line 7 (after a blank line).
MALFORMED = (
    "Name,Amount,Note\n"
    "ok,1,x\n"
    '"multi\nline",2,y\n'
    "short,3\n"
    "\n"
    "long,4,z,extra,more\n"
    "last,5,\n"
)


def _write(tmp_path: Path, text: str, name: str = "data.csv", bom: bool = False) -> str:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return str(path)


def _read(filepath: str, **options: Any) -> pd.DataFrame:
    """Every batch of the file, in order, as one frame."""
    return pd.concat(list(TextCSVDataset(filepath=filepath, **options).load()))


@pytest.mark.parametrize("bom", [False, True])
def test_well_formed_file_is_all_text_and_keeps_empty_strings(tmp_path: Path, bom: bool) -> None:
    frame = _read(_write(tmp_path, WELL_FORMED, bom=bom), problem_column="csv_problem")
    assert list(frame.columns) == ["Name", "Amount", "Note", "csv_problem"]
    assert frame["Name"].tolist() == ["Acme, Inc.", "Café Ünïcode", "Two\nLines"]
    assert frame["Amount"].tolist() == ["007", "", "1"]  # no number or NA conversion
    assert frame["Note"].tolist() == ['said "hi"', "", "NA"]
    assert frame["csv_problem"].isna().all()


def test_malformed_records_are_kept_in_order_with_line_and_surplus(tmp_path: Path) -> None:
    frame = _read(_write(tmp_path, MALFORMED), problem_column="csv_problem")
    assert frame["Name"].tolist() == ["ok", "multi\nline", "short", "long", "last"]
    assert frame.loc[2, "Amount"] == "3" and pd.isna(frame.loc[2, "Note"])  # absent, not ""
    assert frame.loc[4, "Note"] == ""  # present and empty
    problems = frame["csv_problem"]
    assert problems.notna().tolist() == [False, False, True, True, False]
    assert problems[2] == "line 5: record has 2 fields, the header has 3"
    assert problems[3] == ("line 7: record has 5 fields, the header has 3; "
                           "surplus values: extra | more")
    assert list(frame.columns) == ["Name", "Amount", "Note", "csv_problem"]


def test_without_problem_column_a_malformed_record_fails_naming_file_and_line(
        tmp_path: Path) -> None:
    path = _write(tmp_path, MALFORMED, name="awards.csv")
    with pytest.raises(DatasetError, match=r"awards\.csv, line 5: record has 2 fields, the header"):
        TextCSVDataset(filepath=path).load()


def test_empty_file_and_save_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="empty"):
        TextCSVDataset(filepath=_write(tmp_path, "")).load()
    with pytest.raises(DatasetError, match="read-only"):
        TextCSVDataset(filepath=_write(tmp_path, WELL_FORMED)).save(pd.DataFrame())


def test_only_short_records_are_flagged_without_surplus(tmp_path: Path) -> None:
    frame = _read(_write(tmp_path, "A,B,C\n1,2,3\n4\n5,6,7\n"), problem_column="csv_problem")
    assert frame["A"].tolist() == ["1", "4", "5"]
    assert frame["B"].isna().tolist() == [False, True, False]
    assert frame["csv_problem"].tolist()[1] == "line 3: record has 1 fields, the header has 3"
    assert frame["csv_problem"].isna().tolist() == [True, False, True]


# --- Edge cases of real files (issue 10) --------------------------------------------------------

BIG_FIELD = "x" * 2_500_000  # one record larger than pyarrow's 1 MB read block


@pytest.mark.parametrize("tail", ["7,8,9\n", "7,8\n"])  # well-formed, or with a short record
def test_a_record_larger_than_a_read_block_loads(tmp_path: Path, tail: str) -> None:
    text = f'A,B,C\n1,2,3\n"{BIG_FIELD}\nwith a line break",5,6\n{tail}'
    frame = _read(_write(tmp_path, text), problem_column="csv_problem")
    assert frame["A"].tolist() == ["1", f"{BIG_FIELD}\nwith a line break", "7"]
    assert frame["csv_problem"].notna().tolist() == [False, False, tail == "7,8\n"]


@pytest.mark.parametrize("short_record", [False, True])
def test_a_whitespace_only_line_is_blank_not_a_record(tmp_path: Path, short_record: bool) -> None:
    text = "A,B,C\n1,2,3\n   \n\t \n" + ("4,5\n" if short_record else "4,5,6\n") + "7,8,9\n"
    frame = _read(_write(tmp_path, text), problem_column="csv_problem")
    assert frame["A"].tolist() == ["1", "4", "7"]
    flagged = frame["csv_problem"].dropna().tolist()
    assert flagged == (["line 5: record has 2 fields, the header has 3"] if short_record else [])


def test_a_duplicated_header_column_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, "Company,Award Title,Phase,Award Title\nAcme,x,I,y\n",
                  name="awards.csv")
    with pytest.raises(DatasetError, match=r"awards\.csv: the header names column 'Award Title' "
                                           r"twice \(columns 2 and 4\)"):
        TextCSVDataset(filepath=path, problem_column="csv_problem").load()


WINDOWS_TEXT = "Name,City\nAcme,Paris\nCafé Ünïcode,Zürich\n"


# The bad byte within the header's read buffer, or far past it (where pyarrow meets it first).
@pytest.mark.parametrize("padding", [0, 20_000])
def test_a_file_in_another_encoding_names_the_line_and_the_fix(tmp_path: Path,
                                                               padding: int) -> None:
    text = WINDOWS_TEXT.replace("Acme,Paris\n", "Acme,Paris\n" * (padding // 11 + 1))
    path = tmp_path / "awards.csv"
    path.write_bytes(text.encode("cp1252"))
    line = text.count("\n")  # the last record holds the first non-UTF-8 byte
    with pytest.raises(DatasetError, match=rf"awards\.csv, line {line}: byte 0xE9 .* is not valid "
                                           r"utf-8-sig.*encoding: cp1252"):
        TextCSVDataset(filepath=str(path), problem_column="csv_problem").load()
    frame = _read(str(path), encoding="cp1252")
    assert frame["Name"].iloc[-1] == "Café Ünïcode" and frame["City"].iloc[-1] == "Zürich"


def test_a_bad_byte_past_the_first_column_fails_while_streaming(tmp_path: Path) -> None:
    text = "Name,City\n" + "Acme,Paris\n" * 2_000 + "Acme,Zürich\n"
    path = tmp_path / "awards.csv"
    path.write_bytes(text.encode("cp1252"))
    batches = TextCSVDataset(filepath=str(path), chunk_rows=500).load()
    with pytest.raises(DatasetError, match=r"awards\.csv, line 2002: byte 0xFC .*encoding: cp1252"):
        list(batches)  # the scan reads only the first column: the byte is met while streaming


# --- Streaming (issue 13) -----------------------------------------------------------------------

STREAMED = {
    "well-formed": WELL_FORMED + "\n".join(f"r{i},{i},n" for i in range(20)) + "\n",
    "malformed": MALFORMED + "x,1\n" + "\n".join(f"r{i},{i},n" for i in range(20)) + "\n",
    "record over a read block": f'A,B,C\n1,2,3\n"{BIG_FIELD}",5,6\n' + "7,8,9\n" * 9,
}


@pytest.mark.parametrize("name", list(STREAMED))
@pytest.mark.parametrize("chunk_rows", [1, 2, 7])
def test_batches_hold_at_most_chunk_rows_records_numbered_across_the_file(
        tmp_path: Path, name: str, chunk_rows: int) -> None:
    path = _write(tmp_path, STREAMED[name])
    whole = _read(path, problem_column="csv_problem", chunk_rows=10_000)
    batches = list(TextCSVDataset(filepath=path, problem_column="csv_problem",
                                  chunk_rows=chunk_rows).load())
    assert len(batches) > 1 and all(0 < len(batch) <= chunk_rows for batch in batches)
    streamed = pd.concat(batches)
    assert streamed.index.tolist() == list(range(len(whole)))  # the record numbers
    pd.testing.assert_frame_equal(streamed, whole)


def test_a_file_with_only_a_header_is_one_empty_batch(tmp_path: Path) -> None:
    batches = list(TextCSVDataset(filepath=_write(tmp_path, "A,B\n"),
                                  problem_column="csv_problem").load())
    assert len(batches) == 1 and batches[0].empty
    assert list(batches[0].columns) == ["A", "B", "csv_problem"]


def test_streaming_holds_a_few_read_blocks_not_the_file(tmp_path: Path) -> None:
    path = tmp_path / "large.csv"
    path.write_text("A,B,C\n" + "".join(f'{i},"{"word " * 90}",{i % 7}\n' for i in range(60_000)))
    held = 0
    before = pa.total_allocated_bytes()
    for _ in TextCSVDataset(filepath=str(path), chunk_rows=1_000).load():
        held = max(held, pa.total_allocated_bytes() - before)
    assert held < path.stat().st_size / 3  # ~6 MB of a 27 MB file: read-ahead blocks
