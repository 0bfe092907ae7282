"""kedro-datasets' file datasets, writing every output whole or not at all.

``ParquetDataset``, ``CSVDataset``, ``JSONDataset`` and ``TextDataset`` are the kedro-datasets
classes of the same names (same arguments, versioning included) with two changes:

- ``save`` writes a temporary file beside the target (``.<name>.tmp``, same directory, so the
  same file system) and renames it into place, so a write that fails midway (a full disk, a
  killed run) leaves the previous output as it was; a versioned save never leaves a half-written
  file as the newest version;
- ``written_by: <pipeline>`` makes ``load`` of a file that does not exist (yet) say which
  pipeline writes it, e.g. for ``kedro run --pipelines enrichment`` before any ingestion.

``StampedParquetDataset`` also records the id of the run that wrote the frame.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

import pandas as pd
from kedro.io.core import DatasetError, Version, get_filepath_str
from kedro_datasets import json as json_datasets
from kedro_datasets import pandas as pandas_datasets
from kedro_datasets import text as text_datasets

RUN_ATTRS = "run"  # key of the frame attrs StampedParquetDataset writes: {"run_id": ...}


def _unwrapped(method: Callable[..., Any]) -> Callable[..., Any]:
    """The function Kedro wrapped (with logging and error handling) as a dataset's load/save."""
    return getattr(method, "__wrapped__", method)


class _AtomicWrite:
    """Mixin over a kedro-datasets file dataset: atomic ``save``, ``written_by`` on ``load``."""

    def __init__(self, *, written_by: str | None = None, **kwargs: Any) -> None:
        """Create the dataset.

        Args:
            written_by: The pipeline that writes this file, named when it is missing on load.
            **kwargs: The wrapped kedro-datasets class's arguments.
        """
        super().__init__(**kwargs)
        self._written_by = written_by
        self._temporary: PurePosixPath | None = None

    def _get_save_path(self) -> PurePosixPath:
        return self._temporary or super()._get_save_path()

    def save(self, data: Any) -> None:
        """Write ``data`` to a temporary file beside the target, then rename it into place."""
        final = super()._get_save_path()  # for a versioned dataset: a new version's path
        self._temporary = final.with_name(f".{final.name}.tmp")
        temporary = get_filepath_str(self._temporary, self._protocol)
        try:
            _unwrapped(super().save)(self, data)
            self._fs.mv(temporary, get_filepath_str(final, self._protocol))
        except BaseException:
            if self._fs.exists(temporary):
                self._fs.rm(temporary)
            raise
        finally:
            self._temporary = None
        self._invalidate_cache()

    def load(self) -> Any:
        """The wrapped dataset's data; a missing file names the pipeline that writes it."""
        if self._written_by and not self._exists():
            raise DatasetError(
                f"{self._filepath} does not exist: the {self._written_by} pipeline writes it; "
                f"run `kedro run --pipelines {self._written_by}` first.")
        return _unwrapped(super().load)(self)


class ParquetDataset(_AtomicWrite, pandas_datasets.ParquetDataset):
    """``pandas.ParquetDataset``, saved atomically (see the module docstring)."""


class CSVDataset(_AtomicWrite, pandas_datasets.CSVDataset):
    """``pandas.CSVDataset``, saved atomically (see the module docstring)."""


class JSONDataset(_AtomicWrite, json_datasets.JSONDataset):
    """``json.JSONDataset``, saved atomically (see the module docstring)."""


class TextDataset(_AtomicWrite, text_datasets.TextDataset):
    """``text.TextDataset``, saved atomically (see the module docstring)."""


class StampedParquetDataset(ParquetDataset):
    """An atomic parquet file whose frame carries the id of the run that wrote it.

    Kedro hands every dataset class with ``versioned = True`` the run's save version, which is
    the run id (Kedro's session id, also the name of the run report's folder). This dataset
    takes that id but keeps one unversioned file: the saved frame gets
    ``attrs["run"] = {"run_id": ...}``, which pandas keeps in the parquet file's metadata and
    restores on load (also when only some columns are read).
    """

    versioned = True

    def __init__(self, *, version: Version | None = None, **kwargs: Any) -> None:
        """Create the dataset; ``version`` is Kedro's (only its save version, the run id, is
        used), the other arguments are ``ParquetDataset``'s."""
        super().__init__(**kwargs)
        self._run_id = version.save if version else None

    def save(self, data: pd.DataFrame) -> None:
        """Write ``data`` (atomically) with the run id in its ``attrs``."""
        stamped = data.copy(deep=False)
        stamped.attrs = {**data.attrs, RUN_ATTRS: {"run_id": self._run_id}}
        _unwrapped(super().save)(self, stamped)
