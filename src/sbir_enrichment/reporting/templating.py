"""The Jinja2 environment over ``reporting/templates/``: one place that turns data into text.

HTML templates (``*.html.j2``) are autoescaped; Markdown and console text (``*.md.j2``,
``*.txt.j2``) are not. Every template has the ``fmt`` filter (:func:`numbers.fmt`).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from plotly.offline import get_plotlyjs

from sbir_enrichment.reporting.numbers import fmt


@cache
def environment() -> Environment:
    """The shared environment (templates are read once per process)."""
    env = Environment(
        loader=PackageLoader("sbir_enrichment.reporting", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["fmt"] = fmt
    env.globals["plotly_js"] = get_plotlyjs
    return env


def render(template: str, **context: Any) -> str:
    """Render the template file ``template`` (a path under ``templates/``) with ``context``."""
    return environment().get_template(template).render(**context)
