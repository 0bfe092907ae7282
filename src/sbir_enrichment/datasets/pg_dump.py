"""One table of a PostgreSQL directory-format dump (``pg_dump -Fd``), streamed in chunks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd
import pyarrow as pa
from kedro.io.core import AbstractDataset, DatasetError

from sbir_enrichment.datasets.copy_text import RECIPIENT_ARRAY_COLUMNS, iter_copy_frames
from sbir_enrichment.datasets.pg_archive import TableData, read_archive_toc


class PgDumpTableDataset(AbstractDataset[None, Iterator[pd.DataFrame]]):
    """Read-only: load one table of a ``pg_dump -Fd`` archive as an iterator of DataFrames.

    The table's data file (``<dumpId>.dat.gz``, or ``<dumpId>.dat`` if uncompressed) and its
    column order are found in the archive's ``toc.dat``, so any snapshot works whatever its dump
    ids. The gzipped COPY text is decompressed and parsed as a stream, ``chunk_rows`` rows at a
    time, so memory does not grow with the table. Scalars come as strings (null for ``\\N``),
    ``array_columns`` as arrays of strings. Any damage (a missing or truncated data file, corrupt
    gzip, a line with the wrong number of fields, a missing end-of-data line) raises
    ``DatasetError`` naming the file and line, during the load or while iterating.

    Example catalog entry::

        usaspending_recipients:
          type: sbir_enrichment.datasets.pg_dump.PgDumpTableDataset
          path: data/01_raw/usaspending/pg_dump
          table: recipient_lookup
          schema: rpt
    """

    def __init__(
        self,
        *,
        path: str,
        table: str = "recipient_lookup",
        schema: str | None = None,
        columns: list[str] | None = None,
        array_columns: list[str] | None = None,
        chunk_rows: int = 200_000,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        """Create the dataset.

        Args:
            path: The archive directory (holding ``toc.dat``).
            table: Table name as in the archive.
            schema: The table's schema; needed only if the name exists in several schemas.
            columns: Columns to return, in this order (default: all, in the table's order).
            array_columns: Columns of array type, returned as arrays of strings (default:
                ``recipient_lookup``'s ``alternate_names`` and ``business_types_codes``).
            chunk_rows: Rows per loaded DataFrame (the last may be shorter).
            metadata: Free-form metadata, ignored by Kedro.
        """
        if chunk_rows < 1:
            raise DatasetError(f"chunk_rows must be at least 1, got {chunk_rows}")
        self._path = Path(path)
        self._table = table
        self._schema = schema
        self._columns = columns
        self._array_columns = tuple(RECIPIENT_ARRAY_COLUMNS if array_columns is None
                                    else array_columns)
        self._chunk_rows = chunk_rows
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"path": str(self._path), "table": self._table, "schema": self._schema,
                "columns": self._columns, "chunk_rows": self._chunk_rows}

    def load(self) -> Iterator[pd.DataFrame]:
        """Check the archive, table, columns and data file now; return the lazy chunk stream."""
        toc = read_archive_toc(self._path)
        if toc.encoding not in (None, "UTF8"):
            raise DatasetError(f"pg_dump archive {self._path} is encoded in {toc.encoding}; "
                               f"only UTF8 archives are supported.")
        entry = toc.find_table(self._table, self._schema, self._path)
        columns = list(self._columns or entry.columns)
        missing = [c for c in columns if c not in entry.columns]
        if missing:
            raise DatasetError(f"pg_dump archive {self._path}: table {entry.qualified_name} has "
                               f"no column(s) {missing}; it has {list(entry.columns)}.")
        return self._iter_chunks(entry, self._data_file(entry), columns)

    def _data_file(self, entry: TableData) -> Path:
        """The entry's data file as pg_restore finds it: plain, else with a ``.gz`` suffix.

        The name comes from ``toc.dat``, so it is confined to the archive directory: a name with
        a directory part, or a file that links elsewhere, is refused before anything is read
        (and no content of it is ever quoted).
        """
        name = entry.filename
        if name in ("", ".", "..") or PurePosixPath(name).name != name or "\\" in name:
            raise DatasetError(f"pg_dump archive {self._path}: toc.dat gives the data file of "
                               f"{entry.qualified_name} as {name[:200]!r}, which is not a file "
                               f"name inside the archive directory; refusing to read it.")
        plain = self._path / name
        for candidate in (plain, plain.with_name(plain.name + ".gz")):
            if candidate.is_file():
                if not candidate.resolve().is_relative_to(self._path.resolve()):
                    raise DatasetError(f"pg_dump archive {self._path}: {candidate.name} (data of "
                                       f"{entry.qualified_name}) links to a file outside the "
                                       f"archive directory; refusing to read it.")
                return candidate
        others = sorted(p.name for p in self._path.glob(f"{entry.filename}.*"))
        detail = (f"found only {others}: lz4/zstd-compressed dumps are not supported, "
                  f"re-dump with --compress=gzip" if others else "the file is missing")
        raise DatasetError(f"pg_dump archive {self._path}: no data file {plain.name}.gz for "
                           f"table {entry.qualified_name} ({detail}).")

    def _iter_chunks(self, entry: TableData, data_file: Path,
                     columns: list[str]) -> Iterator[pd.DataFrame]:
        total_mb = data_file.stat().st_size / 1e6
        with pa.OSFile(str(data_file)) as raw:
            stream = (pa.CompressedInputStream(raw, "gzip") if data_file.suffix == ".gz"
                      else raw)
            yield from iter_copy_frames(
                stream,
                name=f"{data_file} ({entry.qualified_name})",
                column_names=entry.columns,
                columns=columns,
                array_columns=[c for c in self._array_columns if c in columns],
                chunk_rows=self._chunk_rows,
                end_marker=True,
                progress=lambda: f"{raw.tell() / 1e6:,.1f} of {total_mb:,.1f} MB of the file",
            )

    def save(self, data: None) -> None:
        """Refuse: an archive is written by pg_dump, never by the pipeline."""
        raise DatasetError(f"PgDumpTableDataset({self._path}) is read-only.")

    def _exists(self) -> bool:
        return (self._path / "toc.dat").is_file()
