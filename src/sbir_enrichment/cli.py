"""``kedro run`` of this project: Kedro's own command, with expected failures told short.

Kedro loads a project's ``cli.py`` and lets its commands replace its own. This ``run`` takes
every option of Kedro's, plus ``--verbose``. A failed gate (a :class:`GateFailure`: the quality
gates, the benchmark's regression gate) is an expected outcome: it prints what failed and what
to do, and exits with status 1, without a traceback, Kedro's error log repeating the message,
or its ``--from-nodes`` hint (resuming at the gate fails the same way). With ``--verbose``
the run fails as Kedro's does, traceback included; with debug logging the traceback is
logged too.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click
from kedro.framework.cli.project import run as kedro_run

from sbir_enrichment.reporting.console import GateFailure

logger = logging.getLogger(__name__)


class _QuietOnGateFailure(logging.Filter):
    """Drops Kedro's log records emitted while a :class:`GateFailure` is being handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep every record but Kedro's own during a gate failure."""
        handling = sys.exc_info()[1]
        return not (isinstance(handling, GateFailure) and record.name.startswith("kedro."))


def _run(verbose: bool, **options: Any) -> Any:
    """Kedro's ``run``; a gate failure is printed short and exits 1 (unless ``verbose``)."""
    handlers = [] if verbose else list(logging.getLogger().handlers)
    quiet = _QuietOnGateFailure()
    for handler in handlers:
        handler.addFilter(quiet)
    try:
        return kedro_run.callback(**options)
    except GateFailure as failure:
        if verbose:
            raise
        logger.debug("the gate failure's traceback", exc_info=True)
        click.echo(f"\n{failure}\nWhat to do: {failure.what_to_do}", err=True)
        sys.exit(1)
    finally:
        for handler in handlers:
            handler.removeFilter(quiet)


@click.group(name="sbir-enrichment")
def cli() -> None:
    """Commands of the sbir-enrichment project."""


cli.add_command(click.Command(
    name="run",
    callback=_run,
    params=[*kedro_run.params,
            click.Option(["--verbose", "-v"], is_flag=True,
                         help="On a failed gate, fail as Kedro does: traceback included.")],
    help=kedro_run.help,
    short_help=kedro_run.short_help,
))
