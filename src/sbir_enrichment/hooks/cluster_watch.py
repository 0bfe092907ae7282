"""The Dask cluster of an observed run: its workers, their peak memory, its performance report.

Made by the run state when the run has a Dask client (``kedro run --env dask``): Dask's
``performance_report`` is gathered from the run's start to its end and saved beside the run
report, with Bokeh's scripts inline so it opens offline; the workers and their peak memory are
read when the run ends, before the client closes.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from distributed import performance_report

from sbir_enrichment.cluster import peak_rss_mb
from sbir_enrichment.memory.usage import MB
from sbir_enrichment.reporting.run_report import ClusterRecord, WorkerRecord

if TYPE_CHECKING:
    from distributed import Client

logger = logging.getLogger(__name__)

PERFORMANCE_REPORT = "dask_performance_report.html"


class ClusterWatch:
    """Gathers Dask's performance report of a run and describes the cluster at its end."""

    def __init__(self, client: Client, directory: Path) -> None:
        """Start gathering; the report will be ``directory/dask_performance_report.html``."""
        self._client = client
        self.html = directory / PERFORMANCE_REPORT
        self._report = performance_report(filename=str(self.html), mode="inline")
        self._report.__enter__()

    def finish(self, command: str) -> ClusterRecord:
        """Save the performance report (``command`` as its calling code) and describe the
        workers (peak RSS since they started)."""
        self.html.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._client.sync(self._report.__aexit__, None, None, None, code=command)
        except (OSError, RuntimeError) as exc:  # the cluster went away: the run report stays
            logger.warning("dask: no performance report (%s)", exc)
        info = self._client.scheduler_info(n_workers=-1)
        peaks = self._client.run(peak_rss_mb)
        workers = [
            WorkerRecord(address=address, threads=worker["nthreads"],
                         memory_limit_mb=round(worker["memory_limit"] / MB, 1)
                         if worker.get("memory_limit") else None,
                         peak_rss_mb=round(peaks[address], 1) if address in peaks else None)
            for address, worker in sorted(info["workers"].items())
        ]
        return ClusterRecord(scheduler=info["address"], dashboard=self._client.dashboard_link,
                             workers=workers, threads=sum(w.threads for w in workers))
