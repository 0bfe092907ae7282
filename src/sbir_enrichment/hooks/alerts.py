"""Alerts: measured figures that reach a configured limit (or fall below a minimum)."""

from __future__ import annotations

from typing import Any

from sbir_enrichment.hooks.config import AlertThresholds


def _alert(kind: str, node: str | None, value: float, threshold: float,
           message: str) -> dict[str, Any]:
    return {"kind": kind, "node": node, "value": value, "threshold": threshold,
            "message": message}


def evaluate_alerts(nodes: list[dict[str, Any]], match_rate: float | None,
                    thresholds: AlertThresholds) -> list[dict[str, Any]]:
    """Alerts for node memory growth, slow award-handling nodes and a low match rate.

    Args:
        nodes: Node figures as in the run report (``peak_delta_mb``, ``s_per_1k_awards``).
        match_rate: The run's match rate, or ``None`` when the run produced none.
        thresholds: The configured limits.

    Returns:
        One alert per breach, with its kind, node, value, threshold and a readable message.
    """
    alerts = []
    for node in nodes:
        delta = node["peak_delta_mb"]
        if delta >= thresholds.node_memory_delta_mb:
            alerts.append(_alert(
                "node_memory_delta", node["name"], delta, thresholds.node_memory_delta_mb,
                f"{node['name']}: peak RSS rose {delta:,.0f} MB above its start "
                f"(limit {thresholds.node_memory_delta_mb:,.0f} MB)",
            ))
        per_1k = node.get("s_per_1k_awards")
        if per_1k is not None and per_1k >= thresholds.seconds_per_1k_awards:
            alerts.append(_alert(
                "seconds_per_1k_awards", node["name"], per_1k, thresholds.seconds_per_1k_awards,
                f"{node['name']}: {per_1k:.2f} s per 1,000 awards "
                f"(limit {thresholds.seconds_per_1k_awards:.2f} s)",
            ))
    if match_rate is not None and match_rate < thresholds.min_match_rate:
        alerts.append(_alert(
            "match_rate", None, match_rate, thresholds.min_match_rate,
            f"match rate {match_rate:.1%} is below {thresholds.min_match_rate:.1%}",
        ))
    return alerts
