"""A parquet file read as a stream of DataFrame chunks, so a large table fits in bounded memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

import fsspec
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from kedro.io.core import AbstractDataset, DatasetError, get_protocol_and_path


class ChunkedParquetDataset(AbstractDataset[pd.DataFrame, Iterator[pd.DataFrame]]):
    """Load a parquet file as an iterator of DataFrames of at most ``chunk_rows`` rows.

    Rows come in file order, a row group at a time (``pyarrow.parquet.ParquetFile.iter_batches``),
    so peak memory is one chunk, not the table. ``columns`` limits the columns read. ``save``
    writes one DataFrame as a parquet file.

    Example catalog entry::

        usaspending_recipients:
          type: sbir_enrichment.datasets.chunked_parquet.ChunkedParquetDataset
          filepath: data/01_raw/usaspending/recipient_lookup.parquet
          chunk_rows: 200000
          columns: [recipient_hash, legal_business_name, uei, duns]
    """

    def __init__(
        self,
        *,
        filepath: str,
        chunk_rows: int = 100_000,
        columns: list[str] | None = None,
        save_args: dict[str, Any] | None = None,
        credentials: dict[str, Any] | None = None,
        fs_args: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        """Create the dataset.

        Args:
            filepath: Path of the parquet file (any fsspec protocol).
            chunk_rows: Most rows per loaded chunk.
            columns: Columns to read (all when omitted).
            save_args: Extra arguments of ``DataFrame.to_parquet`` on save.
            credentials: fsspec storage options (e.g. keys for a cloud store).
            fs_args: Extra fsspec filesystem arguments.
            metadata: Free-form metadata, ignored by Kedro.
        """
        if chunk_rows < 1:
            raise DatasetError(f"chunk_rows must be at least 1, got {chunk_rows}")
        protocol, path = get_protocol_and_path(filepath)
        self._protocol = protocol
        self._filepath = PurePosixPath(path)
        self._fs = fsspec.filesystem(protocol, **(credentials or {}), **(fs_args or {}))
        self._chunk_rows = chunk_rows
        self._columns = columns
        self._save_args = {"index": False, **(save_args or {})}
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {
            "filepath": str(self._filepath),
            "protocol": self._protocol,
            "chunk_rows": self._chunk_rows,
            "columns": self._columns,
        }

    def load(self) -> Iterator[pd.DataFrame]:
        """Check the file and its columns now; return the lazy stream of its chunks."""
        path = str(self._filepath)
        if not self._fs.exists(path):
            raise DatasetError(f"Parquet file not found: {path}")
        with self._fs.open(path, "rb") as handle:
            names = pq.read_schema(handle).names
        missing = [column for column in self._columns or () if column not in names]
        if missing:
            raise DatasetError(f"{path} has no column(s) {missing}; it has {names}")
        return self._iter_chunks()

    def _iter_chunks(self) -> Iterator[pd.DataFrame]:
        """The chunks; damage found while reading fails naming this file and the rows read."""
        rows = 0
        with self._fs.open(str(self._filepath), "rb") as handle:
            try:
                parquet = pq.ParquetFile(handle)
                for batch in parquet.iter_batches(batch_size=self._chunk_rows,
                                                  columns=self._columns):
                    rows += batch.num_rows
                    yield _to_pandas(batch)
            except (OSError, pa.ArrowException) as exc:
                raise DatasetError(f"{self._filepath}: unreadable after row {rows:,}: "
                                   f"{str(exc).strip()}") from exc

    def save(self, data: pd.DataFrame) -> None:
        """Write ``data`` as one parquet file."""
        self._fs.makedirs(str(self._filepath.parent), exist_ok=True)
        with self._fs.open(str(self._filepath), "wb") as handle:
            data.to_parquet(handle, **self._save_args)

    def _exists(self) -> bool:
        return self._fs.exists(str(self._filepath))


def _to_pandas(batch: pa.RecordBatch) -> pd.DataFrame:
    """A batch as a DataFrame; array columns become Python lists of their values (or null).

    The file's pandas metadata is ignored: it describes every column of the file, and a dtype
    it names (e.g. an Arrow list type) need not be one pandas can rebuild.
    """
    frame = batch.to_pandas(ignore_metadata=True)
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            frame[name] = pd.Series(column.to_pylist(), index=frame.index, dtype=object)
    return frame
