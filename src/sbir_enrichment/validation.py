"""Catalog validators that name the ``source_row`` of every failing row.

Kedro's pandera validator quotes the failing values only; a reader cannot find the row. A
``SourceRowValidator`` runs the same pandera model (``schemas.py``) and, when it fails, puts the
``source_row`` (or, in a frame without that column, the row's index label: the record number of
the raw CSV) before each quoted value. It also validates a streamed load (an iterator of frames,
which Kedro hands it whole), each frame as it is drawn. Catalog entry::

    enriched_sbir_awards:
      type: ...
      validator:
        class: sbir_enrichment.validation.SourceRowValidator
        on: [save]
        options: {model: EnrichedSbirAwards}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pandera.errors as pa_errors
from kedro.validation.exceptions import CheckFailure, DataValidationError
from kedro.validation.pandera_validator import PanderaValidator

from sbir_enrichment import schemas

_EXAMPLES = 5


class SourceRowValidator(PanderaValidator):
    """Kedro's pandera validator for a model of ``schemas.py``, naming failing rows."""

    def __init__(self, model: str, **options: Any) -> None:
        """Validate against ``schemas.<model>``; ``options`` as for Kedro's pandera validator."""
        super().__init__(getattr(schemas, model), **options)

    def validate(self, data: Any) -> Any:
        """The validated frame; on failure, ``DataValidationError`` with ``source_row`` examples.

        An iterator of frames (Kedro passes a streamed load here whole) comes back as an
        iterator that validates each frame when it is drawn, i.e. in the node: a failure names
        the model and the rows, not the dataset, and is raised even under ``severity: warn``.
        (Checking the first frame here instead would let the catalog's warn path pass on the
        iterator without that frame.)
        """
        if isinstance(data, Iterator):
            return map(self.validate, data)
        try:
            return super().validate(data)
        except DataValidationError as exc:
            cause = exc.__cause__
            if isinstance(cause, pa_errors.SchemaErrors) and isinstance(data, pd.DataFrame):
                exc.failures = failures_with_rows(cause.failure_cases, data)
            raise


def _source_rows(frame: pd.DataFrame, labels: pd.Series) -> pd.Series:
    """``source_row`` of the rows with these index labels (the label itself in a frame without
    that column; null where a case has no row)."""
    rows = pd.Series(pd.NA, index=labels.index, dtype="Int64")
    if not frame.index.is_unique:
        return rows
    positions = frame.index.get_indexer(labels.where(labels.notna(), None).tolist())
    found = positions >= 0
    source = (frame["source_row"] if "source_row" in frame.columns else frame.index).to_numpy()
    rows[found] = source[positions[found]]
    return rows


def _column_and_value(column: Any, case: Any) -> tuple[str | None, str]:
    """The failing column (a frame-wide check names it in its case) and the value as text."""
    if isinstance(case, dict):
        return ", ".join(map(str, case)) or None, ", ".join(map(repr, case.values()))
    return (None if pd.isna(column) else str(column)), repr(case)


def failures_with_rows(cases: pd.DataFrame, frame: pd.DataFrame) -> list[CheckFailure]:
    """pandera's failure cases grouped by column and check, each example led by its row."""
    rows = _source_rows(frame, cases["index"])
    grouped: dict[tuple[str | None, str], list[str]] = {}
    for row, column, check, case in zip(rows, cases["column"], cases["check"],
                                        cases["failure_case"], strict=True):
        name, value = _column_and_value(column, case)
        example = value if pd.isna(row) else f"source_row {row}: {value}"
        grouped.setdefault((name, str(check)), []).append(example)
    return [
        CheckFailure(message=f"Check '{check}' failed for " +
                     (f"column '{column}'" if column else "dataframe"),
                     check=check, column=column, failure_count=len(examples),
                     failure_examples=examples[:_EXAMPLES])
        for (column, check), examples in grouped.items()
    ]
