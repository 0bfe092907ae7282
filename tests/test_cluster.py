"""The run's LocalCluster (``cluster.open_client``), started for real."""

from __future__ import annotations

import os

from sbir_enrichment.cluster import DaskParams, open_client


def test_local_workers_keep_glibc_s_dynamic_mmap_threshold() -> None:
    client = open_client(DaskParams(enabled=True, n_workers=1, memory_limit_mb=2000))
    try:
        environ = next(iter(client.run(lambda: dict(os.environ)).values()))
    finally:
        client.close()
    assert "MALLOC_TRIM_THRESHOLD_" not in environ  # (it would fix the threshold: docs/scaling.md)
    assert environ["OMP_NUM_THREADS"] == "1"  # Dask's other settings stay
