"""The run's Dask client: opened when the context is created, closed when the run ends.

Only when the ``dask`` parameters enable it (``kedro run --env dask``); it changes no data, and
nodes find the client as Dask's default (``distributed.get_client``). Before closing it, it logs
each worker's peak RSS (``WORKER_PEAK_RSS``), which the run report records.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kedro.framework.context import KedroContext
from kedro.framework.hooks import hook_impl

from sbir_enrichment.cluster import DaskParams, open_client
from sbir_enrichment.memory.usage import MB, WORKER_PEAK_RSS, peak_rss

if TYPE_CHECKING:
    from distributed import Client

logger = logging.getLogger(__name__)


def _log_worker_peaks(client: Client) -> None:
    """Log each worker process's own peak RSS (MB, by address; since the worker started)."""
    peaks = {address: round(peak / MB, 1) for address, peak in sorted(
        client.run(peak_rss).items())}
    logger.info("dask: peak RSS per worker: %s MB", ", ".join(f"{mb:,.0f}" for mb in
                                                              peaks.values()),
                extra={WORKER_PEAK_RSS: peaks})


class DaskClient:
    """Holds the ``distributed.Client`` of the run, when the ``dask`` parameters enable one."""

    def __init__(self) -> None:
        self._client: Client | None = None

    @hook_impl
    def after_context_created(self, context: KedroContext) -> None:
        """Open the client (a ``LocalCluster``, or the scheduler at ``dask.address``)."""
        self._close()
        raw = context.params.get("dask")
        params = DaskParams.model_validate(raw) if raw is not None else None
        if params is not None and params.enabled:
            self._client = open_client(params)

    @hook_impl
    def after_pipeline_run(self) -> None:
        """Log each worker's peak RSS, then close the client (and the local cluster it started)."""
        if self._client is not None:
            _log_worker_peaks(self._client)
        self._close()

    @hook_impl
    def on_pipeline_error(self) -> None:
        """Close the client of a failed run."""
        self._close()

    def _close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
