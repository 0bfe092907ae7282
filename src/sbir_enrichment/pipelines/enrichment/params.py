"""Typed parameters of the enrichment pipeline (``conf/base/parameters_enrichment.yml``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from sbir_enrichment.matching import MatchSettings


class EnrichmentParams(BaseModel):
    """Chunking and matching settings of ``kedro run --pipelines enrichment``."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    chunk_size: int = Field(ge=1)
    """Awards per chunk: the unit of progress, of resuming after an interruption, and of memory."""
    memory_budget_mb: float | None = Field(default=None, gt=0)
    """Memory the enrichment may use (MB); ``None``: what the machine or container allows."""
    scratch_directory: str
    """Where the recipient index is spilled to mapped files when memory is short (emptied as
    soon as it is built; directories of dead processes are removed)."""
    matching: MatchSettings
    """Blocking, comparison levels, estimation and decision settings of the linkage."""
