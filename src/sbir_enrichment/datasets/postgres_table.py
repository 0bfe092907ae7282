"""A table of a live PostgreSQL database (a restored USAspending), streamed in chunks."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator
from typing import Any

import pandas as pd
import psycopg
from kedro.io.core import AbstractDataset, DatasetError
from psycopg import sql

from sbir_enrichment.datasets.copy_text import RECIPIENT_ARRAY_COLUMNS, iter_copy_frames
from sbir_enrichment.redaction import redact

logger = logging.getLogger(__name__)

_READ_BUFFER_BYTES = 1 << 20
# Waits before reconnecting after a transient fault: 0.5 s, doubling, at most 30 s.
_FIRST_RETRY_SECONDS = 0.5
_MAX_RETRY_SECONDS = 30.0
# SQLSTATEs of a server going away or not yet back: admin_shutdown, crash_shutdown,
# cannot_connect_now ("the database system is starting up / shutting down / in recovery").
# Class 08 (connection exception) is transient too.
_TRANSIENT_SQLSTATES = ("57P01", "57P02", "57P03")
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


def _transient(exc: psycopg.Error) -> bool:
    """Whether reconnecting may cure ``exc``: a lost connection or a server going or coming back.

    Server errors carry a SQLSTATE (class 08 and ``_TRANSIENT_SQLSTATES`` are transient; a
    refused grant, a missing table are not). libpq gives none for a dropped socket (transient)
    or a failed connection attempt: that is transient (refused, reset, timed out) unless the
    server had already asked for the password, i.e. it refused the login itself (password,
    role, database).
    """
    if not isinstance(exc, psycopg.OperationalError):
        return False
    if exc.sqlstate is not None:
        return exc.sqlstate.startswith("08") or exc.sqlstate in _TRANSIENT_SQLSTATES
    return exc.pgconn is None or not exc.pgconn.used_password


class _CopyStream(io.RawIOBase):
    """A readable binary stream over the blocks of a ``COPY ... TO STDOUT``.

    An error of the connection is raised again by every later read, so the stream never looks
    ended after it failed (pyarrow's read-ahead thread may read once more; when that read saw an
    end, the thread was seen to hang the interpreter's exit).
    """

    def __init__(self, copy: psycopg.Copy) -> None:
        super().__init__()
        self._blocks = iter(copy)
        self._block = memoryview(b"")
        self._error: psycopg.Error | None = None
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def at_end(self) -> bool:
        """Whether no (more) data comes; reads a block ahead to know."""
        while not self._block:
            if self._error is not None:
                raise self._error
            try:
                block = next(self._blocks, None)
            except psycopg.Error as exc:
                self._error = exc
                raise
            if block is None:
                return True
            self._block = memoryview(block)
        return False

    def readinto(self, buffer: Any) -> int:
        if self.at_end():
            return 0
        size = min(len(buffer), len(self._block))
        buffer[:size] = self._block[:size]
        self._block = self._block[size:]
        self.bytes_read += size
        return size


class PostgresTableDataset(AbstractDataset[None, Iterator[pd.DataFrame]]):
    """Read-only: load a PostgreSQL table (or view) as an iterator of DataFrames.

    Rows stream out of the server with ``COPY (SELECT ... ORDER BY key) TO STDOUT`` and are
    parsed by the same columnar COPY-text reader as ``PgDumpTableDataset``: scalars as strings
    (or null), ``array_columns`` as arrays of strings, ``chunk_rows`` rows at a time, in bounded
    memory. The table, its schema and columns are checked when the load starts; a refused
    connection or a missing table or column raise ``DatasetError`` at once, naming the table and
    database (never the password).

    A transient fault mid-read (the connection lost, the server restarting: see ``_transient``)
    is retried: the read reconnects after 0.5 s, 1 s, 2 s, ... (at most 30 s) and goes on after
    the ``key`` of the last row yielded (``WHERE key > last``), so every row comes exactly once
    and the chunks are those of an uninterrupted read; a partly received chunk is read again.
    An outage ends when a chunk arrives; it fails the read after ``retry_attempts`` reconnects,
    or when the next wait would take it past ``retry_max_seconds``. The key must be unique and
    never null (checked as rows arrive); ``recipient_lookup``'s primary key ``id`` is. Each
    connection reads its own snapshot: resuming a table that changes meanwhile reads the rows
    after the key as they are then.

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
        key: str = "id",
        connect_timeout: int = 10,
        retry_attempts: int = 8,
        retry_max_seconds: float = 180.0,
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
            key: A unique, non-null column (best with an index, such as the primary key): the
                rows come in its order, and a read resumes after the last key it yielded. It
                is read even when ``columns`` leaves it out, and then not returned.
            connect_timeout: Seconds to wait for the server before failing.
            retry_attempts: Reconnects allowed in one outage (0: fail at the first fault).
            retry_max_seconds: Longest outage retried, in seconds, from its first fault.
            metadata: Free-form metadata, ignored by Kedro.
        """
        if chunk_rows < 1:
            raise DatasetError(f"chunk_rows must be at least 1, got {chunk_rows}")
        if retry_attempts < 0 or retry_max_seconds < 0:
            raise DatasetError(f"retry_attempts and retry_max_seconds must not be negative, got "
                               f"{retry_attempts} and {retry_max_seconds}")
        self._table = table
        self._params = _connection_params(dict(credentials or {}), table)
        self._secrets = (str(self._params.get("password") or ""),)
        self._schema = schema
        self._columns = columns
        self._array_columns = tuple(RECIPIENT_ARRAY_COLUMNS if array_columns is None
                                    else array_columns)
        self._chunk_rows = chunk_rows
        self._key = key
        self._connect_timeout = connect_timeout
        self._retry_attempts = retry_attempts
        self._retry_max_seconds = retry_max_seconds
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"table": self._table, "schema": self._schema, "database": self._where(),
                "columns": self._columns, "chunk_rows": self._chunk_rows, "key": self._key}

    def _fail(self, message: str) -> DatasetError:
        """A ``DatasetError`` whose message carries no credential."""
        return DatasetError(redact(message, self._secrets))

    def _where(self) -> str:
        """``host:port/dbname`` of the credentials, without user or password."""
        params = self._params
        return (f"{params.get('host', 'localhost')}:{params.get('port', 5432)}/"
                f"{params.get('dbname', '?')}")

    def _open(self) -> psycopg.Connection:
        return psycopg.connect(**{"connect_timeout": self._connect_timeout, **self._params},
                               client_encoding="UTF8", autocommit=True)

    def _connect(self) -> psycopg.Connection:
        if not self._params:
            raise DatasetError(
                f"PostgreSQL table '{self._table}': the credentials entry is empty; it must "
                f"hold {self.CREDENTIALS} (in conf/local/credentials.yml, e.g. under "
                f"'usaspending_db').")
        try:
            return self._open()
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
        if self._key not in names:
            raise DatasetError(f"PostgreSQL table {schema}.{table} in {self._where()} has no "
                               f"column '{self._key}' to read it in order of; set 'key' to a "
                               f"unique, non-null column (such as its primary key) of {names}.")
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
        """The chunks in key order; after a transient fault, reconnect and go on after the key
        of the last chunk yielded."""
        name = f"PostgreSQL table {schema}.{table} ({self._where()})"
        about = f" (the table holds ~{estimate:,} rows)" if estimate > 0 else ""
        selected = columns if self._key in columns else [*columns, self._key]
        rows, last_key, reconnects = 0, None, 0
        attempts, outage_start = 0, 0.0  # reconnects in the current outage; when it began
        while True:
            try:
                query = self._query(schema, table, selected, last_key)
                for frame in self._read(query, name, selected, about):
                    keys = frame[self._key]
                    self._check_keys(name, keys, last_key, rows)
                    rows, last_key, attempts = rows + len(frame), keys.iloc[-1], 0
                    yield frame if selected is columns else frame[columns]
                break
            except psycopg.Error as exc:
                if not _transient(exc):
                    raise self._fail(f"{name}: read failed: {exc}") from None
                if attempts == 0:
                    outage_start = time.monotonic()
                elapsed = time.monotonic() - outage_start
                delay = min(_FIRST_RETRY_SECONDS * 2 ** attempts, _MAX_RETRY_SECONDS)
                if attempts >= self._retry_attempts or elapsed + delay > self._retry_max_seconds:
                    raise self._fail(
                        f"{name}: read failed, given up after {attempts} reconnect(s) over "
                        f"{elapsed:.1f} s (retry_attempts: {self._retry_attempts}, "
                        f"retry_max_seconds: {self._retry_max_seconds:g}; {rows:,} rows were "
                        f"read): {exc}") from None
                resume = "from the start" if last_key is None else f"after {self._key} {last_key}"
                logger.warning("%s: connection lost or server unavailable (%s); %s rows read; "
                               "retry %d of %d in %.1f s, resuming %s", name,
                               redact(_first_line(exc), self._secrets), f"{rows:,}",
                               attempts + 1, self._retry_attempts, delay, resume)
                time.sleep(delay)
                attempts, reconnects = attempts + 1, reconnects + 1
        if reconnects:
            logger.info("%s: %s rows in all, read over %d reconnect(s)", name, f"{rows:,}",
                        reconnects)

    def _query(self, schema: str, table: str, columns: list[str],
               after: str | None) -> sql.Composed:
        """``COPY`` of ``columns`` in key order, of the rows whose key is after ``after``."""
        key = sql.Identifier(self._key)
        where = sql.SQL("") if after is None else sql.SQL(" WHERE {} > {}").format(
            key, sql.Literal(after))
        return sql.SQL("COPY (SELECT {} FROM {}{} ORDER BY {}) TO STDOUT").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(schema, table),
            where, key)

    def _read(self, query: sql.Composed, name: str, columns: list[str],
              about: str) -> Iterator[pd.DataFrame]:
        """The chunks of one connection's ``query``."""
        with self._open() as conn, conn.cursor().copy(query) as copy:
            raw = _CopyStream(copy)
            if raw.at_end():  # an empty table, or no row after the key resumed from
                return
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

    def _check_keys(self, name: str, keys: pd.Series, previous: str | None, rows: int) -> None:
        """Refuse a NULL or repeated key, after which resuming could skip rows. Keys arrive
        sorted, so a repeat is next to its twin (here or at the end of the last chunk)."""
        if (keys.isna().any() or (keys.array[1:] == keys.array[:-1]).any()
                or keys.iloc[0] == previous):
            raise DatasetError(
                f"{name}: the key column '{self._key}' holds a NULL or repeated value in rows "
                f"{rows + 1:,}-{rows + len(keys):,}; reading in order and resuming after a lost "
                f"connection need a unique, non-null key: set 'key' to one (such as the primary "
                f"key).")

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


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
