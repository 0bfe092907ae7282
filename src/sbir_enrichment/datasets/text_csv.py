"""A CSV file streamed as all-text batches; records with the wrong number of fields stay visible.

Spreadsheet-made exports break in two ways readers hide: a record with *more* fields than the
header is an error or silently dropped, one with *fewer* is padded as if its fields were empty.
``TextCSVDataset`` keeps every record, in file order, with every field as text (an empty field is
``""``, never NA). A record whose field count differs from the header's either fails the load with
the file and line, or (with ``problem_column`` set) is kept: its missing fields are null, its first
fields fill the header's columns and ``problem_column`` says what was wrong, with the line number
and the surplus values. Records are numbered from 0 after the header (blank lines are skipped).

The file loads as an iterator of DataFrames of at most ``chunk_rows`` records, each indexed by
its records' numbers, so it is never held whole.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath
from typing import Any, NamedTuple

import fsspec
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from kedro.io.core import AbstractDataset, DatasetError, get_protocol_and_path

_UTF8 = {"utf-8", "utf8", "utf-8-sig", "utf_8"}
_SURPLUS_CHARS = 200
_BLOCK = 1 << 20  # pyarrow's read block; grown when a record does not fit in one
_MAX_BLOCK = 2**31 - 1  # the largest read block (and field) the readers accept
_COUNT_ROWS = 65_536  # records whose fields are counted per numpy block (slow path)


@contextmanager
def _field_size_limit(limit: int) -> Iterator[None]:
    """Let Python's csv module read fields up to ``limit`` characters (default: 128 KiB)."""
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _skip_blank(row: pacsv.InvalidRow) -> str:
    """Skip a whitespace-only line (pyarrow reads it as a one-field record); any other record
    with the wrong number of fields is an error (read only where the scan found none)."""
    return "skip" if not row.text.strip() else "error"


def _regroup(batches: Iterable[pa.RecordBatch], rows: int) -> Iterator[pa.Table]:
    """Tables of ``rows`` rows (the last may be shorter) from record batches of any size."""
    pending: list[pa.RecordBatch] = []
    count = 0
    for batch in batches:
        pending.append(batch)
        count += batch.num_rows
        while count >= rows:
            table = pa.Table.from_batches(pending)
            yield table.slice(0, rows)
            pending = table.slice(rows).to_batches()
            count -= rows
    if count:
        yield pa.Table.from_batches(pending)


class _Malformed(NamedTuple):
    """The malformed records of a file (few), found by counting every record's fields."""

    records: np.ndarray  # their record numbers, ascending
    fields: np.ndarray  # their field counts
    lines: np.ndarray  # the lines they start on
    total: int  # records in the file
    widest: int  # most fields of any record


class TextCSVDataset(AbstractDataset[pd.DataFrame, Iterator[pd.DataFrame]]):
    """Read-only: stream a CSV with a header row as all-text DataFrames, flagging malformed records.

    ``load`` checks the header and scans the file at once (pyarrow, one column converted: the
    read block its largest record needs, and whether any record is malformed), then returns the
    lazy batches: from pyarrow's streaming reader, or, when the scan met malformed records, from
    pandas' chunked reader, placed by a record-by-record count of fields (Python's csv module)
    that keeps only the malformed records. Memory holds about one batch, not the file.

    A catalog ``validator:`` meets the iterator, not the frames: Kedro 1.7's ``DataCatalog.load``
    passes whatever ``load`` returns to ``validator.validate`` once, and Kedro's own pandera
    validator fails on an iterator. ``validation.SourceRowValidator`` returns it wrapped, each
    batch validated as the node draws it, so the entry (its model, ``on``, ``enabled``) still
    governs every batch; a failure names the rows' record numbers (the batches' index), is
    raised in the node rather than by the catalog, and is an error even with ``severity: warn``.

    Example catalog entry::

        sbir_awards_raw:
          type: sbir_enrichment.datasets.text_csv.TextCSVDataset
          filepath: data/01_raw/sbir_awards.csv
          problem_column: csv_problem
          chunk_rows: 50000
          validator:
            class: sbir_enrichment.validation.SourceRowValidator
            options: {model: SbirAwardsRaw}
            on: [load]
    """

    def __init__(
        self,
        *,
        filepath: str,
        problem_column: str | None = None,
        chunk_rows: int = 50_000,
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
            chunk_rows: Most records per loaded DataFrame.
            encoding: Text encoding; ``utf-8-sig`` also accepts a leading byte-order mark.
            credentials: fsspec storage options.
            fs_args: Extra fsspec filesystem arguments.
            metadata: Free-form metadata, ignored by Kedro.
        """
        if chunk_rows < 1:
            raise DatasetError(f"chunk_rows must be at least 1, got {chunk_rows}")
        protocol, path = get_protocol_and_path(filepath)
        self._protocol = protocol
        self._filepath = PurePosixPath(path)
        self._fs = fsspec.filesystem(protocol, **(credentials or {}), **(fs_args or {}))
        self._problem_column = problem_column
        self._chunk_rows = chunk_rows
        self._encoding = encoding
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {
            "filepath": str(self._filepath),
            "protocol": self._protocol,
            "problem_column": self._problem_column,
            "chunk_rows": self._chunk_rows,
            "encoding": self._encoding,
        }

    def save(self, data: pd.DataFrame) -> None:
        """Refuse: this dataset reads an external export and never writes it."""
        raise DatasetError(f"TextCSVDataset({self._filepath}) is read-only.")

    def _exists(self) -> bool:
        return self._fs.exists(str(self._filepath))

    def load(self) -> Iterator[pd.DataFrame]:
        """Check the file now; return the lazy stream of its batches (see the class docstring).

        There is always at least one batch (empty for a file with only a header).
        """
        header = self._header()
        block_size, malformed = self._scan(header)
        if malformed:
            return self._batches_with_malformed(header, self._find_malformed(header))
        return self._batches(header, block_size)

    def _scan(self, header: list[str]) -> tuple[int, bool]:
        """The read block the largest record fits in, and whether any record is malformed."""
        block_size = _BLOCK
        while True:
            try:
                return block_size, self._any_malformed(header, block_size)
            except pa.ArrowInvalid as exc:  # pyarrow: a record longer than a read block
                if "straddl" not in str(exc) or block_size == _MAX_BLOCK:
                    raise
                block_size = min(block_size * 16, _MAX_BLOCK)

    def _record_batches(self, header: list[str], block_size: int, columns: list[str],
                        on_invalid: Callable[[pacsv.InvalidRow], str]) -> Iterator[pa.RecordBatch]:
        """The records as Arrow text batches (``columns`` only), read a block at a time."""
        read_options = pacsv.ReadOptions(encoding=self._arrow_encoding(), block_size=block_size)
        try:
            with self._fs.open(str(self._filepath), "rb") as handle:
                yield from pacsv.open_csv(
                    handle,
                    read_options=read_options,
                    parse_options=pacsv.ParseOptions(
                        newlines_in_values=True, invalid_row_handler=on_invalid
                    ),
                    convert_options=pacsv.ConvertOptions(
                        include_columns=columns,
                        column_types=dict.fromkeys(header, pa.string()),
                        strings_can_be_null=False,
                    ),
                )
        except pa.ArrowInvalid as exc:
            if "UTF8" in str(exc):
                raise self._decoding_error() from None
            raise

    def _any_malformed(self, header: list[str], block_size: int) -> bool:
        """Whether any record has the wrong number of fields (a fast pass, one column read)."""
        malformed = 0

        def count_malformed(row: pacsv.InvalidRow) -> str:
            nonlocal malformed
            malformed += bool(row.text.strip())  # a whitespace-only line is a blank line
            return "skip"

        for _ in self._record_batches(header, block_size, header[:1], count_malformed):
            pass
        return malformed > 0

    def _batches(self, header: list[str], block_size: int) -> Iterator[pd.DataFrame]:
        """Well-formed files: pyarrow's streamed batches, regrouped into ``chunk_rows`` records."""
        first = 0
        for table in _regroup(self._record_batches(header, block_size, header, _skip_blank),
                              self._chunk_rows):
            frame = table.to_pandas()
            if self._problem_column:
                frame[self._problem_column] = pd.Series(pd.NA, index=frame.index, dtype="str")
            frame.index = pd.RangeIndex(first, first + len(frame))
            first += len(frame)
            yield frame
        if not first:
            columns = header + ([self._problem_column] if self._problem_column else [])
            yield pd.DataFrame({name: pd.Series(dtype="str") for name in columns})

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

    def _find_malformed(self, header: list[str]) -> _Malformed:
        """Slow path: count every record's fields (csv module), keeping the malformed records.

        Without ``problem_column``, the first malformed record fails the load.
        """
        width = len(header)
        found: list[tuple[np.ndarray, ...]] = []
        number, last_line, widest = -1, 0, 0  # the header is record -1
        try:
            with self._open_text() as handle, _field_size_limit(_MAX_BLOCK):
                reader = csv.reader(handle)
                # A whitespace-only line counts as blank (0 fields), as for the other readers.
                shapes = itertools.chain.from_iterable(
                    (len(row) if "".join(row).strip() or len(row) > 1 else 0, reader.line_num)
                    for row in reader)
                while len(block := np.fromiter(itertools.islice(shapes, 2 * _COUNT_ROWS),
                                               dtype=np.int64)):
                    fields, end_lines = block[0::2], block[1::2]
                    start_lines = np.concatenate(([last_line + 1], end_lines[:-1] + 1))
                    last_line = end_lines[-1]
                    records = fields > 0  # csv yields [] for a blank line; it is no record
                    fields, start_lines = fields[records], start_lines[records]
                    numbers = np.arange(number, number + len(fields))
                    number += len(fields)
                    data = numbers >= 0
                    widest = max(widest, int(fields[data].max(initial=0)))
                    bad = data & (fields != width)
                    found.append((numbers[bad], fields[bad], start_lines[bad]))
        except UnicodeDecodeError:
            raise self._decoding_error() from None
        malformed = _Malformed(*(np.concatenate(parts) for parts in zip(*found, strict=True)),
                               total=number, widest=widest)
        if self._problem_column is None and len(malformed.records):
            raise DatasetError(
                f"{self._filepath}, line {malformed.lines[0]}: record has "
                f"{malformed.fields[0]} fields, the header has {width}."
            )
        return malformed

    def _batches_with_malformed(self, header: list[str],
                                malformed: _Malformed) -> Iterator[pd.DataFrame]:
        """Slow path: pandas' chunked reader, the malformed records marked in each chunk."""
        surplus = max(malformed.widest - len(header), 0)
        names = header + [f"surplus_{i}" for i in range(surplus)]
        first = 0
        with self._open_text() as handle, pd.read_csv(
            handle, header=None, names=names, dtype=str, na_filter=False,
            skip_blank_lines=True, chunksize=self._chunk_rows,
        ) as chunks:
            for number, chunk in enumerate(chunks):
                frame = chunk.iloc[1:] if number == 0 else chunk  # the header row
                if frame.empty:
                    continue
                frame.index = pd.RangeIndex(first, first + len(frame))
                low, high = np.searchsorted(malformed.records, [first, first + len(frame)])
                yield self._mark_malformed(frame, header, malformed, slice(low, high))
                first += len(frame)
        if first != malformed.total:
            raise DatasetError(
                f"{self._filepath}: CSV readers disagree on the record count "
                f"({first} vs {malformed.total}); the file's quoting is broken."
            )

    def _mark_malformed(self, frame: pd.DataFrame, header: list[str], malformed: _Malformed,
                        mine: slice) -> pd.DataFrame:
        """``frame``'s header columns; its malformed records (``malformed[mine]``) lose the
        fields they lack and are described in the problem column."""
        width = len(header)
        bad = malformed.records[mine] - frame.index[0]
        fields, lines = malformed.fields[mine], malformed.lines[mine]
        absent = np.zeros((len(frame), width), dtype=bool)  # fields a short record lacks
        absent[bad] = np.arange(width)[None, :] >= fields[:, None]
        text = frame[header].mask(pd.DataFrame(absent, index=frame.index, columns=header))
        surplus = frame.iloc[bad, width:].astype("str").to_numpy()  # few rows: the bad ones
        surplus_text = pd.Series([" | ".join(v for v in row if v) for row in surplus], dtype="str")
        problem = (
            "line " + pd.Series(lines).astype(str).to_numpy()
            + ": record has " + pd.Series(fields).astype(str).to_numpy()
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
