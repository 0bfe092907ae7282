"""Enrichment nodes: split awards into chunks, link each chunk lazily, combine, measure.

The linkage itself lives in ``sbir_enrichment.matching``; these nodes only cut, key and join.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import pandas as pd
import pyarrow as pa

from sbir_enrichment.matching import (
    RecipientIndex,
    accuracy_report,
    link_awards,
    review_candidates,
)
from sbir_enrichment.matching.cascade import review_columns
from sbir_enrichment.pipelines.enrichment import fingerprint, provenance
from sbir_enrichment.pipelines.enrichment.params import EnrichmentParams
from sbir_enrichment.pipelines.enrichment.progress import ChunkProgress

logger = logging.getLogger(__name__)

Loader = Callable[[], pd.DataFrame]


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


class _ChunkRun:
    """What every chunk of one run shares: the recipient index (built on first use), the
    parameters and the progress report."""

    def __init__(self, tables: list[pa.Table], params: EnrichmentParams, total_chunks: int
                 ) -> None:
        self._tables = tables
        self._params = params
        self._index: RecipientIndex | None = None
        self._progress = ChunkProgress(total_chunks)

    def _recipient_index(self) -> RecipientIndex:
        if self._index is None:
            started = time.perf_counter()
            self._index = RecipientIndex.from_tables(self._tables, self._params.matching)
            self._tables = []
            logger.info("recipient index: %d recipients indexed in %.1f s",
                        len(self._index), time.perf_counter() - started)
        return self._index

    def enrich(self, load: Loader, position: int, chunk_id: str) -> pd.DataFrame:
        """Link one chunk (called by the dataset only when the chunk is not finished)."""
        awards = load()
        index = self._recipient_index()
        started = time.perf_counter()
        for _ in range(self._params.slowdown):
            enriched = link_awards(awards, index, self._params.matching)
        self._progress.chunk_done(position, chunk_id, len(awards), time.perf_counter() - started)
        return enriched


def _load_recipients(recipient_index: dict[str, Loader]) -> tuple[list[pa.Table], str]:
    """Recipient-index partitions as Arrow tables (in manifest order) and their digest."""
    tables, digests = [], []
    for partition_id, load in recipient_index.items():
        table = RecipientIndex.table_of(load())
        tables.append(table)
        digests.append(partition_id + ":" + fingerprint.table_digest(table))
    return tables, fingerprint.combine(*digests)


def enrich_chunks(award_chunks: dict[str, Loader], recipient_index: dict[str, Loader],
                  params: EnrichmentParams) -> dict[str, Callable[[], pd.DataFrame]]:
    """Lazy enriched chunks keyed ``chunk-<number>-<fingerprint>``.

    The fingerprint hashes the chunk's awards, the recipient index, the matching settings and
    the matching code; ``enriched_chunks`` keeps finished partitions, so a chunk whose
    fingerprint already has a file is neither computed nor written again.

    Args:
        award_chunks: ``{chunk id: loader}`` from ``split_awards``.
        recipient_index: ``{partition id: loader}`` of the recipient index.
        params: Enrichment parameters.

    Returns:
        ``{partition id: function computing that enriched chunk}``.
    """
    tables, index_digest = _load_recipients(recipient_index)
    run_digest = fingerprint.combine(index_digest, params.matching.model_dump_json(),
                                     fingerprint.matching_code_digest())
    ordered = sorted(award_chunks.items())
    run = _ChunkRun(tables, params, len(ordered))
    lazy = {}
    for position, (chunk_id, load) in enumerate(ordered):
        _, number, content = chunk_id.split("-")
        enriched_id = f"chunk-{number}-{fingerprint.combine(content, run_digest)}"
        lazy[enriched_id] = partial(run.enrich, load, position, enriched_id)
    logger.info("enrichment: %d chunks of up to %d awards against %d recipient partitions",
                len(lazy), params.chunk_size, len(tables))
    return lazy


def combine_chunks(enriched_chunks: dict[str, Loader],
                   params: EnrichmentParams) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Join the enriched chunks of this run into the enriched awards and the review band.

    Args:
        enriched_chunks: ``{partition id: loader}`` of this run's chunks, in chunk order.
        params: Enrichment parameters (``matching.review_top_k``).

    Returns:
        The enriched awards (one row per award, source order) and the review candidates, both
        recording the matching settings they were built with (``provenance``).
    """
    frames = [load() for _, load in sorted(enriched_chunks.items())]
    combined = pd.concat(frames, ignore_index=True)
    top_k = params.matching.review_top_k
    review = review_candidates(combined, top_k)
    enriched = combined.drop(columns=review_columns(top_k))
    provenance.stamp(params.matching, enriched, review)
    return enriched, review


def measure_accuracy(enriched_sbir_awards: pd.DataFrame,
                     match_truth: pd.DataFrame | None) -> dict[str, Any]:
    """Precision, recall, F1 and wrong matches by method against the truth, when there is one.

    Args:
        enriched_sbir_awards: The enriched awards.
        match_truth: ``source_row, recipient_hash`` of acceptable recipients, or ``None``.

    Returns:
        The accuracy report (``has_truth: false`` without a truth file).
    """
    report = accuracy_report(enriched_sbir_awards, match_truth)
    if report["has_truth"]:
        logger.info("accuracy: precision %.4f, recall %.4f, F1 %.4f (%d matched, %d wrong)",
                    report["precision"] or 0.0, report["recall"] or 0.0, report["f1"] or 0.0,
                    report["matched"], report["false_positives"])
    return report
