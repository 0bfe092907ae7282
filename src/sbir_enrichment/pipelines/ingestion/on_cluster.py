"""Recipient chunks normalised as tasks on the run's Dask cluster (``kedro run --env dask``).

The driver reads the source (it may be a database only the driver reaches) and sends each
chunk, with its partition id and first row number, to a task; a window of tasks runs ahead of
the partition being written (``cluster_tasks.in_order``), and the results come back in source
order, so the partitions are those of the sequential run. Each worker normalises within its
memory budget (``ingestion.memory_budget_mb``, else its memory limit), in sub-batches when a
chunk would cross it.
"""

from __future__ import annotations

import logging
import uuid
from functools import partial

import pandas as pd

from sbir_enrichment.cluster import CLUSTER_TASKS
from sbir_enrichment.cluster_tasks import held_by_worker, in_order, worker_budget_mb
from sbir_enrichment.memory.budget import memory_budget
from sbir_enrichment.memory.sub_batches import SubBatches
from sbir_enrichment.pipelines.ingestion.recipients import Partitions, SourceChunks, stage_chunk

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
                    memory_budget_mb: float | None) -> tuple[str, pd.DataFrame]:
    """A Dask task: the partition of one source chunk, normalised within the worker's budget."""
    return partition_id, stage_chunk(_worker_batches(memory_budget_mb), partition_id, first_row,
                                     chunk)


def staged_on_cluster(chunks: SourceChunks, memory_budget_mb: float | None) -> Partitions:
    """``(partition_id, frame)`` pairs of ``chunks`` normalised on the cluster, in order."""
    run = uuid.uuid4().hex[:12]  # task keys of this run only (a cluster may serve other runs)
    staged = 0
    for partition in in_order(
            (f"stage-recipients-{run}-{partition_id}", stage_on_worker,
             (partition_id, first_row, chunk, memory_budget_mb))
            for partition_id, first_row, chunk in chunks):
        staged += 1
        yield partition
    logger.info("recipients: %d chunk(s) normalised as Dask tasks", staged,
                extra={CLUSTER_TASKS: staged})
