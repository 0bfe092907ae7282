"""A fixed reference workload: the same work on every machine, timed beside each sized run.

It mixes what the pipelines spend their time on, single-threaded like most of their work:
rapidfuzz ``cdist`` over names, pandas string, group-by, sort and merge work on Arrow-backed
strings, and a parquet round trip in memory. Its seconds on the machine of the moment are the
unit that sized-run timings are divided by, both in wall seconds and in CPU seconds. (A
multi-threaded reference would slow down twice as much as the pipelines when another process
takes a core, and make busy machines look fast.)
"""

from __future__ import annotations

import io
import time
from statistics import median
from typing import NamedTuple

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from sbir_enrichment.pipelines.benchmark.params import ReferenceWorkloadParams

_ALPHABET = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ     "))


def _names(rng: np.random.Generator, count: int, length: int) -> pd.Series:
    """``count`` random upper-case names of ``length`` characters (spaces included)."""
    letters = _ALPHABET[rng.integers(0, len(_ALPHABET), size=(count, length))]
    return pd.Series(np.ascontiguousarray(letters).view(f"<U{length}").ravel(), dtype="str")


class Timing(NamedTuple):
    """Wall and process-CPU seconds of a piece of work."""

    wall_s: float
    cpu_s: float


class ReferenceWorkload:
    """The inputs are built once; :meth:`measure` times passes over them."""

    def __init__(self, spec: ReferenceWorkloadParams) -> None:
        """Build the seeded names and frame of ``spec``."""
        rng = np.random.default_rng(spec.seed)
        self._passes = spec.passes
        self._queries = _names(rng, spec.queries, 24).tolist()
        self._choices = _names(rng, spec.choices, 24).tolist()
        self._frame = pd.DataFrame({
            "key": pd.Series(rng.integers(0, spec.frame_rows // 8 + 1, spec.frame_rows),
                             dtype="int64").astype("str"),
            "value": rng.random(spec.frame_rows),
            "name": _names(rng, spec.frame_rows, 12),
        })

    def measure(self) -> Timing:
        """Median wall and CPU seconds of ``passes`` passes."""
        timings = [self._one_pass() for _ in range(self._passes)]
        return Timing(median(t.wall_s for t in timings), median(t.cpu_s for t in timings))

    def _one_pass(self) -> Timing:
        """One pass: cdist, string, group-by, sort, merge and a parquet round trip."""
        started, started_cpu = time.perf_counter(), time.process_time()
        scores = process.cdist(self._queries, self._choices, scorer=fuzz.ratio, workers=1,
                               dtype=np.uint8)
        frame = self._frame
        normalised = frame["name"].str.upper().str.replace(" ", "", regex=False)
        groups = frame.groupby("key").agg(total=("value", "sum"), count=("name", "size"))
        ordered = frame.sort_values(["key", "value"])
        merged = ordered.merge(groups, left_on="key", right_index=True)
        buffer = io.BytesIO()
        merged.to_parquet(buffer)
        buffer.seek(0)
        reread = pd.read_parquet(buffer)
        timing = Timing(time.perf_counter() - started, time.process_time() - started_cpu)
        if scores.shape[0] != len(self._queries) or len(reread) != len(normalised):
            raise RuntimeError("reference workload produced an unexpected shape")
        return timing
