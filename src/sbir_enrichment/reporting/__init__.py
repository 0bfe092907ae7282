"""Every report a person reads: HTML pages, Markdown summaries, the run report, console lines.

Jinja2 templates (``templates/``, one stylesheet, shared partials) turn data into text; the
renderers here only prepare the data and the charts. Numbers are formatted in one place
(:func:`~sbir_enrichment.reporting.numbers.fmt`).
"""

from sbir_enrichment.reporting.benchmark_pages import (
    render_benchmark_page,
    render_benchmark_summary,
    render_history_page,
    render_history_summary,
)
from sbir_enrichment.reporting.quality_page import render_quality_page

__all__ = ["render_benchmark_page", "render_benchmark_summary", "render_history_page",
           "render_history_summary", "render_quality_page"]
