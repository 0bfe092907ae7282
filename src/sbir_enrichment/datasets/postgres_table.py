"""A table of a live PostgreSQL database (a restored USAspending), streamed in chunks."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pandas as pd
import psycopg
from kedro.io.core import AbstractDataset, DatasetError
from psycopg import sql

from sbir_enrichment.datasets.copy_text import RECIPIENT_ARRAY_COLUMNS, iter_copy_frames
from sbir_enrichment.redaction import redact

_READ_BUFFER_BYTES = 1 << 20
_RELATIONS = """
    SELECT n.nspname, c.relname, c.oid, c.reltuples::bigint
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND (%s::text IS NULL OR n.nspname = %s)
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    ORDER BY n.nspname
"""
_COLUMNS = """
    SELECT attname FROM pg_attribute
    WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped ORDER BY attnum
"""


def _connection_params(credentials: dict[str, Any], table: str) -> dict[str, Any]:
    """libpq parameters of the credentials: ``con`` (a URL) parsed, the other keys on top."""
    con = credentials.pop("con", None)
    if not con:
        return credentials
    try:
        parsed = psycopg.conninfo.conninfo_to_dict(str(con))
    except psycopg.Error as exc:
        raise DatasetError(redact(
            f"PostgreSQL table '{table}': the connection URL in the credentials ('con') cannot "
            f"be used: {exc}", [credentials.get("password")])) from None
    return {**parsed, **credentials}


class _CopyStream(io.RawIOBase):
    """A readable binary stream over the blocks of a ``COPY ... TO STDOUT``."""

    def __init__(self, copy: psycopg.Copy) -> None:
        super().__init__()
        self._blocks = iter(copy)
        self._block = memoryview(b"")
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._block:
            block = next(self._blocks, None)
            if block is None:
                return 0
            self._block = memoryview(block)
        size = min(len(buffer), len(self._block))
        buffer[:size] = self._block[:size]
        self._block = self._block[size:]
        self.bytes_read += size
        return size


class PostgresTableDataset(AbstractDataset[None, Iterator[pd.DataFrame]]):
    """Read-only: load a PostgreSQL table (or view) as an iterator of DataFrames.

    Rows stream out of the server with ``COPY (SELECT ...) TO STDOUT`` and are parsed by the same
    columnar COPY-text reader as ``PgDumpTableDataset``, so both sources give identical frames:
    scalars as strings (or null), ``array_columns`` as arrays of strings, ``chunk_rows`` rows at
    a time, in bounded memory. The table, its schema and columns are checked when the load
    starts; a refused connection, a missing table or column, or a connection lost mid-stream
    raise ``DatasetError`` naming the table and database (never the password).

    Credentials (``conf/local/credentials.yml``) are libpq connection parameters, or a URL::

        usaspending_db:
          host: localhost
          port: 5432
          dbname: usaspending
          user: readonly
          password: ...
        # or:  usaspending_db: {con: "postgresql://readonly:...@localhost:5432/usaspending"}

    Example catalog entry::

        usaspending_recipients:
          type: sbir_enrichment.datasets.postgres_table.PostgresTableDataset
          table: recipient_lookup
          schema: rpt
          credentials: usaspending_db
    """

    #: What its credentials entry must hold (also named by the catalog when it is missing).
    CREDENTIALS = ("host, port, dbname, user and password, or con: "
                   "postgresql://user:password@host:port/dbname")

    def __init__(
        self,
        *,
        credentials: dict[str, Any] | None = None,
        table: str = "recipient_lookup",
        schema: str | None = None,
        columns: list[str] | None = None,
        array_columns: list[str] | None = None,
        chunk_rows: int = 200_000,
        connect_timeout: int = 10,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        """Create the dataset.

        Args:
            credentials: libpq connection parameters (``host``, ``port``, ``dbname``, ``user``,
                ``password``, ...) and/or ``con``, a ``postgresql://`` URL.
            table: Table (or view) name.
            schema: The table's schema; needed only if the name exists in several schemas.
            columns: Columns to return, in this order (default: all, in the table's order).
            array_columns: Columns of array type, returned as arrays of strings (default:
                ``recipient_lookup``'s ``alternate_names`` and ``business_types_codes``).
            chunk_rows: Rows per loaded DataFrame (the last may be shorter).
            connect_timeout: Seconds to wait for the server before failing.
            metadata: Free-form metadata, ignored by Kedro.
        """
        if chunk_rows < 1:
            raise DatasetError(f"chunk_rows must be at least 1, got {chunk_rows}")
        self._table = table
        self._params = _connection_params(dict(credentials or {}), table)
        self._secrets = (str(self._params.get("password") or ""),)
        self._schema = schema
        self._columns = columns
        self._array_columns = tuple(RECIPIENT_ARRAY_COLUMNS if array_columns is None
                                    else array_columns)
        self._chunk_rows = chunk_rows
        self._connect_timeout = connect_timeout
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"table": self._table, "schema": self._schema, "database": self._where(),
                "columns": self._columns, "chunk_rows": self._chunk_rows}

    def _fail(self, message: str) -> DatasetError:
        """A ``DatasetError`` whose message carries no credential."""
        return DatasetError(redact(message, self._secrets))

    def _where(self) -> str:
        """``host:port/dbname`` of the credentials, without user or password."""
        params = self._params
        return (f"{params.get('host', 'localhost')}:{params.get('port', 5432)}/"
                f"{params.get('dbname', '?')}")

    def _connect(self) -> psycopg.Connection:
        if not self._params:
            raise DatasetError(
                f"PostgreSQL table '{self._table}': the credentials entry is empty; it must "
                f"hold {self.CREDENTIALS} (in conf/local/credentials.yml, e.g. under "
                f"'usaspending_db').")
        try:
            return psycopg.connect(**{"connect_timeout": self._connect_timeout, **self._params},
                                   client_encoding="UTF8", autocommit=True)
        except psycopg.Error as exc:
            raise self._fail(f"PostgreSQL table '{self._table}': cannot connect to "
                             f"{self._where()}: {exc}") from None

    def load(self) -> Iterator[pd.DataFrame]:
        """Connect and check the table and columns now; return the lazy chunk stream."""
        with self._connect() as conn:
            schema, table, names, estimate = self._find_table(conn)
        columns = list(self._columns or names)
        missing = [c for c in columns if c not in names]
        if missing:
            raise DatasetError(f"PostgreSQL table {schema}.{table} in {self._where()} has no "
                               f"column(s) {missing}; it has {names}.")
        return self._iter_chunks(schema, table, columns, estimate)

    def _find_table(self, conn: psycopg.Connection) -> tuple[str, str, list[str], int]:
        """Schema, name, column names and row estimate of the one matching table."""
        relations = conn.execute(_RELATIONS, (self._table, self._schema, self._schema)).fetchall()
        wanted = f"{self._schema}.{self._table}" if self._schema else self._table
        if not relations:
            raise DatasetError(f"PostgreSQL table '{wanted}' does not exist in {self._where()}.")
        if len(relations) > 1:
            found = ", ".join(f"{schema}.{name}" for schema, name, _, _ in relations)
            raise DatasetError(f"PostgreSQL table '{self._table}' exists in several schemas of "
                               f"{self._where()} ({found}); set 'schema'.")
        schema, table, oid, estimate = relations[0]
        names = [row[0] for row in conn.execute(_COLUMNS, (oid,)).fetchall()]
        return schema, table, names, estimate

    def _iter_chunks(self, schema: str, table: str, columns: list[str],
                     estimate: int) -> Iterator[pd.DataFrame]:
        query = sql.SQL("COPY (SELECT {} FROM {}) TO STDOUT").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(schema, table))
        name = f"PostgreSQL table {schema}.{table} ({self._where()})"
        about = f" (the table holds ~{estimate:,} rows)" if estimate > 0 else ""
        with self._connect() as conn:
            try:
                with conn.cursor().copy(query) as copy:
                    raw = _CopyStream(copy)
                    yield from iter_copy_frames(
                        io.BufferedReader(raw, buffer_size=_READ_BUFFER_BYTES),
                        name=name,
                        column_names=columns,
                        columns=columns,
                        array_columns=[c for c in self._array_columns if c in columns],
                        chunk_rows=self._chunk_rows,
                        end_marker=False,
                        progress=lambda: f"{raw.bytes_read / 1e6:,.1f} MB received{about}",
                    )
            except psycopg.Error as exc:
                raise self._fail(f"{name}: read failed: {exc}") from None

    def save(self, data: None) -> None:
        """Refuse: the pipeline never writes to the source database."""
        raise DatasetError(f"PostgresTableDataset({self._table}) is read-only.")

    def _exists(self) -> bool:
        try:
            with self._connect() as conn:
                self._find_table(conn)
        except DatasetError:
            return False
        return True
