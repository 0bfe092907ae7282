"""Typed parameters of the enrichment pipeline (``conf/base/parameters_enrichment.yml``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from sbir_enrichment.matching import MatchSettings


class EnrichmentParams(BaseModel):
    """Chunking and matching settings of ``kedro run --pipelines enrichment``."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    chunk_size: int = Field(ge=1)
    """Awards per chunk: the unit of progress, of resuming after an interruption, and of memory."""
    matching: MatchSettings
    """Every threshold and weight of the linkage."""
