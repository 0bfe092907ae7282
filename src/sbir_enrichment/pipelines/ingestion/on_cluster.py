"""Recipient chunks normalised as tasks on the run's Dask cluster (``kedro run --env dask``).

The driver reads the source (it may be a database only the driver reaches) and sends each
chunk, with its partition id and first row number, to a task; the task normalises the chunk and
writes its partition beside its place with the saving dataset's writer, returning only the
file's name and digest. A window of tasks runs ahead (``cluster_tasks.in_order``), and the
dataset moves the partitions into place in source order, so they are those of the sequential
run, byte for byte. Each worker normalises within its
memory budget (``ingestion.memory_budget_mb``, else its memory limit), in sub-batches when a
chunk would cross it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from functools import partial

import pandas as pd

from sbir_enrichment.cluster import CLUSTER_TASKS
from sbir_enrichment.cluster_tasks import held_by_worker, in_order, worker_budget_mb
from sbir_enrichment.datasets.partitions import PartitionWriter, WrittenPartition
from sbir_enrichment.memory.budget import memory_budget
from sbir_enrichment.memory.sub_batches import SubBatches
from sbir_enrichment.pipelines.ingestion.recipients import SourceChunks, stage_chunk

logger = logging.getLogger(__name__)


def _worker_batches(memory_budget_mb: float | None) -> SubBatches:
    """This worker's sub-batch planner for the configured budget: what it learns of a chunk's
    memory serves the worker's next chunks."""
    return held_by_worker("recipient sub-batches", str(memory_budget_mb),
                          partial(_planner, memory_budget_mb))


def _planner(memory_budget_mb: float | None) -> SubBatches:
    budget = worker_budget_mb(memory_budget_mb, "ingestion.memory_budget_mb")
    return SubBatches(memory_budget(budget, "ingestion.memory_budget_mb"), "recipients")


def stage_on_worker(partition_id: str, first_row: int, chunk: pd.DataFrame,
                    memory_budget_mb: float | None, write: PartitionWriter) -> WrittenPartition:
    """A Dask task: the partition of one source chunk, normalised within the worker's budget
    and written beside its place by ``write``."""
    return write(partition_id, stage_chunk(_worker_batches(memory_budget_mb), partition_id,
                                           first_row, chunk))


class StagedOnCluster:
    """The partitions of the source chunks, each normalised and written by a task on the
    cluster, in source order: ``(partition_id, WrittenPartition)`` pairs to save."""

    def __init__(self, chunks: SourceChunks, memory_budget_mb: float | None) -> None:
        self._chunks = chunks
        self._memory_budget_mb = memory_budget_mb
        self._write: PartitionWriter | None = None

    def write_with(self, write: PartitionWriter) -> None:
        """The writer of the dataset saving the partitions (before it reads them)."""
        self._write = write

    def __iter__(self) -> Iterator[tuple[str, WrittenPartition]]:
        if self._write is None:
            raise RuntimeError("recipient chunks staged on a cluster are saved by a dataset that "
                               "hands them its writer (write_with): a ChunkedPartitionedDataset")
        run = uuid.uuid4().hex[:12]  # task keys of this run only (a cluster may serve others)
        staged = 0
        for written in in_order(
                (f"stage-recipients-{run}-{partition_id}", stage_on_worker,
                 (partition_id, first_row, chunk, self._memory_budget_mb, self._write))
                for partition_id, first_row, chunk in self._chunks):
            staged += 1
            yield written.partition_id, written
        logger.info("recipients: %d chunk(s) normalised and written as Dask tasks", staged,
                    extra={CLUSTER_TASKS: staged})
