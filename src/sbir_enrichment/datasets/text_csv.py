"""A CSV file read entirely as text, where records with the wrong number of fields stay visible.

Spreadsheet-made exports break in two ways readers hide: a record with *more* fields than the
header is an error or silently dropped, one with *fewer* is padded as if its fields were empty.
``TextCSVDataset`` keeps every record, in file order, with every field as text (an empty field is
``""``, never NA). A record whose field count differs from the header's either fails the load with
the file and line, or (with ``problem_column`` set) is kept: its missing fields are null, its first
fields fill the header's columns and ``problem_column`` says what was wrong, with the line number
and the surplus values. Records are counted from 0 after the header (blank lines are skipped).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath
from typing import Any

import fsspec
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from kedro.io.core import AbstractDataset, DatasetError, get_protocol_and_path

_UTF8 = {"utf-8", "utf8", "utf-8-sig", "utf_8"}
_SURPLUS_CHARS = 200
_MAX_BLOCK = 2**31 - 1  # the largest read block (and field) the readers accept


@contextmanager
def _field_size_limit(limit: int) -> Iterator[None]:
    """Let Python's csv module read fields up to ``limit`` characters (default: 128 KiB)."""
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


class TextCSVDataset(AbstractDataset[pd.DataFrame, pd.DataFrame]):
    """Read-only: load a CSV with a header row as an all-text DataFrame, flagging malformed records.

    Example catalog entry::

        sbir_awards_raw:
          type: sbir_enrichment.datasets.text_csv.TextCSVDataset
          filepath: data/01_raw/sbir_awards.csv
          problem_column: csv_problem
    """

    def __init__(
        self,
        *,
        filepath: str,
        problem_column: str | None = None,
        encoding: str = "utf-8-sig",
        credentials: dict[str, Any] | None = None,
        fs_args: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        """Create the dataset.

        Args:
            filepath: Path of the CSV file (any fsspec protocol).
            problem_column: Name of an added column describing malformed records; when omitted,
                a malformed record fails the load naming the file and line.
            encoding: Text encoding; ``utf-8-sig`` also accepts a leading byte-order mark.
            credentials: fsspec storage options.
            fs_args: Extra fsspec filesystem arguments.
            metadata: Free-form metadata, ignored by Kedro.
        """
        protocol, path = get_protocol_and_path(filepath)
        self._protocol = protocol
        self._filepath = PurePosixPath(path)
        self._fs = fsspec.filesystem(protocol, **(credentials or {}), **(fs_args or {}))
        self._problem_column = problem_column
        self._encoding = encoding
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {
            "filepath": str(self._filepath),
            "protocol": self._protocol,
            "problem_column": self._problem_column,
            "encoding": self._encoding,
        }

    def save(self, data: pd.DataFrame) -> None:
        """Refuse: this dataset reads an external export and never writes it."""
        raise DatasetError(f"TextCSVDataset({self._filepath}) is read-only.")

    def _exists(self) -> bool:
        return self._fs.exists(str(self._filepath))

    def load(self) -> pd.DataFrame:
        """Every record after the header, every field as text; see the module docstring."""
        header = self._header()
        try:
            table, malformed = self._read_arrow(header, block_size=None)
        except pa.ArrowInvalid as exc:
            if "UTF8" in str(exc):
                raise self._decoding_error() from None
            if "straddl" not in str(exc):  # pyarrow: a record longer than a read block
                raise
            size = self._fs.size(str(self._filepath))
            table, malformed = self._read_arrow(header, block_size=min(size + 1, _MAX_BLOCK))
        if malformed:
            del table
            return self._load_with_malformed(header)
        frame = table.to_pandas()
        if self._problem_column:
            frame[self._problem_column] = pd.Series(pd.NA, index=frame.index, dtype="str")
        return frame

    def _read_arrow(self, header: list[str], block_size: int | None) -> tuple[pa.Table, int]:
        """The file as an all-text table, and how many malformed records were skipped."""
        malformed = 0

        def count_malformed(row: pacsv.InvalidRow) -> str:
            nonlocal malformed
            malformed += bool(row.text.strip())  # a whitespace-only line is a blank line
            return "skip"

        read_options = pacsv.ReadOptions(encoding=self._arrow_encoding())
        if block_size is not None:
            read_options.block_size = block_size
        with self._fs.open(str(self._filepath), "rb") as handle:
            table = pacsv.read_csv(
                handle,
                read_options=read_options,
                parse_options=pacsv.ParseOptions(
                    newlines_in_values=True, invalid_row_handler=count_malformed
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
                ),
            )
        return table, malformed

    def _arrow_encoding(self) -> str:
        return "utf8" if self._encoding.lower() in _UTF8 else self._encoding

    def _open_text(self) -> Any:
        return self._fs.open(str(self._filepath), "r", encoding=self._encoding, newline="")

    def _header(self) -> list[str]:
        try:
            with self._open_text() as handle:
                header = next(csv.reader(handle), None)
        except UnicodeDecodeError:
            raise self._decoding_error() from None
        if not header:
            raise DatasetError(f"{self._filepath} is empty: no header row.")
        seen: dict[str, int] = {}
        for position, name in enumerate(header, start=1):
            if name in seen:
                raise DatasetError(f"{self._filepath}: the header names column {name!r} twice "
                                   f"(columns {seen[name]} and {position}); column names must "
                                   f"be unique.")
            seen[name] = position
        return header

    def _decoding_error(self) -> DatasetError:
        """Where the file stops being ``encoding`` (line and byte), and how to read it instead."""
        with self._fs.open(str(self._filepath), "rb") as handle:
            data = handle.read()
        try:
            data.decode(self._encoding)
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            return DatasetError(
                f"{self._filepath}, line {line}: byte 0x{data[exc.start]:02X} (offset "
                f"{exc.start:,}) is not valid {self._encoding}. The file is probably in another "
                f"encoding, such as cp1252 (Windows) or latin-1: set `encoding: cp1252` on its "
                f"catalog entry, or convert the file to UTF-8.")
        return DatasetError(f"{self._filepath}: cannot be read as {self._encoding}.")

    def _load_with_malformed(self, header: list[str]) -> pd.DataFrame:
        """Slow path, only for files with malformed records: count fields record by record."""
        try:
            with self._open_text() as handle, _field_size_limit(_MAX_BLOCK):
                reader = csv.reader(handle)
                # A whitespace-only line counts as blank (0 fields), as for the other readers.
                shape = np.array([(len(row) if "".join(row).strip() or len(row) > 1 else 0,
                                   reader.line_num) for row in reader], dtype=np.int64)
        except UnicodeDecodeError:
            raise self._decoding_error() from None
        field_counts, end_lines = shape[:, 0], shape[:, 1]
        start_lines = np.concatenate(([1], end_lines[:-1] + 1))
        records = field_counts > 0  # csv yields [] for a blank line; the frame reader skips it
        field_counts, start_lines = field_counts[records][1:], start_lines[records][1:]
        width = len(header)
        bad = np.flatnonzero(field_counts != width)
        if self._problem_column is None and len(bad):
            first = bad[0]
            raise DatasetError(
                f"{self._filepath}, line {start_lines[first]}: record has {field_counts[first]} "
                f"fields, the header has {width}."
            )
        names = header + [f"surplus_{i}" for i in range(max(field_counts.max() - width, 0))]
        with self._open_text() as handle:
            frame = pd.read_csv(
                handle, header=None, names=names, dtype=str, na_filter=False,
                skip_blank_lines=True,
            ).iloc[1:].reset_index(drop=True)
        if len(frame) != len(field_counts):
            raise DatasetError(
                f"{self._filepath}: CSV readers disagree on the record count "
                f"({len(frame)} vs {len(field_counts)}); the file's quoting is broken."
            )
        return self._mark_malformed(frame, header, field_counts, start_lines, bad)

    def _mark_malformed(
        self, frame: pd.DataFrame, header: list[str], field_counts: np.ndarray,
        start_lines: np.ndarray, bad: np.ndarray,
    ) -> pd.DataFrame:
        width = len(header)
        absent = np.arange(width)[None, :] >= field_counts[:, None]  # fields a short record lacks
        text = frame[header].mask(pd.DataFrame(absent, index=frame.index, columns=header))
        surplus = frame.iloc[bad, width:].astype("str").to_numpy()  # few rows: the bad ones
        surplus_text = pd.Series([" | ".join(v for v in row if v) for row in surplus], dtype="str")
        problem = (
            "line " + pd.Series(start_lines[bad]).astype(str).to_numpy()
            + ": record has " + pd.Series(field_counts[bad]).astype(str).to_numpy()
            + f" fields, the header has {width}"
        )
        problem = np.where(
            surplus_text.str.len().to_numpy() > 0,
            problem + "; surplus values: " + surplus_text.str.slice(0, _SURPLUS_CHARS).to_numpy(),
            problem,
        )
        text[self._problem_column] = pd.Series(pd.NA, index=frame.index, dtype="str")
        text.loc[text.index[bad], self._problem_column] = problem
        return text
