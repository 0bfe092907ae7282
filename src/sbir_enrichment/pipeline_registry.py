"""Project pipelines."""

from __future__ import annotations

from kedro.framework.project import find_pipelines
from kedro.pipeline import Pipeline

# The default run is the production chain; sample data, benchmarks, storing a quality baseline
# and freezing the match model run only when asked for.
_NOT_IN_DEFAULT = ("sample_data", "benchmark", "benchmark_baseline", "benchmark_history",
                   "quality_baseline", "freeze_match_model")


def register_pipelines() -> dict[str, Pipeline]:
    """Register every pipeline under ``pipelines/`` and the default chain.

    Returns:
        A mapping from pipeline names to ``Pipeline`` objects.
    """
    pipelines = find_pipelines(raise_errors=True)
    pipelines["__default__"] = sum(
        (p for name, p in pipelines.items() if name not in _NOT_IN_DEFAULT), Pipeline([])
    )
    return pipelines
