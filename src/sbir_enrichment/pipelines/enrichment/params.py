"""Typed parameters of the enrichment pipeline (``conf/base/parameters_enrichment.yml``)."""

from __future__ import annotations

from typing import Literal

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
    cluster_mode: Literal["broadcast", "partitioned"] = "broadcast"
    """On a Dask cluster (``dask.enabled``): ``broadcast``, every worker builds the whole
    recipient index; ``partitioned``, each worker holds partitions of it and every chunk is
    searched in each partition (``pipelines/enrichment/on_partitions.py``). Same output."""
    partitions: int | None = Field(default=None, ge=1)
    """``partitioned`` only: partitions of the recipient index; ``None``: one per worker."""
    matching: MatchSettings
    """Blocking, comparison levels, estimation and decision settings of the linkage."""
