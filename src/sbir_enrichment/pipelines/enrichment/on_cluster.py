"""Enriched chunks linked as tasks on the run's Dask cluster (``kedro run --env dask``).

The driver keeps what the sequential run does: ``enriched_chunks`` decides which chunks are
finished, moves the others into place in order, and records their digests and the manifest. It
announces the chunks it will compute (``ClusterChunks.prefetch``) with their writer, so a window
of them runs on the workers ahead of the one being moved into place; each task writes its chunk
to the shared storage itself and hands back only the file's name and digest. Each worker builds
the recipient index once, from the recipient-index partitions on the shared storage, and keeps
it for every task of the run.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial

from distributed import Future, get_client, get_worker

from sbir_enrichment.cluster import CLUSTER_TASKS
from sbir_enrichment.datasets.partitions import PartitionWriter, WrittenPartition
from sbir_enrichment.matching import MatchModel
from sbir_enrichment.memory.usage import MB
from sbir_enrichment.pipelines.enrichment import fingerprint
from sbir_enrichment.pipelines.enrichment.nodes import ChunkLinker, Loader, index_recipients
from sbir_enrichment.pipelines.enrichment.params import EnrichmentParams
from sbir_enrichment.pipelines.enrichment.progress import ChunkProgress

logger = logging.getLogger(__name__)

# Tasks in flight per worker thread: one running, one waiting to start when it ends.
_TASKS_PER_THREAD = 2
# This worker process's linker, keyed by what it was built from (one at a time).
_linkers: dict[str, ChunkLinker] = {}
_linker_lock = threading.Lock()


@dataclass(frozen=True)
class ClusterRun:
    """What a worker links chunks with: the index's partitions and digest, model, parameters."""

    recipient_index: dict[str, Loader]
    recipients_digest: str
    model: MatchModel
    params: EnrichmentParams


def _worker_linker(run: ClusterRun) -> ChunkLinker:
    """This worker's linker of the run, built from the partitions on its first task."""
    key = fingerprint.combine(run.recipients_digest, run.model.model_dump_json(),
                              run.params.model_dump_json())
    with _linker_lock:
        if key not in _linkers:
            _linkers.clear()  # an earlier run's index is freed before this one is built
            params, limit = run.params, get_worker().memory_manager.memory_limit
            if params.memory_budget_mb is None and limit:
                logger.info("dask worker: its memory limit (%.0f MB) is the enrichment's budget",
                            limit / MB)
                params = params.model_copy(update={"memory_budget_mb": limit / MB})
            index, digest = index_recipients(run.recipient_index, params)
            if digest != run.recipients_digest:
                raise RuntimeError(
                    "a Dask worker read other recipient-index partitions than the driver: the "
                    "workers must see the driver's data at the same path (docs/scaling.md)")
            _linkers[key] = ChunkLinker(index, run.model, params)
        return _linkers[key]


def link_on_worker(run: ClusterRun, load: Loader, chunk_id: str, write: PartitionWriter
                   ) -> tuple[WrittenPartition, int, float]:
    """A Dask task: the enriched chunk written beside its place, its rows, and the seconds its
    linkage took on the worker."""
    enriched, seconds = _worker_linker(run).link(load, chunk_id)
    return write(chunk_id, enriched), len(enriched), seconds


class ClusterChunks(Mapping[str, Callable[[], WrittenPartition]]):
    """Lazy enriched chunks, each computed and written by a task on the cluster."""

    def __init__(self, chunks: dict[str, tuple[int, Loader]], progress: ChunkProgress,
                 run: ClusterRun) -> None:
        """Chunks ``{enriched id: (position, awards loader)}``, each linked by a task of ``run``
        on the default client's cluster."""
        self._chunks = chunks
        self._progress = progress
        self._run = run
        self._client = get_client()
        self._window = _TASKS_PER_THREAD * max(sum(self._client.nthreads().values()), 1)
        self._announced: deque[str] = deque()
        self._running: dict[str, Future] = {}
        self._write: PartitionWriter | None = None

    def __getitem__(self, chunk_id: str) -> Callable[[], WrittenPartition]:
        if chunk_id not in self._chunks:
            raise KeyError(chunk_id)
        return partial(self._result, chunk_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self._chunks)

    def __len__(self) -> int:
        return len(self._chunks)

    def prefetch(self, chunk_ids: list[str], write: PartitionWriter) -> None:
        """The chunks that will be computed, in order, and their writer: start the first
        window of them."""
        self._write = write
        if chunk_ids:
            logger.info("enrichment: %d chunk(s) to link as Dask tasks", len(chunk_ids),
                        extra={CLUSTER_TASKS: len(chunk_ids)})
        self._announced.extend(chunk_ids)
        self._fill_window()

    def _submit(self, chunk_id: str) -> None:
        self._running[chunk_id] = self._client.submit(
            link_on_worker, self._run, self._chunks[chunk_id][1], chunk_id, self._write,
            key=f"enrich-{chunk_id}", pure=False)

    def _fill_window(self) -> None:
        while self._announced and len(self._running) < self._window:
            chunk_id = self._announced.popleft()
            if chunk_id not in self._running:
                self._submit(chunk_id)

    def _result(self, chunk_id: str) -> WrittenPartition:
        if self._write is None:
            raise RuntimeError("enriched chunks on a cluster are saved by a dataset that "
                               "announces them (prefetch) with their writer")
        if chunk_id not in self._running:
            self._submit(chunk_id)
        future = self._running.pop(chunk_id)
        self._fill_window()
        written, rows, seconds = future.result()
        future.release()
        self._progress.chunk_done(self._chunks[chunk_id][0], chunk_id, rows, seconds)
        return written
