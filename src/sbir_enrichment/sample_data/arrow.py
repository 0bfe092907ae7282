"""Text arrays from numpy into Arrow."""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def strings(values: np.ndarray) -> pa.Array:
    """One Arrow string array from numpy text (``pa.array`` chunks large numpy text arrays)."""
    out = pa.array(values, type=pa.string())
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out
