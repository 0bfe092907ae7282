"""Enriched chunks linked as tasks on the run's Dask cluster (``kedro run --env dask``).

The driver keeps what the sequential run does: ``enriched_chunks`` decides which chunks are
finished, moves the others into place in order, and records their digests and the manifest. It
announces the chunks it will compute (``ClusterChunks.prefetch``) with their writer, so a window
of them runs on the workers ahead of the one being moved into place; the task that finishes a
chunk writes it to the shared storage itself and hands back only the file's name and digest.
In ``broadcast`` mode (``enrichment.cluster_mode``) each worker opens the recipient index the
driver built and saved (``datasets.mapped_index``: the files are mapped, not read, so opening
takes milliseconds and workers on one machine share the pages) and keeps it for every task of
the run; in ``partitioned`` mode ``on_partitions`` links the chunks. The window of tasks is
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
from sbir_enrichment.matching import MatchModel, RecipientIndex
from sbir_enrichment.pipelines.enrichment import fingerprint
from sbir_enrichment.pipelines.enrichment.linking import ChunkLinker, Loader
from sbir_enrichment.pipelines.enrichment.on_partitions import PartitionedRun
from sbir_enrichment.pipelines.enrichment.params import EnrichmentParams
from sbir_enrichment.pipelines.enrichment.progress import ChunkProgress

logger = logging.getLogger(__name__)



@dataclass(frozen=True)
class ClusterRun:
    """What a worker links chunks with: the driver's index (opened from its files), the model
    and the enrichment parameters."""

    index: Callable[[], RecipientIndex]
    model: MatchModel
    params: EnrichmentParams
    fingerprint: tuple[str, ...] = ()
    """Added to the chunk fingerprints: none, the output is the sequential run's."""

    def describe(self) -> str:
        """How the chunks are linked, for the log."""
        return "each worker maps the driver's recipient index"

    def submit(self, client: Client, load: Loader, chunk_id: str, write: PartitionWriter
               ) -> Future:
        """The task linking one chunk and writing it with ``write``."""
        return client.submit(link_on_worker, self, load, chunk_id, write,
                             key=f"enrich-{chunk_id}", pure=False)


def cluster_run(recipients: RecipientIndex, recipient_index: dict[str, Loader],
                recipients_digest: str, model: MatchModel, params: EnrichmentParams
                ) -> ClusterRun | PartitionedRun:
    """The run of ``params.cluster_mode`` on the default client's cluster."""
    if params.cluster_mode == "partitioned":
        return PartitionedRun.of(get_client(), recipient_index, recipients_digest, model, params)
    if recipients.reopen is None:
        raise RuntimeError(
            "on a Dask cluster each worker opens the driver's recipient index from its files: "
            "`recipient_lookup` must be a MappedIndexDataset (as in conf/dask/catalog.yml), "
            "on storage the workers see (docs/scaling.md)")
    return ClusterRun(recipients.reopen, model, params)


def _worker_linker(run: ClusterRun) -> ChunkLinker:
    """This worker's linker of the run, opening the index on its first task."""
    key = fingerprint.combine(repr(run.index), run.model.model_dump_json(),
                              run.params.model_dump_json())
    return held_by_worker("linker", key, partial(_opened_linker, run))


def _opened_linker(run: ClusterRun) -> ChunkLinker:
    params = run.params.model_copy(update={"memory_budget_mb": worker_budget_mb(
        run.params.memory_budget_mb, "enrichment.memory_budget_mb")})
    index = run.index()
    logger.info("dask worker: %d recipients mapped from %r", len(index), run.index)
    return ChunkLinker(index, run.model, params)


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
