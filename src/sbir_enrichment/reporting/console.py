"""What a person reads on the console: the end-of-run summary and short gate failures.

A failed gate is an expected outcome of a run, not a crash: its error (:class:`GateFailure`)
carries a small table of what failed and one line on what to do, and ``kedro run`` prints
those without a traceback (``sbir_enrichment.cli``).
"""

from __future__ import annotations

import sys
from typing import Any

from sbir_enrichment.reporting.run_report import RunReport
from sbir_enrichment.reporting.templating import render


class GateFailure(RuntimeError):
    """A gate the run enforces failed: ``str(error)`` says what, ``what_to_do`` what next."""

    def __init__(self, message: str, what_to_do: str) -> None:
        """An error whose message is the table of what failed."""
        super().__init__(message)
        self.what_to_do = what_to_do


def run_summary(report: RunReport) -> str:
    """A few lines on a finished run: status, its domain figures, where its reports are."""
    return render("console/run_summary.txt.j2", report=report)


def print_run_summary(report: RunReport) -> None:
    """Print :func:`run_summary` to standard output."""
    sys.stdout.write(run_summary(report))
    sys.stdout.flush()


def quality_gate_table(gates: list[dict[str, Any]]) -> str:
    """The quality gates as a console table, and the messages of those that failed."""
    return render("console/quality_gates.txt.j2", gates=gates)


def benchmark_check_table(regression: dict[str, Any]) -> str:
    """The benchmark's failed regression checks as a console table."""
    return render("console/benchmark_checks.txt.j2", regression=regression)
