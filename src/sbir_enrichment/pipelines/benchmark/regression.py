"""Regression detection: each size's figures against the stored baseline.

Time is compared normalised by the reference workload measured beside each run, so a slower
machine is not a regression: CPU seconds over reference CPU seconds (``normalised_cpu``) gate
with the time limits; wall seconds over reference wall seconds (``normalised_time``) are checked
with the same limits but only warn, unless ``wall_time_can_fail`` (wall time swings with other
processes on the machine; CPU time hardly does). Peak memory (the timed process's RSS high-water
mark) and match rate are compared as measured; so are each labelled yardstick's precision and
recall (when the baseline linked the same yardstick at the same size). A change that reaches a
limit takes its status; changes are rounded to 1e-6 so that a change of exactly a limit counts.

Only like is compared with like: a baseline that timed other pipelines, other ``run_params`` or
runs with another parameters fingerprint (or a benchmark profiled with memray) is not compared;
the status is then ``NOT_COMPARABLE`` and ``reason`` says why. A size timed on a Dask cluster
(``dask_workers``) is compared only with the baseline's entry of the same size, worker count and
parameters fingerprints; a baseline without one leaves its checks ``NO_BASELINE``.
"""

from __future__ import annotations

from typing import Any

from sbir_enrichment.pipelines.benchmark.params import RegressionThresholds

OK, WARNING, FAILURE, NO_BASELINE = "OK", "WARNING", "FAILURE", "NO_BASELINE"
NOT_COMPARABLE = "NOT_COMPARABLE"
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


def _wall_check(base: dict[str, Any], current: dict[str, Any], limits: RegressionThresholds
                ) -> dict[str, Any]:
    """Normalised wall time: fails only when ``wall_time_can_fail``, else at most warns."""
    wall = _increase_check("normalised_time", base.get("normalised_time"),
                           current["normalised_time"], limits.time_warning_pct,
                           limits.time_failure_pct)
    if wall["status"] == FAILURE and not limits.wall_time_can_fail:
        wall["status"] = WARNING
    return wall


def _memory_check(metric: str, base: dict[str, Any], current: dict[str, Any],
                  limits: RegressionThresholds) -> dict[str, Any]:
    return _increase_check(metric, base.get(metric), current[metric],
                           limits.memory_warning_pct, limits.memory_failure_pct)


def _match_rate_check(base: dict[str, Any], current: dict[str, Any],
                      limits: RegressionThresholds) -> dict[str, Any]:
    return _drop_check("match_rate", base.get("match_rate"), current["match_rate"],
                       limits.match_rate_failure_pts)


def compare_size(current: dict[str, Any], baseline: dict[str, Any] | None,
                 limits: RegressionThresholds) -> dict[str, Any]:
    """Checks of one size's normalised CPU and wall time, peak memory and match rate."""
    base = baseline or {}
    checks = [
        _increase_check("normalised_cpu", base.get("normalised_cpu"), current["normalised_cpu"],
                        limits.time_warning_pct, limits.time_failure_pct),
        _wall_check(base, current, limits),
        _memory_check("peak_rss_mb", base, current, limits),
        _match_rate_check(base, current, limits),
    ]
    return {"size": current["size"], "checks": checks,
            "status": worst([check["status"] for check in checks])}


def _dask_configuration(entry: dict[str, Any]) -> tuple[int, int, tuple[str, ...]]:
    """What a Dask entry timed: its size, worker count and its runs' parameter fingerprints."""
    return entry["size"], entry["workers"], tuple(entry["parameters_fingerprints"])


def compare_dask(current: dict[str, Any], baseline: dict[str, Any] | None,
                 limits: RegressionThresholds) -> dict[str, Any]:
    """Checks of one size on a LocalCluster against the same size, worker count and parameters
    in the baseline: normalised wall time, the driver's and the largest worker's peak memory,
    match rate. (A Dask run's CPU seconds are the driver's only: not compared.)"""
    base = baseline or {}
    checks = [
        _wall_check(base, current, limits),
        _memory_check("peak_rss_mb", base, current, limits),
        _memory_check("worker_peak_rss_mb_max", base, current, limits),
        _match_rate_check(base, current, limits),
    ]
    return {"size": current["size"], "workers": current["workers"], "checks": checks,
            "status": worst([check["status"] for check in checks])}


def compare_yardsticks(current: dict[str, Any], baseline: dict[str, Any] | None,
                       limits: RegressionThresholds) -> list[dict[str, Any]]:
    """Checks of each yardstick's precision and recall against the same yardstick's baseline."""
    compared = []
    for name, figures in current.items():
        base = (baseline or {}).get(name) or {}
        if any(base.get(key) != figures.get(key) for key in ("awards", "recipients",
                                                             "generator")):
            base = {}  # another size or sample: nothing to compare with
        checks = [_drop_check(metric, base.get(metric), figures.get(metric),
                              limits.accuracy_failure_pts) for metric in ("precision", "recall")]
        compared.append({"yardstick": name, "checks": checks,
                         "status": worst([check["status"] for check in checks])})
    return compared


def differences(measurements: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    """Why ``measurements`` cannot be compared with ``baseline``: what each timed differently.

    Returns:
        One phrase per difference in the timed pipelines, their ``run_params``, their memory
        limit or the parameters fingerprint of the timed runs; empty when the two are alike.
    """
    ours = measurements.get("benchmark_parameters") or {}
    theirs = baseline.get("benchmark_parameters") or {}
    found = []
    if sorted(ours.get("pipelines") or []) != sorted(theirs.get("pipelines") or []):
        found.append(f"the baseline timed pipelines {theirs.get('pipelines')}, this benchmark "
                     f"{ours.get('pipelines')}")
    if (ours.get("run_params") or {}) != (theirs.get("run_params") or {}):
        found.append(f"the baseline's runs had run_params {theirs.get('run_params')}, these "
                     f"{ours.get('run_params')}")
    if ours.get("memory_limit_mb") != theirs.get("memory_limit_mb"):
        found.append(f"the baseline's runs had a memory limit of "
                     f"{theirs.get('memory_limit_mb') or 'none'} MB, these "
                     f"{ours.get('memory_limit_mb') or 'none'} MB")
    if measurements.get("parameters_fingerprint") != baseline.get("parameters_fingerprint"):
        found.append(f"the baseline's runs had parameters fingerprint "
                     f"{baseline.get('parameters_fingerprint')}, these "
                     f"{measurements.get('parameters_fingerprint')}")
    return found


def compare_with_baseline(measurements: dict[str, Any], baseline: dict[str, Any] | None,
                          limits: RegressionThresholds, not_comparable: list[str] | None = None
                          ) -> dict[str, Any]:
    """Compare every measured size with the same size in the baseline, when the two are alike.

    Args:
        measurements: This benchmark's measurements (``sizes``, ``benchmark_parameters``,
            ``parameters_fingerprint``).
        baseline: The stored baseline (a former benchmark result), or ``None``.
        limits: Warning and failure limits.
        not_comparable: Further reasons not to compare (e.g. a memray-profiled benchmark).

    Returns:
        The overall status, ``reason`` (why nothing was compared, or ``None``), what the
        baseline was (when, where, which commit), per-size checks, per-yardstick checks and
        per Dask configuration checks (``dask``: size and worker count).
    """
    reasons = [*(not_comparable or []),
               *(differences(measurements, baseline) if baseline is not None else [])]
    compared_with = None if reasons else baseline
    by_size = {entry["size"]: entry for entry in (compared_with or {}).get("sizes", [])}
    compared = [compare_size(size, by_size.get(size["size"]), limits)
                for size in measurements["sizes"]]
    yardsticks = compare_yardsticks(measurements.get("yardsticks") or {},
                                    (compared_with or {}).get("yardsticks"), limits)
    by_configuration = {_dask_configuration(entry): entry
                        for size in (compared_with or {}).get("sizes", [])
                        for entry in size.get("dask", [])}
    dask = [compare_dask(entry, by_configuration.get(_dask_configuration(entry)), limits)
            for size in measurements["sizes"] for entry in size.get("dask", [])]
    about = None
    if baseline is not None:
        about = {key: baseline.get(key) for key in ("benchmark_id", "created_at", "git",
                                                     "parameters_fingerprint")}
        about["machine"] = (baseline.get("environment") or {}).get("machine")
    status = NOT_COMPARABLE if reasons else worst(
        [entry["status"] for entry in [*compared, *yardsticks, *dask]])
    return {"status": status, "reason": "; ".join(reasons) or None, "baseline": about,
            "limits": limits.model_dump(), "sizes": compared, "yardsticks": yardsticks,
            "dask": dask}
