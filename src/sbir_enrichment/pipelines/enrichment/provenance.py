"""What an enriched output was built with, kept in the output itself, and checked before use.

The enrichment puts its matching settings and their fingerprint in the frames' ``attrs``
(``attrs["enrichment"]``); ``StampedParquetDataset`` adds the run id (``attrs["run"]``); pandas
keeps ``attrs`` in the parquet file. A later run that is told other settings (``kedro run
--pipelines quality --params enrichment.matching.accept_score=90`` over a file built with 95)
must not certify that file: ``check`` refuses it, naming what differs.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sbir_enrichment.datasets.atomic import RUN_ATTRS
from sbir_enrichment.matching import MatchSettings
from sbir_enrichment.pipelines.enrichment import fingerprint

ATTRS = "enrichment"  # attrs key: {"parameters_fingerprint", "matching"}


class StaleOutputError(RuntimeError):
    """An enriched output does not come from the parameters (or the run) it is used with."""


def settings_fingerprint(settings: MatchSettings) -> str:
    """A short digest of every matching setting (the ones that decide the output)."""
    return fingerprint.combine(settings.model_dump_json())


def stamp(settings: MatchSettings, *frames: pd.DataFrame) -> None:
    """Record ``settings`` and their fingerprint in each frame's ``attrs``."""
    record = {"parameters_fingerprint": settings_fingerprint(settings),
              "matching": settings.model_dump(mode="json")}
    for frame in frames:
        frame.attrs[ATTRS] = record


def _recorded(frame: pd.DataFrame, name: str) -> tuple[dict[str, Any], str | None]:
    record = frame.attrs.get(ATTRS)
    if not record:
        raise StaleOutputError(
            f"{name} does not record the parameters it was built with (an older version or "
            f"something outside the pipeline wrote it); run `kedro run --pipelines enrichment`.")
    return record, frame.attrs.get(RUN_ATTRS, {}).get("run_id")


def check(enriched: pd.DataFrame, review: pd.DataFrame,
          settings: MatchSettings) -> dict[str, Any]:
    """Refuse outputs built with other ``settings``, or by two different runs.

    Args:
        enriched: ``enriched_sbir_awards`` (any of its columns; only ``attrs`` are read).
        review: ``match_review_candidates`` (likewise).
        settings: The matching settings this run is given.

    Returns:
        ``{"run_id", "parameters_fingerprint"}`` of the outputs.

    Raises:
        StaleOutputError: The fingerprints differ (the message lists every differing setting),
            or the two outputs were written by different runs.
    """
    record, run_id = _recorded(enriched, "enriched_sbir_awards")
    given = settings_fingerprint(settings)
    if record["parameters_fingerprint"] != given:
        now = settings.model_dump(mode="json")
        differ = "; ".join(
            f"matching.{key}: built with {record['matching'].get(key)!r}, given {now.get(key)!r}"
            for key in sorted(set(now) | set(record["matching"]))
            if now.get(key) != record["matching"].get(key))
        raise StaleOutputError(
            f"enriched_sbir_awards (run {run_id}) was built with other enrichment parameters "
            f"than this run is given ({differ}). Run the enrichment with these parameters "
            f"first (e.g. kedro run --pipelines enrichment,quality --params ...), or give this "
            f"run the parameters the output was built with.")
    _, review_run = _recorded(review, "match_review_candidates")
    if review_run != run_id:
        raise StaleOutputError(
            f"enriched_sbir_awards (run {run_id}) and match_review_candidates (run "
            f"{review_run}) come from different runs; run `kedro run --pipelines enrichment`.")
    return {"run_id": run_id, "parameters_fingerprint": given}
