"""Regression detection: each size's figures against the stored baseline.

Time is compared normalised by the reference workload measured beside each run, so a slower
machine is not a regression: CPU seconds over reference CPU seconds (``normalised_cpu``) gate
with the time limits; wall seconds over reference wall seconds (``normalised_time``) are checked
with the same limits but only warn, unless ``wall_time_can_fail`` (wall time swings with other
processes on the machine; CPU time hardly does). Peak memory (the timed process's RSS high-water
mark) and match rate are compared as measured. A change that reaches a limit takes its status;
changes are rounded to 1e-6 so that a change of exactly a limit counts.
"""

from __future__ import annotations

from typing import Any

from sbir_enrichment.pipelines.benchmark.params import RegressionThresholds

OK, WARNING, FAILURE, NO_BASELINE = "OK", "WARNING", "FAILURE", "NO_BASELINE"
_SEVERITY = {OK: 0, WARNING: 1, FAILURE: 2}


def classify_increase(change_pct: float, warning_pct: float, failure_pct: float) -> str:
    """``FAILURE`` at or above ``failure_pct``, ``WARNING`` at or above ``warning_pct``."""
    change = round(change_pct, 6)
    if change >= failure_pct:
        return FAILURE
    return WARNING if change >= warning_pct else OK


def classify_drop(drop_pts: float, failure_pts: float) -> str:
    """``FAILURE`` when a rate fell by ``failure_pts`` percentage points or more."""
    return FAILURE if round(drop_pts, 6) >= failure_pts else OK


def worst(statuses: list[str]) -> str:
    """The most severe status (``OK`` for none, ``NO_BASELINE`` only if nothing compared)."""
    compared = [status for status in statuses if status != NO_BASELINE]
    if not compared:
        return NO_BASELINE if statuses else OK
    return max(compared, key=lambda status: _SEVERITY[status])


def _increase_check(metric: str, baseline: float | None, current: float | None,
                    warning_pct: float, failure_pct: float) -> dict[str, Any]:
    if baseline is None or current is None or baseline <= 0:
        return {"metric": metric, "baseline": baseline, "current": current,
                "change_pct": None, "status": NO_BASELINE}
    change = (current / baseline - 1) * 100
    return {"metric": metric, "baseline": baseline, "current": current,
            "change_pct": round(change, 2),
            "status": classify_increase(change, warning_pct, failure_pct)}


def _drop_check(metric: str, baseline: float | None, current: float | None,
                failure_pts: float) -> dict[str, Any]:
    if baseline is None or current is None:
        return {"metric": metric, "baseline": baseline, "current": current,
                "change_pts": None, "status": NO_BASELINE}
    drop = (baseline - current) * 100
    return {"metric": metric, "baseline": baseline, "current": current,
            "change_pts": round(-drop, 2), "status": classify_drop(drop, failure_pts)}


def compare_size(current: dict[str, Any], baseline: dict[str, Any] | None,
                 limits: RegressionThresholds) -> dict[str, Any]:
    """Checks of one size's normalised CPU and wall time, peak memory and match rate."""
    base = baseline or {}
    wall = _increase_check("normalised_time", base.get("normalised_time"),
                           current["normalised_time"], limits.time_warning_pct,
                           limits.time_failure_pct)
    if wall["status"] == FAILURE and not limits.wall_time_can_fail:
        wall["status"] = WARNING
    checks = [
        _increase_check("normalised_cpu", base.get("normalised_cpu"), current["normalised_cpu"],
                        limits.time_warning_pct, limits.time_failure_pct),
        wall,
        _increase_check("peak_rss_mb", base.get("peak_rss_mb"), current["peak_rss_mb"],
                        limits.memory_warning_pct, limits.memory_failure_pct),
        _drop_check("match_rate", base.get("match_rate"), current["match_rate"],
                    limits.match_rate_failure_pts),
    ]
    return {"size": current["size"], "checks": checks,
            "status": worst([check["status"] for check in checks])}


def compare_with_baseline(sizes: list[dict[str, Any]], baseline: dict[str, Any] | None,
                          limits: RegressionThresholds) -> dict[str, Any]:
    """Compare every measured size with the same size in the baseline.

    Args:
        sizes: This benchmark's per-size summaries.
        baseline: The stored baseline (a former benchmark result), or ``None``.
        limits: Warning and failure limits.

    Returns:
        The overall status, what the baseline was (when, where, which commit) and per-size checks.
    """
    by_size = {entry["size"]: entry for entry in (baseline or {}).get("sizes", [])}
    compared = [compare_size(size, by_size.get(size["size"]), limits) for size in sizes]
    about = None
    if baseline is not None:
        about = {key: baseline.get(key) for key in ("benchmark_id", "created_at", "git",
                                                     "parameters_fingerprint")}
        about["machine"] = (baseline.get("environment") or {}).get("machine")
    return {"status": worst([entry["status"] for entry in compared]), "baseline": about,
            "limits": limits.model_dump(), "sizes": compared}
