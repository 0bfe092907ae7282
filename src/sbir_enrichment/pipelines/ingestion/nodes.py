"""Ingestion nodes: parse SBIR awards, stream USAspending recipients into a partitioned index.

Awards are parsed a streamed batch of the CSV at a time (each batch in one vectorised pass),
keeping only the parsed rows. Recipients (~3.3M rows) flow chunk by chunk from the source into
``recipients_normalised`` (one partition per source chunk, rejected rows flagged), from which
``recipient_index`` and ``recipients_rejected`` are cut, each again a partition at a time.
Under ``--env dask`` the chunks are normalised as tasks on the run's Dask cluster (``on_cluster``).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
from kedro.io.core import DatasetError
from kedro.validation.exceptions import DataValidationError

from sbir_enrichment.cluster import DaskParams
from sbir_enrichment.memory.budget import memory_budget
from sbir_enrichment.memory.sub_batches import SubBatches
from sbir_enrichment.memory.usage import release_free_memory
from sbir_enrichment.pipelines.ingestion import recipients
from sbir_enrichment.pipelines.ingestion.awards_parsing import clean_text, parse_columns
from sbir_enrichment.pipelines.ingestion.params import AwardParsingParams
from sbir_enrichment.pipelines.ingestion.recipients import Partitions, SourceChunks, stage_chunk
from sbir_enrichment.schemas import CSV_PROBLEM, RAW_AWARD_COLUMNS
from sbir_enrichment.validation import SourceRowValidator

logger = logging.getLogger(__name__)

CSV_RECORD = "csv_record"  # reject_field of a record the CSV could not split into its columns
BLANK_REQUIRED = "blank, and the field is required"
IDENTIFIERS = ("uei", "duns")  # a present identifier that cannot be repaired rejects the row



def _first_problem(checks: list[tuple[str, pd.Series]], index: pd.Index) -> tuple[pd.Series, ...]:
    """The first failing check of each row: ``(field, reason)``, null where every check passed."""
    field = pd.Series(np.nan, index=index, dtype="str")
    reason = pd.Series(np.nan, index=index, dtype="str")
    for name, why in reversed(checks):
        hit = why.notna()
        field = field.mask(hit, name)
        reason = reason.mask(hit, why)
    return field, reason


def _reject_checks(
    raw: pd.DataFrame, cleaned: pd.DataFrame, problems: pd.DataFrame, required: list[str]
) -> list[tuple[str, pd.Series]]:
    """Reasons to reject each row, by field, in priority order: CSV record, required, ids."""
    csv_problem = raw[CSV_PROBLEM].to_numpy() if CSV_PROBLEM in raw else np.full(len(raw), np.nan)
    checks = [(CSV_RECORD, pd.Series(csv_problem, index=cleaned.index, dtype="str"))]
    blank = pd.Series(BLANK_REQUIRED, index=cleaned.index, dtype="str")
    for column in required:
        checks.append((column, problems[column].fillna(blank.where(cleaned[column].isna()))))
    return checks + [(c, problems[c]) for c in IDENTIFIERS if c not in required]


def parse_awards(
    raw: Iterable[pd.DataFrame], params: AwardParsingParams
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Parse the raw awards a batch at a time; rows that cannot be used go to the rejects.

    A row is rejected for the first of: a CSV record with the wrong number of fields, a
    required field blank or unparseable, a UEI or DUNS that cannot be repaired. Other fields
    that fail to parse become null (counted in ``values_nulled``). Only the parsed rows and the
    rejects of each batch are kept, never the raw text of the whole file.

    Args:
        raw: ``sbir_awards_raw``: batches (at least one) of the export's 42 columns as text,
            plus ``csv_problem``, in file order.
        params: ``params:ingestion.awards``.

    Returns:
        ``sbir_awards`` (parsed), ``sbir_awards_rejected`` (raw text, ``reject_field``,
        ``reject_reason``) and counts for the ingestion summary.
    """
    accepted, rejects, nulled = [], [], []
    first_row = 0
    for number, batch in enumerate(raw):
        if number == 0:
            extra = [c for c in batch.columns if c not in RAW_AWARD_COLUMNS and c != CSV_PROBLEM]
            if extra:
                logger.warning("sbir_awards_raw: ignoring column(s) not in the contract: %s",
                               extra)
        batch_accepted, batch_rejects, batch_nulled = _parse_batch(batch, first_row, params)
        accepted.append(batch_accepted)
        rejects.append(batch_rejects)
        nulled.append(batch_nulled)
        first_row += len(batch)
    accepted_rows, rejected_rows = _concat(accepted), _concat(rejects)
    counts = {
        "rows_read": first_row,
        "accepted": len(accepted_rows),
        "rejected": len(rejected_rows),
        "rejected_by_field": _counts(rejected_rows["reject_field"]),
        "values_nulled": {c: int(n) for c, n in sum(nulled).items() if n},
    }
    logger.info("sbir_awards: %d accepted, %d rejected", len(accepted_rows), len(rejected_rows))
    return accepted_rows, rejected_rows, counts


def _parse_batch(
    raw: pd.DataFrame, first_row: int, params: AwardParsingParams
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """One batch parsed: its accepted rows, its rejects, and the values nulled per column."""
    columns = list(RAW_AWARD_COLUMNS.values())
    raw_text = raw.rename(columns=RAW_AWARD_COLUMNS)[columns].astype("str").reset_index(drop=True)
    source_row = pd.Series(np.arange(first_row, first_row + len(raw_text), dtype="int64"),
                           name="source_row")
    cleaned = pd.DataFrame({c: clean_text(raw_text[c], params.blank_tokens) for c in columns})
    values, problems = parse_columns(cleaned, params.date_formats)

    checks = _reject_checks(raw, cleaned, problems, params.required_fields)
    reject_field, reject_reason = _first_problem(checks, cleaned.index)
    rejected = reject_field.notna()

    accepted = values.loc[~rejected].assign(source_row=source_row[~rejected])
    rejects = raw_text.loc[rejected].assign(
        source_row=source_row[rejected],
        reject_field=reject_field[rejected],
        reject_reason=reject_reason[rejected],
    )
    checked = {name for name, _ in checks}
    nulled = problems.loc[~rejected, [c for c in columns if c not in checked]].notna().sum()
    return accepted, rejects, nulled


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The batches' rows in order, renumbered from 0 (an empty batch adds nothing)."""
    rows = [part for part in parts if len(part)] or parts[:1]
    return pd.concat(rows, ignore_index=True)


def _counts(values: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in values.value_counts().sort_index().items()}


def stage_recipients(chunks: Iterable[pd.DataFrame], memory_budget_mb: float | None,
                     dask: DaskParams) -> Iterable[tuple[str, Any]]:
    """Normalise the recipient source chunk by chunk, lazily, within the memory budget.

    A plain function returning a generator: Kedro hands the generator to
    ``ChunkedPartitionedDataset.save``, which writes one partition per chunk as it is produced.
    A chunk whose normalisation would cross the budget is normalised in sub-batches
    (``sbir_enrichment.memory.sub_batches``); its partition is the same. With ``dask.enabled``
    the driver still reads the source, and each chunk is normalised, and its partition written,
    by a task on the run's Dask cluster (``on_cluster``: the dataset hands the tasks its
    writer); the partitions are the same.

    Args:
        chunks: ``usaspending_recipients``: an iterator of ``recipient_lookup`` frames.
        memory_budget_mb: ``params:ingestion.memory_budget_mb`` (``None``: what the machine or
            container allows; on a Dask worker, its memory limit).
        dask: Whether a Dask cluster normalises the chunks.

    Returns:
        ``(partition_id, frame)`` pairs for ``recipients_normalised``: index columns plus
        ``reject_field`` / ``reject_reason`` and the raw identifiers of rejected rows (on a
        cluster, ``(partition_id, WrittenPartition)`` pairs: the frames written by the tasks).
    """
    release_free_memory()  # what parsing the awards left behind (sbir_enrichment.memory.usage)
    if dask.enabled:
        from sbir_enrichment.pipelines.ingestion import on_cluster  # noqa: PLC0415 (Dask)

        logger.info("recipients: chunks normalised on the Dask cluster")
        return on_cluster.StagedOnCluster(_numbered(chunks), memory_budget_mb)
    budget = memory_budget(memory_budget_mb, "ingestion.memory_budget_mb")
    return _staged(_numbered(chunks), SubBatches(budget, "recipients"))


def _numbered(chunks: Iterable[pd.DataFrame]) -> SourceChunks:
    """``(partition_id, first_row, chunk)`` of each source chunk; a failed read names the source."""
    first_row = 0
    stream = iter(chunks)
    for number in itertools.count():
        try:
            chunk = next(stream)
        except StopIteration:
            return
        except DatasetError:
            raise  # the source dataset named itself
        except Exception as exc:
            raise DatasetError(f"usaspending_recipients: reading the recipient source failed "
                               f"after row {first_row:,}: {exc}") from exc
        yield f"part-{number:05d}", first_row, chunk
        first_row += len(chunk)


def _staged(chunks: SourceChunks, batches: SubBatches) -> Partitions:
    for partition_id, first_row, chunk in chunks:
        yield partition_id, stage_chunk(batches, partition_id, first_row, chunk)


def build_recipient_index(staged: dict[str, Callable[[], pd.DataFrame]],
                          duplicates: pd.DataFrame, counts: dict[str, Any]) -> Partitions:
    """The usable rows of each staged partition, validated against ``RecipientIndex``, lazily.

    Args:
        staged: ``recipients_normalised``: partition id → loader.
        duplicates: ``recipient_duplicates``: rows left out for repeating a recipient_hash.
        counts: ``recipient_ingestion_counts`` (from ``collect_recipient_rejects``).

    Returns:
        ``(partition_id, frame)`` pairs for ``recipient_index``; a partition that breaks the
        schema raises ``DataValidationError`` naming ``recipient_index[<partition>]``. With no
        usable recipient at all, the write fails (``ValueError``) and leaves no complete index:
        linking awards against nothing is never what a run is for.
    """
    return _index_partitions(staged, duplicates["source_row"].to_numpy(), counts)


def _index_partitions(staged: dict[str, Callable[[], pd.DataFrame]], left_out: np.ndarray,
                      counts: dict[str, Any]) -> Partitions:
    if not counts["accepted"]:
        raise ValueError(_no_usable_recipients(counts))
    validator = SourceRowValidator("RecipientIndex")
    for partition_id, load in staged.items():
        frame = recipients.index_rows(load(), left_out)
        try:
            yield partition_id, validator.validate(frame)
        except DataValidationError as exc:
            exc.dataset_name, exc.mode = f"recipient_index[{partition_id}]", "save"
            raise


def _no_usable_recipients(counts: dict[str, Any]) -> str:
    if not counts["rows_read"]:
        return ("usaspending_recipients: the recipient source gave no rows, so there is nothing "
                "to link awards to; check the source (recipient_source and its file, dump or "
                "table) and run ingestion again.")
    reasons = ", ".join(f"{k}: {v:,}" for k, v in counts["rejected_by_field"].items())
    return (f"usaspending_recipients: all {counts['rows_read']:,} rows of the recipient source "
            f"were rejected ({reasons}); see recipients_rejected for the reasons.")


def collect_recipient_rejects(
    staged: dict[str, Callable[[], pd.DataFrame]],
) -> tuple[pd.DataFrame, dict[str, Any], pd.DataFrame]:
    """Gather the rejected recipient rows (few) and count every row, a partition at a time.

    A usable row whose ``recipient_hash`` an earlier usable row already has is rejected too
    (the first, in source order, is kept): one key must name one recipient.

    Args:
        staged: ``recipients_normalised``: partition id → loader.

    Returns:
        ``recipients_rejected``, counts for the ingestion summary, and ``recipient_duplicates``
        (the ``source_row`` of each repeating row) for the index to leave out.
    """
    rows_read = 0
    parts = [recipients.no_rejected_rows()]  # typed, for an empty source
    keys = recipients.RecipientKeys()
    for partition_id, load in staged.items():
        frame = load()
        rows_read += len(frame)
        parts.append(recipients.rejected_rows(frame))
        keys.add(partition_id, frame)
    duplicates = recipients.duplicate_rows(staged, keys.candidates())
    if len(duplicates):
        logger.warning("recipients: %d row(s) repeat the recipient_hash of an earlier row; the "
                       "first of each is kept, the others are in recipients_rejected",
                       len(duplicates))
    rejected = pd.concat([*parts, duplicates], ignore_index=True).sort_values(
        "source_row", ignore_index=True)
    counts = {
        "rows_read": rows_read,
        "accepted": rows_read - len(rejected),
        "rejected": len(rejected),
        "rejected_by_field": _counts(rejected["reject_field"]),
        "duplicate_recipient_hashes": len(duplicates),
    }
    logger.info("recipients: %d indexed, %d rejected", counts["accepted"], len(rejected))
    return rejected, counts, duplicates[["source_row"]]


def summarise_ingestion(
    award_counts: dict[str, Any], recipient_counts: dict[str, Any]
) -> dict[str, Any]:
    """The ingestion summary: rows read, accepted and rejected (by field) per input.

    Args:
        award_counts: Counts from ``parse_awards``.
        recipient_counts: Counts from ``collect_recipient_rejects``.

    Returns:
        ``{"awards": {...}, "recipients": {...}}`` for ``ingestion_summary``.
    """
    return {"awards": award_counts, "recipients": recipient_counts}
