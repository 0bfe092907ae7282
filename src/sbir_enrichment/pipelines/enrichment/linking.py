"""What links award chunks, in the driver or on a Dask worker: a chunk's loader, and the linker
holding one recipient index and one match model."""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd

from sbir_enrichment.matching import MatchModel, RecipientIndex, link_awards
from sbir_enrichment.memory.budget import memory_budget
from sbir_enrichment.memory.sub_batches import SubBatches
from sbir_enrichment.pipelines.enrichment.params import EnrichmentParams

Loader = Callable[[], pd.DataFrame]


class ChunkLinker:
    """Links chunks against one index with one model, in sub-batches within the memory budget."""

    def __init__(self, recipients: RecipientIndex, model: MatchModel,
                 params: EnrichmentParams) -> None:
        self._recipients = recipients
        self._model = model
        self._params = params
        self._sub_batches = SubBatches(memory_budget(params.memory_budget_mb,
                                                     "enrichment.memory_budget_mb"), "awards")

    def _link(self, awards: pd.DataFrame, _: int) -> pd.DataFrame:
        return link_awards(awards, self._recipients, self._model, self._params.matching)

    def link(self, load: Loader, chunk_id: str) -> tuple[pd.DataFrame, float]:
        """The enriched chunk, and the seconds its linkage took."""
        awards = load()
        started = time.perf_counter()
        enriched = self._sub_batches.apply(awards, self._link, chunk_id)
        return enriched, time.perf_counter() - started
