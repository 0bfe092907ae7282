"""What a loaded or saved value looks like, measured without consuming or copying it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd


def describe(data: Any) -> dict[str, Any]:
    """Rows of a frame, partitions of a partitioned value, or just the kind of anything else.

    Iterators are never consumed: a stream of chunks is reported as ``{"kind": "iterator"}``.
    """
    if isinstance(data, pd.DataFrame):
        return {"kind": "frame", "rows": len(data), "columns": data.shape[1]}
    if isinstance(data, Mapping):
        lazy = any(callable(value) for value in data.values())
        return {"kind": "lazy_partitions" if lazy else "mapping", "partitions": len(data)}
    if isinstance(data, Iterator):
        return {"kind": "iterator"}
    return {"kind": type(data).__name__}


def is_lazy(data: Any) -> bool:
    """Whether saving ``data`` runs deferred work (callables per partition, or a stream)."""
    if isinstance(data, Mapping):
        return any(callable(value) for value in data.values())
    return isinstance(data, Iterator)
