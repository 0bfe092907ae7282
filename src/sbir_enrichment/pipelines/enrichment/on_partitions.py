"""Chunks linked against a partitioned recipient index (``enrichment.cluster_mode: partitioned``).

The recipient table is split into ``enrichment.partitions`` partitions (``matching.partitions``:
row ``r`` in partition ``r mod P``). Partition ``p`` is assigned to the ``p mod W``-th worker
(by address) and built there on its first task, from the recipient-index partitions on the
shared storage, with the statistics of the whole table (counted once, by one task) that every
partition reads. A chunk is ``P + 1`` tasks: its candidates among each partition's recipients,
and one that merges them and decides, exactly as the whole index would (``decide_links``).

A partition's tasks are bound to its worker loosely: when that worker is lost they go to the
others, and the one that takes them builds the partition too (the output is the same; only
memory is spent). So that an idle worker does not take them while the partition's worker is
busy, the run turns the scheduler's work stealing off.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from distributed import Client, Future, Scheduler

from sbir_enrichment.cluster_tasks import held_by_worker
from sbir_enrichment.datasets.partitions import PartitionWriter, WrittenPartition
from sbir_enrichment.matching import AWARD_COLUMNS, MatchModel, MatchSettings, RecipientIndex
from sbir_enrichment.matching.candidates import Candidates, find_candidates
from sbir_enrichment.matching.linker import decide_links
from sbir_enrichment.matching.partitions import SharedStatistics, partition_index
from sbir_enrichment.memory.usage import MB, anonymous_rss, release_free_memory
from sbir_enrichment.pipelines.enrichment import fingerprint
from sbir_enrichment.pipelines.enrichment.linking import Loader
from sbir_enrichment.pipelines.enrichment.params import EnrichmentParams
from sbir_enrichment.pipelines.enrichment.recipient_source import RecipientSource

logger = logging.getLogger(__name__)

# Guards this worker's partitions of the run's index (``held_by_worker``: one run's at a time).
_index_lock = threading.Lock()


@dataclass(frozen=True)
class PartitionSource:
    """What a worker builds partitions of the recipient index from."""

    recipients: RecipientSource
    partitions: int

    @property
    def key(self) -> str:
        """What the partitions are built from, as one digest."""
        return fingerprint.combine(self.recipients.recipients_digest,
                                   self.recipients.params.model_dump_json(), str(self.partitions))

    @property
    def settings(self) -> MatchSettings:
        """The matching settings."""
        return self.recipients.params.matching


async def _stop_work_stealing(dask_scheduler: Scheduler) -> None:
    """Stop the scheduler moving queued tasks to idle workers (they would build partitions
    their worker already holds)."""
    stealing = dask_scheduler.extensions.get("stealing")
    if stealing is not None:
        await stealing.stop()


def shared_statistics(source: PartitionSource) -> SharedStatistics:
    """A Dask task: the statistics of the whole recipient table every partition reads."""
    started = time.perf_counter()
    shared = SharedStatistics.of((table.column("name_norm")
                                  for table in source.recipients.tables()), source.settings)
    logger.info("dask worker: statistics of %d recipients counted in %.1f s", shared.recipients,
                time.perf_counter() - started)
    return shared


def _partition(source: PartitionSource, partition: int,
               shared: SharedStatistics) -> RecipientIndex:
    """This worker's index of ``partition``, built on its first task."""
    held: dict[int, RecipientIndex] = held_by_worker("recipient index partitions", source.key,
                                                     dict)
    with _index_lock:
        if partition not in held:
            started = time.perf_counter()
            held[partition] = partition_index(source.recipients.tables(), source.settings,
                                              shared=shared, partitions=source.partitions,
                                              partition=partition)
            release_free_memory()
            logger.info("dask worker: partition %d of %d (%d recipients) built in %.1f s; the "
                        "worker holds %.0f MB", partition, source.partitions,
                        len(held[partition]), time.perf_counter() - started,
                        anonymous_rss() / MB)
        return held[partition]


def candidates_on_worker(source: PartitionSource, partition: int, shared: SharedStatistics,
                         load: Loader) -> tuple[Candidates, float]:
    """A Dask task: a chunk's candidates in one partition, and the seconds their search took."""
    index = _partition(source, partition, shared)
    awards = load()[list(AWARD_COLUMNS)]
    started = time.perf_counter()
    found = find_candidates(awards, index, source.settings)
    return found, time.perf_counter() - started


def decide_on_worker(model: MatchModel, settings: MatchSettings, load: Loader, chunk_id: str,
                     write: PartitionWriter, *found: tuple[Candidates, float]
                     ) -> tuple[WrittenPartition, int, float]:
    """A Dask task: the enriched chunk, decided from its candidates in every partition and
    written beside its place, its rows, and the seconds the search and the decision took."""
    awards = load()
    started = time.perf_counter()
    enriched = decide_links(awards, Candidates.merge([part for part, _ in found]), model,
                            settings)
    seconds = time.perf_counter() - started + sum(seconds for _, seconds in found)
    return write(chunk_id, enriched), len(enriched), seconds


@dataclass
class PartitionedRun:
    """Submits each chunk's tasks: one per partition, on its worker, and the decision."""

    source: PartitionSource
    model: MatchModel
    workers: tuple[str, ...]
    _shared: Future | None = field(default=None, repr=False)

    @classmethod
    def of(cls, client: Client, recipient_index: dict[str, Loader], recipients_digest: str,
           model: MatchModel, params: EnrichmentParams) -> PartitionedRun:
        """The run on ``client``'s workers (``params.partitions``, default one per worker)."""
        workers = tuple(sorted(client.nthreads()))
        partitions = params.partitions or len(workers)
        client.run_on_scheduler(_stop_work_stealing)
        return cls(PartitionSource(RecipientSource(recipient_index, recipients_digest, params),
                                   partitions), model, workers)

    @property
    def fingerprint(self) -> tuple[str, ...]:
        """Added to the chunk fingerprints: chunks linked in partitions are kept apart."""
        return ("partitioned", str(self.source.partitions))

    def describe(self) -> str:
        """How the chunks are linked, for the log."""
        return (f"the recipient index in {self.source.partitions} partitions over "
                f"{len(self.workers)} workers")

    def submit(self, client: Client, load: Loader, chunk_id: str, write: PartitionWriter
               ) -> Future:
        """The tasks linking one chunk; the future of the last (which writes it)."""
        if self._shared is None:
            self._shared = client.submit(shared_statistics, self.source, pure=False,
                                         key=f"shared-statistics-{self.source.key}")
        found = [client.submit(candidates_on_worker, self.source, partition, self._shared, load,
                               key=f"candidates-{partition}-{chunk_id}", pure=False,
                               workers=[self.workers[partition % len(self.workers)]],
                               allow_other_workers=True)
                 for partition in range(self.source.partitions)]
        return client.submit(decide_on_worker, self.model, self.source.settings, load, chunk_id,
                             write, *found, key=f"enrich-{chunk_id}", pure=False)
