"""A throw-away PostgreSQL server for tests, and the USAspending ``recipient_lookup`` table in it.

``PostgresServer.start()`` runs ``initdb`` in a fresh temporary directory with the binaries of the
installed Debian package (``/usr/lib/postgresql/<version>/bin``), starts the server on 127.0.0.1
with a free port and password (SCRAM) authentication, and ``stop()`` removes it again. PostgreSQL
refuses to run as root, so as root the server runs as the package's ``postgres`` system user.

The session fixtures ``postgres_server`` and ``recipient_source`` are registered by
tests/conftest.py (a second ``conftest`` module would shadow that one's helpers).
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psycopg
import pytest
from psycopg import sql

from sbir_enrichment.sample_data.config import GeneratorConfig
from sbir_enrichment.sample_data.generator import generate_sample
from sbir_enrichment.sample_data.recipients import RECIPIENT_COLUMNS

SUPERUSER = "sbir_test"
RECIPIENT_LOOKUP_DDL = """
CREATE TABLE {table} (
    id bigint PRIMARY KEY,
    recipient_hash uuid,
    legal_business_name text,
    duns text,
    address_line_1 text,
    address_line_2 text,
    business_types_codes text[],
    city text,
    congressional_district text,
    country_code text,
    parent_duns text,
    parent_legal_business_name text,
    state text,
    zip4 text,
    zip5 text,
    alternate_names text[] DEFAULT '{{}}'::text[],
    source text NOT NULL,
    update_date date NOT NULL,
    uei text,
    parent_uei text
)
"""


def postgres_bin_dir() -> Path:
    """Newest ``/usr/lib/postgresql/<version>/bin`` holding ``initdb``."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if not found:
        raise RuntimeError("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); "
                           "run `bash scripts/setup.sh --system` as root.")
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PostgresServer:
    """A running test server; ``start()`` creates it, ``stop()`` destroys it."""

    bin_dir: Path = field(default_factory=postgres_bin_dir)
    password: str = field(default_factory=lambda: secrets.token_hex(12))
    host: str = "127.0.0.1"
    port: int = 0
    root: Path | None = None
    options: str = ""

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> PostgresServer:
        """initdb a cluster in a new temporary directory and start it on a free port."""
        self.root = Path(tempfile.mkdtemp(prefix="sbir-postgres-"))
        (self.root / "pwfile").write_text(self.password + "\n")
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            os.chown(self.root / "pwfile", owner.pw_uid, owner.pw_gid)
        data = self.root / "data"
        self._run("initdb", "-D", str(data), "-U", SUPERUSER, "-E", "UTF8", "--locale=C.UTF-8",
                  "--auth-local=trust", "--auth-host=scram-sha-256",
                  f"--pwfile={self.root / 'pwfile'}", "--no-sync")
        for _attempt in range(3):
            self.port = _free_port()
            self.options = (f"-h {self.host} -p {self.port} -k {self.root} -F "
                            f"-c full_page_writes=off -c synchronous_commit=off")
            try:
                self.pg_ctl("start")
                return self
            except subprocess.CalledProcessError:
                continue
        log = (self.root / "server.log").read_text(errors="replace")
        self.stop()
        raise RuntimeError(f"PostgreSQL did not start:\n{log[-2000:]}")

    def pg_ctl(self, action: str, mode: str = "fast") -> None:
        """``pg_ctl start``, ``stop`` or ``restart`` of this server, keeping its data and port;
        waits until it is done (started: accepting connections). ``mode`` is the shutdown
        mode: ``fast`` ends the sessions, ``immediate`` kills the server (it recovers when
        started again)."""
        assert self.root is not None, "the server was not started"
        self._run("pg_ctl", "-D", str(self.root / "data"), "-l", str(self.root / "server.log"),
                  "-o", self.options, "-m", mode, "-w", "-t", "60", action)

    def stop(self) -> None:
        """Stop the server (immediately: its data is disposable) and delete its directory."""
        if self.root is None:
            return
        if (self.root / "data" / "postmaster.pid").exists():
            self.pg_ctl("stop", mode="immediate")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def credentials(self, dbname: str, **overrides: Any) -> dict[str, Any]:
        """libpq parameters for ``dbname``, as a ``credentials.yml`` entry would hold them."""
        return {"host": self.host, "port": self.port, "dbname": dbname, "user": SUPERUSER,
                "password": self.password, **overrides}

    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        """An autocommit connection to ``dbname``."""
        return psycopg.connect(**self.credentials(dbname), autocommit=True)

    def create_database(self, dbname: str) -> None:
        """Create an empty database (dropping any of that name)."""
        with self.connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(dbname)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))

    def pg_dump(self, dbname: str, target: Path, *extra: str) -> Path:
        """``pg_dump -Fd`` of ``dbname`` into the (new) directory ``target``."""
        env = {**os.environ, "PGPASSWORD": self.password}
        subprocess.run([str(self.bin_dir / "pg_dump"), "-h", self.host, "-p", str(self.port),
                        "-U", SUPERUSER, "-Fd", "-f", str(target), *extra, dbname],
                       check=True, capture_output=True, text=True, env=env, timeout=1800)
        return target


def create_recipient_table(conn: psycopg.Connection, schema: str,
                           table: str = "recipient_lookup") -> None:
    """Create ``schema.table`` with USAspending's ``recipient_lookup`` columns and types."""
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    conn.execute(sql.SQL(RECIPIENT_LOOKUP_DDL).format(table=sql.Identifier(schema, table)))


def copy_rows(conn: psycopg.Connection, schema: str, table: str, frame: pd.DataFrame) -> None:
    """Insert ``frame`` with ``COPY FROM STDIN``: psycopg writes the values, the server parses."""
    query = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(schema, table), sql.SQL(", ").join(map(sql.Identifier, frame.columns)))
    with conn.cursor().copy(query) as copy:
        for row in python_rows(frame):
            copy.write_row(row)


def python_rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Rows of plain Python values: None for nulls, lists for arrays."""
    columns = []
    for name in frame.columns:
        values = frame[name].astype(object).tolist()
        columns.append([None if _is_null(v) else (list(v) if _is_list(v) else v)
                        for v in values])
    return list(zip(*columns, strict=True))


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple | np.ndarray)


def _is_null(value: Any) -> bool:
    return not _is_list(value) and bool(pd.isna(value))


# Values that COPY text must escape or that array literals must quote, plus non-ASCII text.
AWKWARD_NAMES = [
    "TAB\tINSIDE", "BACK\\SLASH", "NEW\nLINE", "CARRIAGE\rRETURN", 'QUOTE " INSIDE',
    "COMMA, INC.", "{BRACES}", "\\N", "NULL", "", "  PADDED  ", "ÉCOLE FRANÇAISE SARL",
    "北京科技有限公司", "ROCKET 🚀 LLC", "ENDS WITH \\", "\\.", "FORM\fFEED\vVTAB\bBS",
]
AWKWARD_ARRAYS = [
    ["A B", "C,D"], ['E"F', "G\\H"], ["NULL", None, ""], [], None, ["{X}", "TAB\tIN"],
    ["NEW\nLINE"], ["ÜBER GMBH", "日本"], [" LEADING", "TRAILING "], ["\\N"], ["\\"],
]


def awkward_recipients(first_id: int) -> pd.DataFrame:
    """``recipient_lookup`` rows whose text needs escaping or quoting, and one nearly all NULL."""
    n = len(AWKWARD_NAMES)
    arrays = (AWKWARD_ARRAYS * 2)[:n]
    frame = pd.DataFrame({
        "id": np.arange(first_id, first_id + n + 1, dtype=np.int64),
        "recipient_hash": [f"00000000-0000-4000-8000-{i:012x}" for i in range(n + 1)],
        "legal_business_name": [*AWKWARD_NAMES, None],
        "duns": [f"{i:09d}" for i in range(n)] + [None],
        "address_line_1": [*reversed(AWKWARD_NAMES), None],
        "business_types_codes": [["2X", "8W"], *arrays[1:], None],
        "city": ["MÜNCHEN"] * n + [None],
        "alternate_names": [*arrays, None],
        "source": ["sam"] * (n + 1),
        "update_date": ["2025-06-20"] * (n + 1),
    })
    return frame


def as_records(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Rows as plain Python values, comparable across sources: str or None; arrays as tuples.

    Rows are put in ``recipient_hash`` order: a table has no row order of its own (PostgreSQL
    returns and dumps rows in storage order, which need not be the order they were loaded in).
    """
    frame = frame.sort_values("recipient_hash", key=lambda s: s.astype(str), ignore_index=True)
    columns = []
    for name in frame.columns:
        values = frame[name].astype(object).tolist()
        columns.append([None if _is_null(v) else
                        (tuple(None if _is_null(x) else str(x) for x in v) if _is_list(v)
                         else str(v)) for v in values])
    return list(zip(*columns, strict=True))


@dataclass(frozen=True)
class RecipientSource:
    """One ``rpt.recipient_lookup`` table, live and dumped, and the rows it was loaded from."""

    rows: pd.DataFrame
    credentials: dict[str, Any]
    dump: Path
    server: PostgresServer


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server on 127.0.0.1 for the whole session, removed afterwards."""
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def recipient_source(postgres_server: PostgresServer,
                     tmp_path_factory: pytest.TempPathFactory) -> RecipientSource:
    """``rpt.recipient_lookup`` with 2,000 generated and some awkward rows, and its ``pg_dump -Fd``.

    The database ``usaspending`` also holds a decoy ``public.recipient_lookup`` with other rows,
    so the table must be told apart by schema.
    """
    generated = generate_sample(GeneratorConfig(n_awards=100, n_recipients=2_000)).recipients
    awkward = awkward_recipients(first_id=len(generated) + 1)
    rows = pd.concat([generated.astype(object), awkward.astype(object)], ignore_index=True)
    rows = rows.reindex(columns=list(RECIPIENT_COLUMNS))
    postgres_server.create_database("usaspending")
    with postgres_server.connect("usaspending") as conn:
        create_recipient_table(conn, "rpt")
        copy_rows(conn, "rpt", "recipient_lookup", generated)
        copy_rows(conn, "rpt", "recipient_lookup", awkward)
        create_recipient_table(conn, "public")
        copy_rows(conn, "public", "recipient_lookup", awkward.head(3))
    dump = postgres_server.pg_dump("usaspending",
                                   tmp_path_factory.mktemp("pg_dump") / "archive")
    return RecipientSource(rows, postgres_server.credentials("usaspending"), dump,
                           postgres_server)
