"""Quality gates: each compares one measured value with its threshold and says why it failed.

Row gates validate frames (pandera models from ``schemas.py`` plus cross-dataset row checks) and
quote example rows; metric gates compare a rate with a threshold from parameters.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import pandas as pd
import pandera.errors as pa_errors
import pandera.pandas as pa

from sbir_enrichment.reporting.console import GateFailure

Status = Literal["pass", "warn", "fail", "skipped"]
Unit = Literal["rows", "share", "points"]
_EXAMPLE_COLUMNS = ("source_row", "company", "match_method", "match_score", "in_review_band")


class QualityGateError(GateFailure):
    """Raised after the report is written when at least one quality gate failed."""


@dataclass(frozen=True)
class GateResult:
    """Outcome of one gate: measured value against threshold (in ``unit``: failing rows, a
    share of awards, or percentage points), a message, failing examples."""

    name: str
    status: Status
    measured: float | int | None
    threshold: float | int | None
    message: str
    details: list[dict[str, Any]] = field(default_factory=list)
    unit: Unit = field(kw_only=True)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary."""
        return asdict(self)


def _json_value(value: Any) -> Any:
    """A cell as a JSON value: missing → ``None``, numpy scalars → Python, others → text."""
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    if value is None or pd.isna(value):
        return None
    if isinstance(value, str | bool | int | float):
        return value
    return value.item() if hasattr(value, "item") else str(value)


def _example_rows(frame: pd.DataFrame, positions: pd.Series, columns: list[str],
                  limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` failing rows, with their key columns and the failing columns' values."""
    wanted = [c for c in (*_EXAMPLE_COLUMNS, *columns) if c in frame.columns]
    rows = frame.iloc[positions.dropna().astype("int64").unique()[:limit]]
    return [
        {key: _json_value(value) for key, value in record.items()}
        for record in rows[list(dict.fromkeys(wanted))].to_dict(orient="records")
    ]


def _failing_columns(column: Any, cases: pd.Series) -> list[str]:
    """Columns a check failed on: its own, or those named by a frame-wide check's cells."""
    if not pd.isna(column) and column != "failure_case":
        return [str(column)]
    named = (case for case in cases if isinstance(case, dict))
    return list(dict.fromkeys(key for case in named for key in case))


def schema_failures(frame: pd.DataFrame, model: type[pa.DataFrameModel],
                    example_rows: int) -> list[dict[str, Any]]:
    """Every failed check of ``model`` on ``frame``, grouped by column and check.

    Args:
        frame: The frame to validate (all rows, lazily: every failure is collected).
        model: A pandera ``DataFrameModel`` from ``schemas.py``.
        example_rows: How many failing rows to quote per check.

    Returns:
        ``[{"column", "check", "failed_rows", "examples"}]``, empty when the frame conforms.
    """
    frame = frame.reset_index(drop=True)
    try:
        model.validate(frame, lazy=True)
    except pa_errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    failures = []
    for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
        columns = _failing_columns(column, group["failure_case"])
        positions = pd.to_numeric(group["index"], errors="coerce")
        located = bool(positions.notna().any())
        failures.append({
            "column": ", ".join(columns) or None,
            "check": str(check),
            "failed_rows": int(positions.nunique()) if located else None,
            "examples": _example_rows(frame, positions, columns, example_rows) if located
            else [_json_value(v) for v in group["failure_case"].head(example_rows)],
        })
    return failures


def _describe(failure: dict[str, Any]) -> str:
    """One line per failed check: where, what, how many, e.g. which rows."""
    where = f"{failure['column']}: " if failure["column"] else ""
    count = failure["failed_rows"]
    counted = f"{count:,} row(s)" if count is not None else "the whole column"
    return f"{where}{failure['check']} failed for {counted}; e.g. {failure['examples']}"


def row_gate(name: str, what: str, failures: list[dict[str, Any]], rows: int) -> GateResult:
    """A gate over row checks: passes when no check failed, else lists each failure."""
    if not failures:
        return GateResult(name, "pass", 0, 0, f"{what}: all {rows:,} rows pass", unit="rows")
    failing = sum(f["failed_rows"] or rows for f in failures)
    lines = "; ".join(_describe(f) for f in failures)
    message = (f"{what}: {len(failures)} check(s) failed over {rows:,} rows "
               f"(allowed: 0 failing rows): {lines}")
    return GateResult(name, "fail", failing, 0, message, failures, unit="rows")


def row_accounting_failures(enriched_rows: pd.Series, accepted_rows: pd.Series,
                            example_rows: int) -> list[dict[str, Any]]:
    """Accepted awards missing from the enriched output, and enriched rows with no such award."""
    enriched_set = pd.Index(enriched_rows.dropna().unique())
    accepted_set = pd.Index(accepted_rows.dropna().unique())
    failures = []
    for check, rows in (
        ("accepted award missing from enriched output", accepted_set.difference(enriched_set)),
        ("enriched row is not an accepted award", enriched_set.difference(accepted_set)),
    ):
        if len(rows):
            failures.append({
                "column": "source_row", "check": check, "failed_rows": len(rows),
                "examples": [{"source_row": int(r)} for r in rows.sort_values()[:example_rows]],
            })
    return failures


def candidates_matched_failures(candidates: pd.DataFrame, enriched: pd.DataFrame,
                                example_rows: int) -> list[dict[str, Any]]:
    """Review candidates whose award is matched (or absent): the band must stay unmatched."""
    method = enriched.set_index("source_row")["match_method"]
    method = method[~method.index.duplicated()]
    award_method = candidates["source_row"].map(method)
    bad = candidates[award_method.ne("unmatched").fillna(True).astype(bool)]
    if bad.empty:
        return []
    examples = bad.assign(award_match_method=award_method[bad.index]).head(example_rows)
    columns = ["source_row", "candidate_rank", "candidate_recipient_hash", "award_match_method"]
    return [{
        "column": "source_row",
        "check": "review candidate's award is not unmatched in the enriched output",
        "failed_rows": int(bad["source_row"].nunique()),
        "examples": [{k: _json_value(v) for k, v in r.items()}
                     for r in examples[columns].to_dict(orient="records")],
    }]


def match_rate_gate(match_rate: float, matched: int, awards: int,
                    min_match_rate: float) -> GateResult:
    """Fails when the share of matched awards (review band excluded) is below the minimum."""
    verdict = "meets" if match_rate >= min_match_rate else "is below"
    message = (f"match rate {match_rate:.4f} ({matched:,} of {awards:,} awards matched; "
               f"review-band awards count as unmatched) {verdict} min_match_rate "
               f"{min_match_rate:.4f}")
    status: Status = "pass" if match_rate >= min_match_rate else "fail"
    return GateResult("match_rate", status, match_rate, min_match_rate, message, unit="share")


def precision_gate(accuracy: dict[str, Any], min_precision: float) -> GateResult:
    """Fails below min_precision or when undefined (nothing matched); skipped without truth."""
    if not accuracy.get("has_truth"):
        return GateResult("precision", "skipped", None, min_precision,
                          "precision not measured: this run had no match truth", unit="share")
    precision = accuracy["precision"]
    if precision is None:
        return GateResult("precision", "fail", None, min_precision,
                          f"precision undefined: no award was matched, so none can be checked "
                          f"against the truth (min_precision {min_precision:.4f})", unit="share")
    wrong = {m: f["wrong"] for m, f in accuracy.get("by_method", {}).items() if f.get("wrong")}
    verdict = "meets" if precision >= min_precision else "is below"
    message = (f"precision {precision:.4f} ({accuracy['false_positives']:,} wrong of "
               f"{accuracy['matched']:,} matched; wrong by method: {wrong or 'none'}) {verdict} "
               f"min_precision {min_precision:.4f}")
    status: Status = "pass" if precision >= min_precision else "fail"
    return GateResult("precision", status, precision, min_precision, message, unit="share")


def overall_status(gates: list[GateResult]) -> Status:
    """``fail`` if any gate failed, else ``warn`` if any warned, else ``pass``."""
    statuses = {g.status for g in gates}
    for status in ("fail", "warn"):
        if status in statuses:
            return status
    return "pass"
