"""The ingestion pipeline builds the same recipient index from parquet, a pg_dump and PostgreSQL.

Each source is selected the way a user selects it (``--params recipient_source=...``) in a real
``KedroSession`` over a copy of the project.
"""

from __future__ import annotations

import gzip
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import PROJECT_ROOT, run_session
from kedro.io.core import DatasetError
from postgres import python_rows

from sbir_enrichment.catalog import MissingCredentialsError
from sbir_enrichment.sample_data.config import GeneratorConfig
from sbir_enrichment.sample_data.generator import generate_sample

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CHUNK_ROWS = 500
RECIPIENT_PARQUET = "data/01_raw/usaspending/recipient_lookup.parquet"
ARRAY_COLUMNS = ("alternate_names", "business_types_codes")


def _parquet_in_table_order(recipient_source, target: Path, order_by: str = "") -> None:
    """The table as a parquet file, rows in the order PostgreSQL stores (and dumps) them, or in
    the order of ``order_by`` (a column)."""
    query = "SELECT recipient_hash::text FROM rpt.recipient_lookup"
    with recipient_source.server.connect(recipient_source.credentials["dbname"]) as conn:
        order = [row[0] for row in conn.execute(
            f"{query} ORDER BY {order_by}" if order_by else query).fetchall()]
    rows = recipient_source.rows.set_index("recipient_hash", drop=False).loc[order]
    values = dict(zip(rows.columns, zip(*python_rows(rows), strict=True), strict=True))
    schema = pa.schema([(c, pa.list_(pa.string()) if c in ARRAY_COLUMNS else
                         pa.int64() if c == "id" else pa.string()) for c in rows.columns])
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({c: list(v) for c, v in values.items()}, schema=schema), target)


def _ingest(project: Path, source: str, **params: str) -> dict[str, pd.DataFrame]:
    """Run ingestion from ``source``; return the recipient index and rejects it wrote."""
    run_session(project, ["ingestion"], params={"recipient_source": source,
                                                "recipient_chunk_rows": CHUNK_ROWS, **params})
    parts = sorted((project / "data/02_intermediate/recipient_index").glob("part-*.parquet"))
    return {
        "partitions": [p.name for p in parts],
        "index": pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True),
        "rejected": pd.read_parquet(project / "data/02_intermediate/recipients_rejected.parquet"),
    }


@pytest.fixture
def project(project_copy: Path, recipient_source) -> Path:
    """A project copy with awards, the recipient table as parquet, and database credentials."""
    sample = generate_sample(GeneratorConfig(n_awards=60, n_recipients=200))
    sample.awards.to_csv(project_copy / "data/01_raw/sbir_awards.csv", index=False)
    _parquet_in_table_order(recipient_source, project_copy / RECIPIENT_PARQUET)
    credentials = {"usaspending_db": recipient_source.credentials}
    (project_copy / "conf/local/credentials.yml").write_text(yaml.safe_dump(credentials))
    return project_copy


def test_dump_and_live_table_give_the_parquet_recipient_index(project: Path,
                                                              recipient_source) -> None:
    # The dump holds the rows in storage order, the live table is read in id order (its key):
    # each must build the index the parquet file of the same rows in the same order builds.
    from_parquet = _ingest(project, "parquet")
    from_dump = _ingest(project, "pg_dump", recipient_dump_path=str(recipient_source.dump),
                        recipient_schema="rpt")
    _parquet_in_table_order(recipient_source, project / RECIPIENT_PARQUET, order_by="id")
    from_parquet_by_id = _ingest(project, "parquet")
    from_database = _ingest(project, "postgres", recipient_schema="rpt")
    n = len(recipient_source.rows)
    assert len(from_parquet["partitions"]) == -(-n // CHUNK_ROWS)
    assert len(from_parquet["index"]) + len(from_parquet["rejected"]) == n
    assert len(from_parquet["rejected"]) >= 1  # the row with no name and no identifier
    for source, built in ((from_dump, from_parquet), (from_database, from_parquet_by_id)):
        assert source["partitions"] == built["partitions"]
        pd.testing.assert_frame_equal(source["index"], built["index"])
        pd.testing.assert_frame_equal(source["rejected"], built["rejected"])


def test_a_damaged_dump_fails_the_run_and_leaves_no_complete_index(project: Path,
                                                                   recipient_source) -> None:
    from_parquet = _ingest(project, "parquet")  # a complete index exists before the failure
    archive = Path(shutil.copytree(recipient_source.dump, project / "data/01_raw/dump"))
    data_file = max(archive.glob("*.dat.gz"), key=lambda p: p.stat().st_size)
    good = data_file.read_bytes()
    lines = gzip.decompress(good).decode().split("\n")
    lines[1200] = lines[1200].replace("\t", " ", 1)  # line 1201: one field short
    data_file.write_bytes(gzip.compress("\n".join(lines).encode()))
    params = {"recipient_dump_path": str(archive), "recipient_schema": "rpt"}

    with pytest.raises(DatasetError, match=rf"{data_file.name}.*line 1201 has 19 "
                                           r"tab-separated fields, expected 20"):
        _ingest(project, "pg_dump", **params)
    with pytest.raises(DatasetError, match="recipients_normalised.*did not complete"):
        run_session(project, ["ingestion"], node_names=["collect_recipient_rejects_node"],
                    params={"recipient_source": "pg_dump", **params})

    data_file.write_bytes(good)
    repaired = _ingest(project, "pg_dump", **params)
    pd.testing.assert_frame_equal(repaired["index"], from_parquet["index"])


def test_postgres_source_without_credentials_fails_naming_the_entry(project: Path) -> None:
    (project / "conf/local/credentials.yml").unlink()
    with pytest.raises(MissingCredentialsError, match=r"conf/local/credentials\.yml has no entry "
                                                      r"'usaspending_db', which the catalog "
                                                      r"entry 'usaspending_recipients' .*must "
                                                      r"hold host, port, dbname, user and "
                                                      r"password, or con: postgresql://"):
        _ingest(project, "postgres")


def test_the_dump_script_writes_credentials_only_their_owner_can_read(tmp_path: Path) -> None:
    lookup = tmp_path / "recipient_lookup.parquet"
    generate_sample(GeneratorConfig(n_awards=20, n_recipients=50)).recipients.to_parquet(lookup)
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("old: entry\n")
    credentials.chmod(0o644)  # an earlier file that anyone could read
    subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "make_recipient_dump.py"),
                    "--parquet", str(lookup), "--dump", str(tmp_path / "dump"),
                    "--credentials", str(credentials)],
                   check=True, capture_output=True, timeout=300)
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    entry = yaml.safe_load(credentials.read_text())["usaspending_db"]
    assert entry["dbname"] == "usaspending" and entry["password"]
