"""Regression against the stored baseline: deltas of the headline metrics and the drop gate."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sbir_enrichment.pipelines.quality.gates import GateResult, Status

# Headline metrics compared with the baseline (shares, reported as percentage-point deltas).
COMPARED_METRICS = ("match_rate", "precision", "recall", "f1")
# Points are rounded before comparing, so a drop of exactly the threshold is not "beyond" it.
_PTS_DIGITS = 6


def latest(versions: Mapping[str, Callable[[], Any]]) -> tuple[str, Any] | None:
    """The newest version and its loaded content, or ``None`` when nothing was stored."""
    if not versions:
        return None
    newest = max(versions)
    return newest, versions[newest]()


def deltas(current: dict[str, Any], baseline: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per compared metric present in both: baseline, current, and change in points."""
    changes = {}
    for metric in COMPARED_METRICS:
        now, then = current.get(metric), baseline.get(metric)
        if now is None or then is None:
            continue
        changes[metric] = {
            "baseline": then, "current": now,
            "delta_pts": round((now - then) * 100, _PTS_DIGITS) + 0.0,  # no -0.0
        }
    return changes


def match_rate_drop_gate(changes: dict[str, dict[str, Any]], baseline_version: str | None,
                         max_drop_pts: float, warn_drop_pts: float) -> GateResult:
    """Fails when the match rate fell more than ``max_drop_pts`` points; warns beyond ``warn``.

    A drop of exactly ``max_drop_pts`` warns; skipped when no baseline was stored.
    """
    if baseline_version is None or "match_rate" not in changes:
        return GateResult("match_rate_regression", "skipped", None, max_drop_pts,
                          "no baseline stored: run `kedro run --pipelines quality_baseline` after "
                          "a run that passes to store one", unit="points")
    change = changes["match_rate"]
    drop = 0.0 - change["delta_pts"]
    status: Status = "pass"
    if drop > max_drop_pts:
        status = "fail"
    elif drop > warn_drop_pts:
        status = "warn"
    message = (f"match rate {change['current']:.4f} vs baseline {change['baseline']:.4f} "
               f"(version {baseline_version}): {change['delta_pts']:+.2f} points; fails on a drop "
               f"of more than max_match_rate_drop_pts={max_drop_pts:g} points, warns on a drop of "
               f"more than warn_match_rate_drop_pts={warn_drop_pts:g}")
    return GateResult("match_rate_regression", status, drop, max_drop_pts, message,
                      unit="points")
