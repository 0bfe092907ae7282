"""PostgresTableDataset through real faults: a server restarted or stopped mid-read, a session
terminated while the login, the table or the grant changes.

The tests run a server of their own (they restart and stop it) holding a ``recipient_lookup`` of
``ROWS`` rows, stored in random order, and read it through a view that paces the server (it
sleeps 10 ms every 500 rows): pyarrow reads ahead of the consumer (tens of MB in a second), so
without the pacing the server could finish sending before the fault. The view is read by index
scan (``enable_seqscan`` is off for the reader), so rows stream as they are produced.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import pandas as pd
import psycopg
import pytest
from kedro.io.core import DatasetError
from postgres import PostgresServer, create_recipient_table

from sbir_enrichment.datasets.postgres_table import PostgresTableDataset

pytestmark = pytest.mark.postgres

ROWS = 60_000
CHUNK_ROWS = 5_000
PACED = "recipient_lookup_paced"
READER, READER_PASSWORD = "reader", "reader-s3cret"
FILL = """
INSERT INTO rpt.recipient_lookup (id, recipient_hash, legal_business_name, uei, duns, state,
                                  alternate_names, source, update_date)
SELECT g, md5(g::text)::uuid, 'FIRM ' || g || E' \\\\ TAB\\tLLC', upper(left(md5('u' || g), 12)),
       lpad(g::text, 9, '0'), 'VA', ARRAY['ALT ' || g, 'B,"' || g || '"', NULL], 'sam',
       date '2025-06-20'
FROM generate_series(1, %s) AS g ORDER BY random()
"""
PACING = f"""
CREATE FUNCTION rpt.paced(id bigint) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF id % 500 = 0 THEN PERFORM pg_sleep(0.01); END IF;
    RETURN true;
END $$;
CREATE VIEW rpt.{PACED} AS SELECT * FROM rpt.recipient_lookup WHERE rpt.paced(id);
"""


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    """A server of this module's own, with ``rpt.recipient_lookup`` and its paced view."""
    server = PostgresServer().start()
    try:
        server.create_database("usaspending")
        with server.connect("usaspending") as conn:
            create_recipient_table(conn, "rpt")
            conn.execute(FILL, (ROWS,))
            conn.execute("ANALYZE rpt.recipient_lookup")
            conn.execute(PACING)
            conn.execute(f"CREATE ROLE {READER} LOGIN PASSWORD '{READER_PASSWORD}'")
            conn.execute(f"ALTER ROLE {READER} SET enable_seqscan = off")
            conn.execute(f"GRANT USAGE ON SCHEMA rpt TO {READER}")
            conn.execute(f"GRANT SELECT ON rpt.recipient_lookup, rpt.{PACED} TO {READER}")
        yield server
    finally:
        server.stop()


def _dataset(server: PostgresServer, table: str = PACED, **options) -> PostgresTableDataset:
    credentials = server.credentials("usaspending", user=READER, password=READER_PASSWORD)
    return PostgresTableDataset(credentials=credentials, schema="rpt", table=table,
                                chunk_rows=CHUNK_ROWS, **options)


@pytest.fixture(scope="module")
def uninterrupted(server: PostgresServer) -> list[pd.DataFrame]:
    return list(_dataset(server).load())


def _retries(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno == logging.WARNING and "retry" in r.getMessage()]


def _until_refused(server: PostgresServer) -> None:
    """Return once the server refuses new sessions: it is going down, its sessions ending."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            server.connect().close()
        except psycopg.OperationalError:
            return
        time.sleep(0.01)
    raise AssertionError("the server did not go down")


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_a_server_restarted_mid_read_gives_every_row_exactly_once(
        server, uninterrupted, caplog, mode: str) -> None:
    caplog.set_level(logging.INFO)
    chunks = _dataset(server).load()
    read = [next(chunks)]
    restart = threading.Thread(target=server.pg_ctl, args=("restart", mode))
    restart.start()
    try:
        _until_refused(server)
        read += list(chunks)  # meets the lost connection, then the server coming back
    finally:
        restart.join()
    assert _retries(caplog), "the restart did not interrupt the read"
    assert f"{ROWS:,} rows in all" in caplog.text
    ids = pd.concat(read)["id"].astype("int64")
    assert ids.is_unique and sorted(ids) == list(range(1, ROWS + 1))
    assert len(read) == len(uninterrupted)
    for got, expected in zip(read, uninterrupted, strict=True):
        pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize(("attempts", "max_seconds", "reconnects"), [
    (1, 60.0, 1),  # bounded by attempts: one reconnect, after 0.5 s
    (20, 2.0, 2),  # bounded by time: waits of 0.5 s and 1 s; the next (2 s) would pass 2 s
])
def test_a_server_down_longer_than_the_retries_fails_the_read_in_bounded_time(
        server, caplog, attempts: int, max_seconds: float, reconnects: int) -> None:
    chunks = _dataset(server, retry_attempts=attempts, retry_max_seconds=max_seconds).load()
    next(chunks)
    server.pg_ctl("stop")
    try:
        started = time.monotonic()
        with pytest.raises(DatasetError) as error:
            list(chunks)
        elapsed = time.monotonic() - started
    finally:
        server.pg_ctl("start")
    assert elapsed < min(max_seconds, 0.5 * 2 ** reconnects) + 1.0
    assert len(_retries(caplog)) == reconnects
    message = str(error.value)
    assert message.startswith(f"PostgreSQL table rpt.{PACED} (127.0.0.1:{server.port}/"
                              f"usaspending): read failed, given up after {reconnects} "
                              f"reconnect(s) over ")
    assert "Connection refused" in message and READER_PASSWORD not in message


@pytest.mark.parametrize(("change", "undo", "error"), [
    (f"ALTER ROLE {READER} PASSWORD 'changed'",
     f"ALTER ROLE {READER} PASSWORD '{READER_PASSWORD}'",
     rf'password authentication failed for user "{READER}"'),
    (f"ALTER VIEW rpt.{PACED} RENAME TO gone",
     f"ALTER VIEW rpt.gone RENAME TO {PACED}",
     rf'relation "rpt\.{PACED}" does not exist'),
    (f"REVOKE SELECT ON rpt.{PACED} FROM {READER}",
     f"GRANT SELECT ON rpt.{PACED} TO {READER}",
     f"permission denied for view {PACED}"),
], ids=["password", "table", "grant"])
def test_a_refused_login_a_missing_table_or_grant_after_a_lost_session_fail_at_once(
        server, caplog, change: str, undo: str, error: str) -> None:
    chunks = _dataset(server).load()
    next(chunks)
    with server.connect("usaspending") as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE usename = %s", (READER,))
        admin.execute(change)  # waits for the terminated session's lock
        try:
            started = time.monotonic()
            with pytest.raises(DatasetError, match=rf"{PACED} .*read failed: .*{error}"
                               ) as failure:
                list(chunks)
            elapsed = time.monotonic() - started
        finally:
            admin.execute(undo)
    assert len(_retries(caplog)) == 1  # the lost session only; the reconnect's error is final
    assert elapsed < 0.5 + 1.0
    assert READER_PASSWORD not in str(failure.value)


def test_a_key_that_repeats_is_refused(server) -> None:
    with pytest.raises(DatasetError, match=r"key column 'source' holds a NULL or repeated value "
                                           r"in rows 1-5,000; .*set 'key'"):
        next(_dataset(server, "recipient_lookup", key="source").load())
    with pytest.raises(DatasetError, match=r"has no column 'ident' to read it in order of"):
        _dataset(server, key="ident").load()


def test_an_empty_table_gives_no_chunks(server) -> None:
    # The same path ends a read resumed after its last row: nothing after the key is no error.
    with server.connect("usaspending") as admin:
        create_recipient_table(admin, "rpt", "empty_lookup")
        admin.execute(f"GRANT SELECT ON rpt.empty_lookup TO {READER}")
    assert list(_dataset(server, "empty_lookup").load()) == []
