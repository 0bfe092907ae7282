"""The Dask cluster of a run (``kedro run --env dask``): its settings, and the client opening it.

Nothing here imports ``distributed`` until a client is opened, so a run without the ``dask``
environment never loads it.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from sbir_enrichment.memory.usage import MB, peak_rss

if TYPE_CHECKING:
    from distributed import Client

logger = logging.getLogger(__name__)

CLUSTER_TASKS = "cluster_tasks"
"""Log-record field: how many tasks a node sent to the cluster (the run report collects it)."""


class DaskParams(BaseModel):
    """Where the heavy work runs (``conf/base/parameters_dask.yml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    enabled: bool
    """Open a client for the run; the enrichment's chunks and the ingestion's recipient chunks
    then run as Dask tasks."""
    address: str | None = None
    """A running scheduler (``tcp://host:8786``); ``None``: a ``LocalCluster`` on this machine."""
    n_workers: int | None = Field(default=None, ge=1)
    """``LocalCluster`` worker processes of one thread each; ``None``: one per core."""
    memory_limit_mb: float | None = Field(default=None, gt=0)
    """``LocalCluster`` memory limit per worker, MB; ``None``: the machine's memory, shared."""


def open_client(params: DaskParams) -> Client:
    """A client of the scheduler at ``params.address``, else of a new ``LocalCluster``.

    The local cluster has ``n_workers`` processes (one per core by default), each with one thread
    and ``memory_limit_mb``, and the environment Dask's nannies give their workers but for
    ``MALLOC_TRIM_THRESHOLD_``; closing the client closes it. The dashboard link is logged.
    """
    import dask  # noqa: PLC0415 - only under the dask environment
    from distributed import Client  # noqa: PLC0415

    if params.address is not None:
        client = Client(params.address)
        where = params.address
    else:  # the client starts the cluster, and closes it when it closes
        memory = "auto" if params.memory_limit_mb is None else f"{params.memory_limit_mb}MiB"
        environ = dict(os.environ)
        # Setting MALLOC_TRIM_THRESHOLD_ turns glibc's dynamic mmap threshold off: every block
        # over 128 KB is then mapped and unmapped afresh, which made normalising recipients take
        # 1.3-1.4x the CPU time in a worker (docs/scaling.md). The nodes give freed memory back
        # where it matters (memory.usage.release_free_memory).
        spawn_environ = {name: value for name, value in dask.config.get(
            "distributed.nanny.pre-spawn-environ").items() if name != "MALLOC_TRIM_THRESHOLD_"}
        with dask.config.set({"distributed.nanny.pre-spawn-environ": spawn_environ}):
            client = Client(n_workers=params.n_workers or os.cpu_count() or 1,
                            threads_per_worker=1, processes=True, memory_limit=memory)
        # Each nanny sets its worker's variables (OMP_NUM_THREADS, MKL_NUM_THREADS,
        # PYTHONHASHSEED, ...) in this process's environment to spawn it, and leaves them: the
        # driver, and what it starts, keep the environment they had.
        os.environ.clear()
        os.environ.update(environ)
        where = f"a LocalCluster at {client.cluster.scheduler_address}"
    threads = client.nthreads()
    logger.info("dask: %d worker(s), %d thread(s) on %s; dashboard %s", len(threads),
                sum(threads.values()), where, client.dashboard_link)
    return client


def current_client() -> Client | None:
    """This process's default Dask client, if one is open; never imports ``distributed``."""
    if "distributed" not in sys.modules:
        return None
    from distributed import default_client  # noqa: PLC0415 - loaded already

    try:
        return default_client()
    except ValueError:
        return None


def peak_rss_mb() -> float:
    """This process's own peak resident memory since it started, MB (run on each worker;
    ``memory.usage.peak_rss``: a spawned worker's ``ru_maxrss`` is the driver's)."""
    return peak_rss() / MB
