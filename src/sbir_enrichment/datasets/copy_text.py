"""Stream PostgreSQL COPY text (pg_dump data files, ``COPY ... TO STDOUT``) as pandas chunks.

COPY text holds one row per line: fields separated by tabs, ``\\N`` for NULL, backslash escapes
(``\\\\``, ``\\t``, ``\\n``, ``\\r``, ``\\b``, ``\\f``, ``\\v``) and arrays as ``{a,"b c",NULL}``;
pg_dump ends each data file with a ``\\.`` line. Parsing is columnar: pyarrow's CSV reader splits
lines and fields (no quoting: a literal tab or newline never occurs inside a COPY field), then
escapes and array literals are decoded by Arrow compute kernels, one chunk at a time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from kedro.io.core import DatasetError
from pyarrow import csv as pa_csv

logger = logging.getLogger(__name__)

#: ``recipient_lookup`` columns of PostgreSQL type ``text[]``.
RECIPIENT_ARRAY_COLUMNS = ("alternate_names", "business_types_codes")

NULL_FIELD = "\\N"
END_OF_DATA = "\\."
_BLOCK_BYTES = 4 << 20
_PROGRESS_SECONDS = 10.0
# PostgreSQL text cannot contain NUL, so NUL can stand in for an escaped backslash (and separate
# array elements) without clashing with data.
_NUL = "\x00"
_ESCAPES = (("\\t", "\t"), ("\\n", "\n"), ("\\r", "\r"), ("\\b", "\b"), ("\\f", "\f"),
            ("\\v", "\v"))
# An array element: a quoted string (backslash escapes inside) or an unquoted run of characters.
_ELEMENT_THEN_COMMA = r'(?s)("(?:[^"\\]|\\.)*"|[^,"]*),'
_ESCAPED_CHAR = r"(?s)\\(.)"


class _LineCheck:
    """pyarrow invalid-row handler: lets the end-of-data line pass, records any other bad line."""

    def __init__(self) -> None:
        self.saw_end = False
        self.bad_line: str | None = None

    def __call__(self, row: Any) -> str:
        if row.text == END_OF_DATA and not self.saw_end:
            self.saw_end = True
            return "skip"
        where = f"line {row.number}" if row.number is not None else "a line"
        self.bad_line = (f"{where} has {row.actual_columns} tab-separated fields, expected "
                         f"{row.expected_columns}: {row.text[:120]!r}")
        return "error"


def iter_copy_frames(
    source: Any,
    *,
    name: str,
    column_names: Sequence[str],
    columns: Sequence[str],
    array_columns: Collection[str],
    chunk_rows: int,
    end_marker: bool,
    progress: Callable[[], str],
) -> Iterator[pd.DataFrame]:
    """Yield DataFrames of ``chunk_rows`` rows (the last may be shorter) parsed from COPY text.

    Args:
        source: Binary stream of COPY text (a pyarrow ``NativeFile`` or a Python file object).
        name: What the stream is (file or table), used in progress and error messages.
        column_names: Every column of the stream, in order.
        columns: The columns to return, in this order.
        array_columns: Columns holding array literals; they become lists of strings.
        chunk_rows: Rows per yielded DataFrame.
        end_marker: The stream must end with the ``\\.`` line (pg_dump data files do); a stream
            without it is reported as truncated.
        progress: Returns a short description of the bytes consumed so far, for progress logs.

    Returns:
        An iterator of DataFrames with string columns (null for ``\\N``) and, for
        ``array_columns``, object columns of string arrays; it raises ``DatasetError`` naming
        ``name`` and the line for malformed input, and never stops early without raising.
    """
    started = time.monotonic()
    schema = pa.schema([(column, pa.string()) for column in columns])
    pending: list[pa.RecordBatch] = []
    pending_rows = emitted = 0
    batches = _read_batches(source, name=name, column_names=column_names, columns=columns,
                            end_marker=end_marker, progress=progress)
    for batch in batches:
        pending.append(batch)
        pending_rows += batch.num_rows
        while pending_rows >= chunk_rows:
            table = pa.Table.from_batches(pending, schema=schema)
            yield _decode(table.slice(0, chunk_rows), array_columns, name, emitted + 1)
            emitted += chunk_rows
            rest = table.slice(chunk_rows)
            pending, pending_rows = rest.to_batches(), rest.num_rows
    if pending_rows or not emitted:
        yield _decode(pa.Table.from_batches(pending, schema=schema), array_columns, name,
                      emitted + 1)
    rows = emitted + pending_rows
    elapsed = max(time.monotonic() - started, 1e-9)
    logger.info("%s: done, %s rows, %s, %.1f s (%s rows/s)", name, f"{rows:,}", progress(),
                elapsed, f"{rows / elapsed:,.0f}")


def _read_batches(source: Any, *, name: str, column_names: Sequence[str],
                  columns: Sequence[str], end_marker: bool,
                  progress: Callable[[], str]) -> Iterator[pa.RecordBatch]:
    """Split COPY text into batches of raw (still escaped) string fields, logging progress."""
    check = _LineCheck()
    started = last_log = time.monotonic()
    lines = 0
    try:
        reader = pa_csv.open_csv(
            source,
            read_options=pa_csv.ReadOptions(column_names=list(column_names),
                                            block_size=_BLOCK_BYTES, use_threads=False),
            parse_options=pa_csv.ParseOptions(delimiter="\t", quote_char=False,
                                              double_quote=False, escape_char=False,
                                              ignore_empty_lines=True,
                                              invalid_row_handler=check),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(column_names, pa.string()),
                include_columns=list(columns), null_values=[NULL_FIELD],
                strings_can_be_null=True),
        )
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            lines += batch.num_rows
            yield batch
            if time.monotonic() - last_log >= _PROGRESS_SECONDS:
                last_log = time.monotonic()
                logger.info("%s: %s rows read, %s, %s rows/s", name, f"{lines:,}", progress(),
                            f"{lines / (last_log - started):,.0f}")
    except (pa.ArrowInvalid, OSError) as exc:
        if check.bad_line:
            raise DatasetError(f"{name}: {check.bad_line}") from exc
        raise DatasetError(f"{name}: unreadable after line {lines:,}: "
                           f"{str(exc).splitlines()[0]}") from exc
    if end_marker and not check.saw_end:
        raise DatasetError(f"{name}: ends after line {lines:,} without the end-of-data line "
                           f"'{END_OF_DATA}': the data is truncated.")


def _decode(table: pa.Table, array_columns: Collection[str], name: str,
            first_line: int) -> pd.DataFrame:
    """Decode escapes (and array literals) of raw COPY fields into a DataFrame."""
    arrays = []
    for column_name, column in zip(table.column_names, table.columns, strict=True):
        text = unescape_copy_text(column.combine_chunks())
        arrays.append(parse_text_arrays(text, f"{name}: column '{column_name}'", first_line)
                      if column_name in array_columns else text)
    return pa.Table.from_arrays(arrays, names=table.column_names).to_pandas()


def unescape_copy_text(values: pa.Array) -> pa.Array:
    """Decode COPY backslash escapes in a string array (vectorised; NULLs stay NULL)."""
    if not pc.any(pc.match_substring(values, "\\")).as_py():
        return values
    # Left-to-right, an escaped backslash is always a "\\" pair, so hiding the pairs first
    # leaves only single-character escapes to replace.
    out = pc.replace_substring(values, "\\\\", _NUL)
    for escape, char in _ESCAPES:
        out = pc.replace_substring(out, escape, char)
    return pc.replace_substring(out, _NUL, "\\")


def parse_text_arrays(literals: pa.Array, what: str, first_line: int) -> pa.ListArray:
    """Parse one-dimensional PostgreSQL array literals (``{a,"b,c",NULL}``) into string lists.

    Args:
        literals: Array literals as PostgreSQL writes them, COPY escapes already decoded.
        what: The column, named in the error for a value that is not an array literal.
        first_line: Line number of the first value, for that error.

    Returns:
        A list array: ``{}`` becomes an empty list, unquoted ``NULL`` a null element, a NULL
        literal a null list.
    """
    shaped = pc.and_(pc.starts_with(literals, "{"), pc.ends_with(literals, "}"))
    bad = pc.fill_null(pc.invert(shaped), False)
    if pc.any(bad).as_py():
        index = pc.index(bad, True).as_py()
        raise DatasetError(f"{what}: line {first_line + index:,} holds "
                           f"{literals[index].as_py()!r}, not an array literal.")
    inner = pc.utf8_slice_codeunits(literals, 1, -1)
    # Commas separate elements, but not inside quoted elements: those literals (the ones with a
    # '"') get a closing comma, then a regex consumes element after element, each with its
    # comma, and marks the separating commas; the closing mark is dropped.
    separated = pc.replace_substring(inner, ",", _NUL)
    has_quotes = pc.fill_null(pc.match_substring(inner, '"'), False)
    if pc.any(has_quotes).as_py():
        closed = pc.binary_join_element_wise(pc.filter(inner, has_quotes), ",", "")
        marked = pc.replace_substring_regex(closed, _ELEMENT_THEN_COMMA, "\\1" + _NUL)
        separated = pc.replace_with_mask(separated, has_quotes,
                                         pc.utf8_slice_codeunits(marked, 0, -1))
    lists = pc.split_pattern(pc.if_else(pc.equal(inner, ""), None, separated), _NUL)
    elements = lists.values
    quoted = pc.starts_with(elements, '"')
    values = elements
    if pc.any(quoted).as_py():
        unquoted = pc.utf8_slice_codeunits(pc.filter(elements, quoted), 1, -1)
        if pc.any(pc.match_substring(unquoted, "\\")).as_py():
            unquoted = pc.replace_substring_regex(unquoted, _ESCAPED_CHAR, "\\1")
        values = pc.replace_with_mask(elements, quoted, unquoted)
    null_element = pc.and_(pc.invert(quoted), pc.equal(pc.utf8_upper(elements), "NULL"))
    if pc.any(null_element).as_py():
        values = pc.if_else(null_element, pa.scalar(None, pa.string()), values)
    return pa.ListArray.from_arrays(lists.offsets, values, mask=pc.is_null(literals))
