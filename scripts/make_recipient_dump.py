"""Turn a recipient_lookup parquet file into a real ``pg_dump -Fd`` archive (for tests and timing).

Command (from the project root, after ``kedro run --pipelines sample_data [--env full]``):

    .venv/bin/python scripts/make_recipient_dump.py \
        --parquet data/01_raw/usaspending/recipient_lookup.parquet \
        --dump data/01_raw/usaspending/pg_dump

Starts a throw-away PostgreSQL server (the installed Debian package, see tests/postgres.py),
creates ``rpt.recipient_lookup`` with USAspending's column types, loads the parquet rows with
``COPY FROM STDIN`` (psycopg writes the values, the server parses them), runs ``pg_dump -Fd`` and
removes the server. With ``--serve``, the server stays up until Ctrl-C (or SIGTERM), and
``--credentials`` writes its ``usaspending_db`` entry (file mode 0600, readable by you only), so
``--params recipient_source=postgres`` can read the live table meanwhile. Needs the test extra
(pytest) installed.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from postgres import PostgresServer, copy_rows, create_recipient_table  # noqa: E402

BATCH_ROWS = 100_000


def write_credentials(path: Path, entry: dict) -> None:
    """Write ``usaspending_db: entry`` to ``path``, readable and writable by its owner only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # also when the file existed with a wider mode
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(yaml.safe_dump({"usaspending_db": entry}))


def main() -> None:
    """Parse arguments, load the table, dump it, and optionally serve it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parquet", type=Path, required=True)
    parser.add_argument("--dump", type=Path, required=True, help="new directory for the archive")
    parser.add_argument("--serve", action="store_true", help="keep the server up until Ctrl-C")
    parser.add_argument("--credentials", type=Path, help="write a credentials.yml here")
    args = parser.parse_args()

    # Stop (and delete) the server on Ctrl-C or `kill`, also when started in the background.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: sys.exit(0))
    server = PostgresServer().start()
    try:
        started = time.perf_counter()
        server.create_database("usaspending")
        with server.connect("usaspending") as conn:
            create_recipient_table(conn, "rpt")
            parquet = pq.ParquetFile(args.parquet)
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
                copy_rows(conn, "rpt", "recipient_lookup", batch.to_pandas())
            rows = conn.execute("SELECT count(*) FROM rpt.recipient_lookup").fetchone()[0]
        print(f"loaded {rows:,} rows in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        server.pg_dump("usaspending", args.dump)
        size = sum(p.stat().st_size for p in args.dump.iterdir()) / 1e6
        print(f"pg_dump -Fd {args.dump}: {size:,.1f} MB in {time.perf_counter() - started:.0f} s")
        if args.credentials:
            write_credentials(args.credentials, server.credentials("usaspending"))
            print(f"credentials written to {args.credentials} (readable by you only)")
        if args.serve:
            print(f"serving on {server.host}:{server.port}; Ctrl-C stops and removes it",
                  flush=True)
            while True:
                time.sleep(3600)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
