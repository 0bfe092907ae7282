"""History of archived benchmarks: the runs of a period and each metric's trend per size.

A metric's trend compares its latest value with the median of the earlier values in the period:
within ``stable_band_pct`` (relative) it is *stable*, else *improving* or *degrading* by the
metric's good direction. One value alone has no trend (*single run*).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from statistics import fmean, median
from typing import Any

# Metric -> True when a higher value is better.
METRICS: dict[str, bool] = {
    "normalised_cpu": False,
    "normalised_time": False,
    "wall_s": False,
    "cpu_s": False,
    "awards_per_s": True,
    "peak_rss_mb": False,
    "memory_delta_mb": False,
    "match_rate": True,
    "precision": True,
    "recall": True,
}


def load_results(versions: dict[str, Callable[[], Any]], days: float | None,
                 now: datetime) -> list[dict[str, Any]]:
    """Archived results created in the last ``days`` days (all when ``None``), oldest first."""
    results = [load() for load in versions.values()]
    if days is not None:
        since = now - timedelta(days=days)
        results = [r for r in results if datetime.fromisoformat(r["created_at"]) >= since]
    return sorted(results, key=lambda result: result["created_at"])


def trend(values: list[float], higher_is_better: bool, stable_band_pct: float) -> dict[str, Any]:
    """Min, max, mean, latest and the latest's direction against the earlier median."""
    latest = values[-1]
    figures: dict[str, Any] = {"count": len(values), "min": min(values), "max": max(values),
                               "mean": round(fmean(values), 4), "latest": latest,
                               "earlier_median": None, "change_pct": None,
                               "trend": "single run"}
    if len(values) < 2:
        return figures
    earlier = median(values[:-1])
    figures["earlier_median"] = earlier
    if earlier != 0:
        figures["change_pct"] = round((latest / earlier - 1) * 100, 2)
        stable = abs(figures["change_pct"]) <= stable_band_pct
    else:
        stable = latest == earlier
    if stable:
        figures["trend"] = "stable"
    else:
        figures["trend"] = "improving" if (latest > earlier) == higher_is_better else "degrading"
    return figures


def summarise_history(results: list[dict[str, Any]], stable_band_pct: float
                      ) -> dict[str, Any]:
    """The runs of the period and, per size and metric, min/max/mean/latest and trend.

    Args:
        results: Archived benchmark results, oldest first.
        stable_band_pct: Relative change of the latest value still called stable.

    Returns:
        ``{"runs": [...], "metrics": [...], "series": {size: {metric: [[created_at, value]]}}}``.
    """
    runs = [
        {"benchmark_id": r["benchmark_id"], "created_at": r["created_at"],
         "commit": (r["git"].get("commit") or "")[:10], "dirty": r["git"].get("dirty"),
         "status": r["regression"]["status"],
         "cpu_model": r["environment"]["machine"]["cpu_model"],
         "wall_s": [[s["size"], s["wall_s"]] for s in r["sizes"]]}
        for r in results
    ]
    series: dict[int, dict[str, list[list[Any]]]] = {}
    for result in results:
        for size in result["sizes"]:
            by_metric = series.setdefault(size["size"], {})
            for metric in METRICS:
                if size.get(metric) is not None:
                    by_metric.setdefault(metric, []).append([result["created_at"], size[metric]])
    metrics = [
        {"size": size, "metric": metric,
         **trend([value for _, value in points], METRICS[metric], stable_band_pct)}
        for size, by_metric in sorted(series.items())
        for metric, points in by_metric.items()
    ]
    return {"generated_at": datetime.now(UTC).isoformat(), "runs": runs, "metrics": metrics,
            "series": {str(size): by_metric for size, by_metric in sorted(series.items())}}
