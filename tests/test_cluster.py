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


def test_a_worker_keeps_one_object_per_purpose_built_once_per_key() -> None:
    from sbir_enrichment.cluster_tasks import held_by_worker  # noqa: PLC0415 - loads distributed

    built: list[str] = []

    def build(key: str) -> list[str]:
        built.append(key)
        return [key]

    first = held_by_worker("test purpose", "run 1", lambda: build("run 1"))
    assert held_by_worker("test purpose", "run 1", lambda: build("again")) is first
    second = held_by_worker("test purpose", "run 2", lambda: build("run 2"))
    assert second == ["run 2"] and built == ["run 1", "run 2"]  # run 1's is let go
    assert held_by_worker("other purpose", "run 1", lambda: build("other")) == ["other"]
    assert held_by_worker("test purpose", "run 2", lambda: build("no")) is second
