"""PostgresTableDataset against a real PostgreSQL server."""

from __future__ import annotations

import logging
import time
import traceback

import pandas as pd
import pytest
from kedro.io.core import DatasetError
from postgres import as_records

from sbir_enrichment.datasets.pg_dump import PgDumpTableDataset
from sbir_enrichment.datasets.postgres_table import PostgresTableDataset
from sbir_enrichment.sample_data.recipients import RECIPIENT_COLUMNS

pytestmark = pytest.mark.postgres


def _sessions(server, dbname: str, settle_to: int | None = None) -> int:
    """Sessions open on ``dbname``; with ``settle_to``, first wait (up to 10 s) for that count.

    A server process ends shortly after its client disconnects, not at the same instant.
    """
    query = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
    with server.connect() as conn:
        for _ in range(100):
            count = conn.execute(query, (dbname,)).fetchone()[0]
            if count == settle_to or settle_to is None:
                break
            time.sleep(0.1)
    return count


def test_streams_every_row_in_chunks_exactly_as_stored(recipient_source) -> None:
    dataset = PostgresTableDataset(credentials=recipient_source.credentials, schema="rpt",
                                   chunk_rows=700)
    chunks = list(dataset.load())
    n = len(recipient_source.rows)
    assert [len(c) for c in chunks] == [700] * (n // 700) + [n % 700]
    loaded = pd.concat(chunks, ignore_index=True)
    assert list(loaded.columns) == list(RECIPIENT_COLUMNS)
    assert as_records(loaded) == as_records(recipient_source.rows)


def test_live_table_and_its_dump_give_identical_frames(recipient_source) -> None:
    live = list(PostgresTableDataset(credentials=recipient_source.credentials,
                                     schema="rpt").load())
    dumped = list(PgDumpTableDataset(path=str(recipient_source.dump), schema="rpt").load())
    assert len(live) == len(dumped) == 1
    assert (live[0].dtypes == dumped[0].dtypes).all()
    # Same rows: the dump in storage order, the live table in the order of its key, id.
    assert live[0]["id"].astype("int64").is_monotonic_increasing
    in_id_order = dumped[0].sort_values("id", key=lambda ids: ids.astype("int64"),
                                        ignore_index=True)
    assert live[0].drop(columns=["alternate_names", "business_types_codes"]).equals(
        in_id_order.drop(columns=["alternate_names", "business_types_codes"]))
    assert as_records(live[0]) == as_records(dumped[0])


def test_credentials_may_be_a_url(recipient_source) -> None:
    c = recipient_source.credentials
    url = f"postgresql://{c['user']}:{c['password']}@{c['host']}:{c['port']}/{c['dbname']}"
    loaded = pd.concat(PostgresTableDataset(credentials={"con": url}, schema="rpt",
                                            columns=["recipient_hash", "uei"]).load())
    assert as_records(loaded) == as_records(recipient_source.rows[["recipient_hash", "uei"]])


def test_wrong_password_names_the_database_but_not_the_password(recipient_source,
                                                                caplog) -> None:
    credentials = {**recipient_source.credentials, "password": "not-the-password"}
    with pytest.raises(DatasetError, match=r"cannot connect to 127\.0\.0\.1:\d+/usaspending.*"
                                           r"password authentication failed") as error:
        PostgresTableDataset(credentials=credentials, schema="rpt").load()
    assert "not-the-password" not in str(error.value)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]  # no retry


def test_empty_credentials_say_what_they_must_hold() -> None:
    with pytest.raises(DatasetError, match=r"credentials entry is empty; it must hold host, port, "
                                           r"dbname, user and password.*conf/local/credentials"):
        PostgresTableDataset(credentials=None).load()


@pytest.mark.parametrize("url", [
    "postgresql://reader:s3cr3t-pw@[::1:5432/usaspending",  # libpq quotes the whole URL back
    "postgresql://reader:s3cr3t-pw@127.0.0.1:1/usaspending?bogus=1",
])
def test_an_unusable_url_is_a_dataset_error_without_its_password(url: str) -> None:
    with pytest.raises(DatasetError, match=r"connection URL in the credentials \('con'\) cannot "
                                           r"be used") as error:
        PostgresTableDataset(credentials={"con": url})
    message = "".join(traceback.format_exception(error.value))  # what a console shows
    assert "s3cr3t-pw" not in message
    assert "reader:***@" in message or "bogus" in message


def test_a_refused_connection_never_shows_the_password() -> None:
    # Nothing listens on port 1: libpq's message names the address, ours must not add secrets.
    credentials = {"con": "postgresql://reader:s3cr3t-pw@127.0.0.1:1/usaspending",
                   "connect_timeout": 2}
    with pytest.raises(DatasetError, match=r"cannot connect to 127\.0\.0\.1:1/usaspending"
                       ) as error:
        PostgresTableDataset(credentials=credentials).load()
    assert "s3cr3t-pw" not in "".join(traceback.format_exception(error.value))


def test_absent_table_is_named(recipient_source, caplog) -> None:
    with pytest.raises(DatasetError, match=r"table 'rpt\.recipient_profile' does not exist in "
                                           r"127\.0\.0\.1:\d+/usaspending"):
        PostgresTableDataset(credentials=recipient_source.credentials, schema="rpt",
                             table="recipient_profile").load()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]  # no retry
    assert not PostgresTableDataset(credentials=recipient_source.credentials,
                                    table="recipient_profile").exists()


def test_ambiguous_table_and_missing_columns_are_refused(recipient_source) -> None:
    with pytest.raises(DatasetError, match=r"several schemas.*public\.recipient_lookup, "
                                           r"rpt\.recipient_lookup"):
        PostgresTableDataset(credentials=recipient_source.credentials).load()
    with pytest.raises(DatasetError, match=r"no column\(s\) \['dba_name'\]"):
        PostgresTableDataset(credentials=recipient_source.credentials, schema="rpt",
                             columns=["uei", "dba_name"]).load()


def test_connection_is_released_when_the_stream_ends_or_is_abandoned(recipient_source) -> None:
    server, dbname = recipient_source.server, recipient_source.credentials["dbname"]
    before = _sessions(server, dbname)
    dataset = PostgresTableDataset(credentials=recipient_source.credentials, schema="rpt",
                                   chunk_rows=100)
    chunks = dataset.load()
    assert _sessions(server, dbname, settle_to=before) == before  # the check's connection closed
    next(chunks)
    assert _sessions(server, dbname) == before + 1
    chunks.close()
    assert _sessions(server, dbname, settle_to=before) == before
