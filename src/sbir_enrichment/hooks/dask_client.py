"""The run's Dask client: opened when the context is created, closed when the run ends.

Only when the ``dask`` parameters enable it (``kedro run --env dask``); it changes no data, and
nodes find the client as Dask's default (``distributed.get_client``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kedro.framework.context import KedroContext
from kedro.framework.hooks import hook_impl

from sbir_enrichment.cluster import DaskParams, open_client

if TYPE_CHECKING:
    from distributed import Client


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

    # Last of the run's hooks: the observer reads the cluster when the run ends.
    @hook_impl(trylast=True)
    def after_pipeline_run(self) -> None:
        """Close the client (and the local cluster it started)."""
        self._close()

    @hook_impl(trylast=True)
    def on_pipeline_error(self) -> None:
        """Close the client of a failed run."""
        self._close()

    def _close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
