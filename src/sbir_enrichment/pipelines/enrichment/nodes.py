"""Enrichment nodes: index the recipients, estimate the match model, link chunks, combine.

The linkage itself lives in ``sbir_enrichment.matching``; these nodes only cut, key and join.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any

import pandas as pd
import pyarrow as pa

from sbir_enrichment.cluster import DaskParams
from sbir_enrichment.matching import (
    AWARD_COLUMNS,
    MatchModel,
    RecipientIndex,
    accuracy_report,
    review_candidates,
    review_columns,
    train,
)
from sbir_enrichment.matching.storage import ArrayStore
from sbir_enrichment.memory.budget import MEMORY_ADAPTATION, memory_budget
from sbir_enrichment.memory.usage import MB, anonymous_rss, release_free_memory
from sbir_enrichment.pipelines.enrichment import fingerprint, provenance
from sbir_enrichment.pipelines.enrichment.linking import ChunkLinker, Loader
from sbir_enrichment.pipelines.enrichment.params import EnrichmentParams
from sbir_enrichment.pipelines.enrichment.progress import ChunkProgress
from sbir_enrichment.pipelines.enrichment.recipient_source import recipient_tables

logger = logging.getLogger(__name__)

LINK_COLUMNS = ("source_row", "match_method", "recipient_hash", "match_probability",
                "in_review_band")
# Peak memory of building the index in memory per byte of its recipient table: the table, its
# key tables and the build's temporaries (1.5 GB for a 377 MB table at full scale,
# docs/performance.md).
_BUILD_BYTES_PER_TABLE_BYTE = 4


def split_awards(sbir_awards: pd.DataFrame, params: EnrichmentParams) -> dict[str, pd.DataFrame]:
    """Cut the awards into chunks keyed ``chunk-<number>-<content digest>``.

    Zero awards give one empty chunk, so the enriched outputs are empty but keep their columns.

    Args:
        sbir_awards: Ingested awards, in source order.
        params: Enrichment parameters (``chunk_size``).

    Returns:
        ``{chunk id: awards of that chunk}``; the digest changes when any value of it changes.
    """
    chunks = {}
    for number, start in enumerate(range(0, max(len(sbir_awards), 1), params.chunk_size)):
        chunk = sbir_awards.iloc[start : start + params.chunk_size]
        chunks[f"chunk-{number:05d}-{fingerprint.frame_digest(chunk)}"] = chunk
    return chunks


def index_recipients(recipient_index: dict[str, Loader],
                     params: EnrichmentParams) -> tuple[RecipientIndex, str]:
    """Build the recipient index from the recipient-index partitions, within the memory budget.

    The index is held in memory when the budget allows what building it needs (estimated from
    the first partition), else its large arrays are spilled to memory-mapped files under
    ``scratch_directory`` (``matching.storage``).

    Args:
        recipient_index: ``{partition id: loader}`` of the recipient index (manifest order).
        params: Enrichment parameters (blocking key lengths, memory budget, scratch directory).

    Returns:
        The index, and a digest of the partitions' content (part of every chunk fingerprint).
    """
    started = time.perf_counter()
    release_free_memory()  # before the run's largest allocation (sbir_enrichment.memory.usage)
    budget = memory_budget(params.memory_budget_mb, "enrichment.memory_budget_mb")
    digests: list[str] = []
    stream = recipient_tables(recipient_index, digests)
    first = next(stream, None)
    partition_bytes = 0 if first is None else first.nbytes
    need = anonymous_rss() + _BUILD_BYTES_PER_TABLE_BYTE * partition_bytes * len(recipient_index)
    spill = need > budget.mb * MB
    store = ArrayStore(params.scratch_directory if spill else None)
    recipients = RecipientIndex.recipients_of(_prepended(first, stream), store)
    del first
    release_free_memory()  # what reading the partitions left behind, before the key tables
    index = RecipientIndex(recipients, params.matching, store)
    if spill:
        logger.warning(
            "memory: recipient index spilled to memory-mapped files (%s MB) under %s: building "
            "it in memory needs ~%s MB, over the budget of %s", f"{index.mapped_bytes / MB:,.0f}",
            params.scratch_directory, f"{need / MB:,.0f}", budget.describe(),
            extra={MEMORY_ADAPTATION: {"spilled_mb": round(
                index.mapped_bytes / MB), "needed_mb": round(need / MB),
                "budget_mb": round(budget.mb)}})
    logger.info("recipient index: %d recipients indexed in %.1f s", len(index),
                time.perf_counter() - started)
    return index, fingerprint.combine(*digests)


def _prepended(first: pa.Table | None, rest: Iterator[pa.Table]) -> Iterator[pa.Table]:
    if first is not None:
        yield first
    del first
    yield from rest


def estimate_match_model(award_chunks: dict[str, Loader], recipients: RecipientIndex,
                         frozen_match_model: dict[str, Any] | None,
                         params: EnrichmentParams) -> dict[str, Any]:
    """The match model of this run: the frozen one when there is one, else estimated here.

    Args:
        award_chunks: ``{chunk id: loader}`` of the awards (only the columns the linkage reads
            are kept; a deterministic sample of the awards is used).
        recipients: The recipient index.
        frozen_match_model: A saved model to reuse unchanged, or ``None``.
        params: Enrichment parameters (``matching``: sample sizes, EM limits, seed).

    Returns:
        The model as plain data (``MatchModel``), saved as a new version every run.
    """
    if frozen_match_model is not None:
        model = MatchModel.model_validate(frozen_match_model)
        logger.info("match model: frozen (estimated on %s awards)",
                    model.estimation.get("awards"))
        return model.model_copy(update={"estimation": {**model.estimation,
                                                       "source": "frozen"}}).model_dump()
    started = time.perf_counter()
    awards = pd.concat([load()[list(AWARD_COLUMNS)] for _, load in sorted(award_chunks.items())],
                       ignore_index=True)
    model = train(awards, recipients, params.matching)
    logger.info("match model: estimated on %d awards (%d candidate pairs, %d EM rounds%s) "
                "in %.1f s; %.1f%% of awards have a recipient", model.estimation["awards"],
                model.estimation["candidate_pairs"], model.estimation["iterations"],
                "" if model.estimation["converged"] else ", not converged",
                time.perf_counter() - started, 100 * model.match_share)
    return model.model_dump()


def _enrich(linker: ChunkLinker, progress: ChunkProgress, load: Loader, position: int,
            chunk_id: str) -> pd.DataFrame:
    """Link one chunk (called by the dataset only when the chunk is not finished)."""
    enriched, seconds = linker.link(load, chunk_id)
    progress.chunk_done(position, chunk_id, len(enriched), seconds)
    return enriched


def enrich_chunks(*, award_chunks: dict[str, Loader], recipients: RecipientIndex,
                  recipients_digest: str, match_model: dict[str, Any],
                  params: EnrichmentParams, recipient_index: dict[str, Loader],
                  dask: DaskParams) -> Mapping[str, Callable[[], pd.DataFrame]]:
    """Lazy enriched chunks keyed ``chunk-<number>-<fingerprint>``.

    The fingerprint hashes the chunk's awards, the recipient index, the match model, the
    matching settings and the matching code (and, in ``partitioned`` cluster mode, the mode
    and the number of partitions); ``enriched_chunks`` keeps finished partitions, so a chunk
    whose fingerprint already has a file is neither computed nor written again. With
    ``dask.enabled`` the chunks are linked as tasks on the run's Dask cluster (``on_cluster``).

    Args:
        award_chunks: ``{chunk id: loader}`` from ``split_awards``.
        recipients: The recipient index (on a Dask cluster in ``broadcast`` mode, one loaded
            from its files, which the workers open too: ``datasets.mapped_index``).
        recipients_digest: Digest of the recipient-index partitions.
        match_model: The run's match model.
        params: Enrichment parameters.
        recipient_index: ``{partition id: loader}`` of the recipient index (in ``partitioned``
            cluster mode the workers build their partitions of the index from it).
        dask: Whether a Dask cluster links the chunks.

    Returns:
        ``{partition id: function computing that enriched chunk}``.
    """
    model = MatchModel.model_validate(match_model)
    cluster = None
    if dask.enabled:
        from sbir_enrichment.pipelines.enrichment import on_cluster  # noqa: PLC0415 (Dask)

        cluster = on_cluster.cluster_run(recipients, recipient_index, recipients_digest, model,
                                         params)
    run_digest = fingerprint.combine(recipients_digest, model.model_dump_json(),
                                     params.matching.model_dump_json(),
                                     fingerprint.matching_code_digest(),
                                     *(cluster.fingerprint if cluster else ()))
    chunks = {}
    for position, (chunk_id, load) in enumerate(sorted(award_chunks.items())):
        _, number, content = chunk_id.split("-")
        chunks[f"chunk-{number}-{fingerprint.combine(content, run_digest)}"] = (position, load)
    progress = ChunkProgress(len(chunks))
    logger.info("enrichment: %d chunks of up to %d awards against %d recipients%s",
                len(chunks), params.chunk_size, len(recipients),
                f" on the Dask cluster ({cluster.describe()})" if cluster else "")
    if cluster is not None:
        return on_cluster.ClusterChunks(chunks, progress, cluster)
    linker = ChunkLinker(recipients, model, params)
    return {enriched_id: partial(_enrich, linker, progress, load, position, enriched_id)
            for enriched_id, (position, load) in chunks.items()}


def combine_chunks(enriched_chunks: dict[str, Loader], params: EnrichmentParams
                   ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Join the enriched chunks of this run into the enriched awards and the review band.

    Args:
        enriched_chunks: ``{partition id: loader}`` of this run's chunks, in chunk order.
        params: Enrichment parameters (``matching.review_top_k``).

    Returns:
        The enriched awards (one row per award, source order) and the review candidates, both
        recording the matching settings they were built with (``provenance``), and the links
        alone (``LINK_COLUMNS``: what the accuracy report reads, without the award columns).
    """
    release_free_memory()  # the recipient index was freed just before (memory.usage)
    frames = [load() for _, load in sorted(enriched_chunks.items())]
    enriched = pd.concat(frames, ignore_index=True)
    del frames  # the chunks are copied: only one copy of the awards at a time
    top_k = params.matching.review_top_k
    review = review_candidates(enriched, top_k)
    enriched.drop(columns=review_columns(top_k), inplace=True)
    provenance.stamp(params.matching, enriched, review)
    return enriched, review, enriched[list(LINK_COLUMNS)].copy()


def measure_accuracy(match_links: pd.DataFrame, match_review_candidates: pd.DataFrame,
                     match_truth: pd.DataFrame | None) -> dict[str, Any]:
    """Precision, recall, reliability and wrong matches against the truth, when there is one.

    Args:
        match_links: Each award's link (``LINK_COLUMNS`` of the enriched awards).
        match_review_candidates: The review band (its first candidates join the reliability
            table).
        match_truth: ``source_row, recipient_hash`` of acceptable recipients (optionally a
            ``variation`` label per award), or ``None``.

    Returns:
        The accuracy report (``has_truth: false`` without a truth file).
    """
    report = accuracy_report(match_links, match_truth, match_review_candidates)
    if report["has_truth"]:
        logger.info("accuracy: precision %.4f, recall %.4f, F1 %.4f (%d matched, %d wrong)",
                    report["precision"] or 0.0, report["recall"] or 0.0, report["f1"] or 0.0,
                    report["matched"], report["false_positives"])
    return report


def freeze_match_model(match_model: dict[str, Any]) -> dict[str, Any]:
    """The latest estimated model, to be reused unchanged by later runs.

    Args:
        match_model: The newest saved version of ``match_model``.

    Returns:
        The same model, for ``frozen_match_model``.
    """
    return match_model
