"""Enriched chunks linked as tasks on the run's Dask cluster (``kedro run --env dask``).

The driver keeps what the sequential run does: ``enriched_chunks`` decides which chunks are
finished, moves the others into place in order, and records their digests and the manifest. It
announces the chunks it will compute (``ClusterChunks.prefetch``) with their writer, so a window
of them runs on the workers ahead of the one being moved into place; the task that finishes a
chunk writes it to the shared storage itself and hands back only the file's name and digest.
In ``broadcast`` mode (``enrichment.cluster_mode``) each worker builds the recipient index once,
from the recipient-index partitions on the shared storage, and keeps it for every task of the
run; in ``partitioned`` mode ``on_partitions`` links the chunks. The window of tasks is
``cluster_tasks.TaskWindow``.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial

from distributed import Client, Future, get_client

from sbir_enrichment.cluster import CLUSTER_TASKS
from sbir_enrichment.cluster_tasks import TaskWindow, held_by_worker, outcome, worker_budget_mb
from sbir_enrichment.datasets.partitions import PartitionWriter, WrittenPartition
from sbir_enrichment.matching import MatchModel
from sbir_enrichment.memory.usage import MB, anonymous_rss, release_free_memory
from sbir_enrichment.pipelines.enrichment import fingerprint
from sbir_enrichment.pipelines.enrichment.nodes import ChunkLinker, Loader, index_recipients
from sbir_enrichment.pipelines.enrichment.on_partitions import PartitionedRun
from sbir_enrichment.pipelines.enrichment.params import EnrichmentParams
from sbir_enrichment.pipelines.enrichment.progress import ChunkProgress
from sbir_enrichment.pipelines.enrichment.recipient_source import RecipientSource

logger = logging.getLogger(__name__)



@dataclass(frozen=True)
class ClusterRun:
    """What a worker links chunks with: where the index is read from, and the model."""

    recipients: RecipientSource
    model: MatchModel
    fingerprint: tuple[str, ...] = ()
    """Added to the chunk fingerprints: none, the output is the sequential run's."""

    def describe(self) -> str:
        """How the chunks are linked, for the log."""
        return "each worker holds the whole recipient index"

    def submit(self, client: Client, load: Loader, chunk_id: str, write: PartitionWriter
               ) -> Future:
        """The task linking one chunk and writing it with ``write``."""
        return client.submit(link_on_worker, self, load, chunk_id, write,
                             key=f"enrich-{chunk_id}", pure=False)


def cluster_run(recipient_index: dict[str, Loader], recipients_digest: str, model: MatchModel,
                params: EnrichmentParams) -> ClusterRun | PartitionedRun:
    """The run of ``params.cluster_mode`` on the default client's cluster."""
    if params.cluster_mode == "partitioned":
        return PartitionedRun.of(get_client(), recipient_index, recipients_digest, model, params)
    return ClusterRun(RecipientSource(recipient_index, recipients_digest, params), model)


def _worker_linker(run: ClusterRun) -> ChunkLinker:
    """This worker's linker of the run, built from the partitions on its first task."""
    key = fingerprint.combine(run.recipients.recipients_digest, run.model.model_dump_json(),
                              run.recipients.params.model_dump_json())
    return held_by_worker("linker", key, partial(_built_linker, run))


def _built_linker(run: ClusterRun) -> ChunkLinker:
    params = run.recipients.params.model_copy(update={"memory_budget_mb": worker_budget_mb(
        run.recipients.params.memory_budget_mb, "enrichment.memory_budget_mb")})
    index, digest = index_recipients(run.recipients.recipient_index, params)
    run.recipients.check(digest)
    linker = ChunkLinker(index, run.model, params)
    release_free_memory()
    logger.info("dask worker: recipient index built; the worker holds %.0f MB",
                anonymous_rss() / MB)
    return linker


def link_on_worker(run: ClusterRun, load: Loader, chunk_id: str, write: PartitionWriter
                   ) -> tuple[WrittenPartition, int, float]:
    """A Dask task: the enriched chunk written beside its place, its rows, and the seconds its
    linkage took on the worker."""
    enriched, seconds = _worker_linker(run).link(load, chunk_id)
    return write(chunk_id, enriched), len(enriched), seconds


class ClusterChunks(Mapping[str, Callable[[], WrittenPartition]]):
    """Lazy enriched chunks, each computed and written by tasks on the cluster."""

    def __init__(self, chunks: dict[str, tuple[int, Loader]], progress: ChunkProgress,
                 run: ClusterRun | PartitionedRun) -> None:
        """Chunks ``{enriched id: (position, awards loader)}``, each linked by a task of ``run``
        on the default client's cluster."""
        self._chunks = chunks
        self._progress = progress
        self._run = run
        self._window = TaskWindow()
        self._announced: deque[str] = deque()
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
        self._window.add(chunk_id, self._run.submit(self._window.client,
                                                    self._chunks[chunk_id][1], chunk_id,
                                                    self._write))

    def _fill_window(self) -> None:
        while self._announced and len(self._window) < self._window.size:
            chunk_id = self._announced.popleft()
            if chunk_id not in self._window:
                self._submit(chunk_id)

    def _result(self, chunk_id: str) -> WrittenPartition:
        if self._write is None:
            raise RuntimeError("enriched chunks on a cluster are saved by a dataset that "
                               "announces them (prefetch) with their writer")
        if chunk_id not in self._window:
            self._submit(chunk_id)
        future = self._window.take(chunk_id)
        self._fill_window()
        written, rows, seconds = outcome(future)
        self._progress.chunk_done(self._chunks[chunk_id][0], chunk_id, rows, seconds)
        return written
