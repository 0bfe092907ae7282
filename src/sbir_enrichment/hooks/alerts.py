"""Alerts: node figures that reach a configured limit."""

from __future__ import annotations

from sbir_enrichment.hooks.config import AlertThresholds
from sbir_enrichment.reporting.run_report import Alert, NodeFigures


def evaluate_alerts(nodes: list[NodeFigures], thresholds: AlertThresholds) -> list[Alert]:
    """Alerts for node memory growth and nodes slow per 1,000 throughput units.

    Domain limits (such as the match rate) are the pipelines' own gates, not alerts.

    Args:
        nodes: Node figures as in the run report.
        thresholds: The configured limits.

    Returns:
        One alert per breach, with its kind, node, value, threshold and a readable message.
    """
    alerts = []
    for node in nodes:
        delta = node.peak_delta_mb
        if delta >= thresholds.node_memory_delta_mb:
            alerts.append(Alert(
                kind="node_memory_delta", node=node.name, value=delta,
                threshold=thresholds.node_memory_delta_mb,
                message=f"{node.name}: peak RSS rose {delta:,.0f} MB above its start "
                        f"(limit {thresholds.node_memory_delta_mb:,.0f} MB)",
            ))
        throughput = node.throughput
        limit = thresholds.seconds_per_1k_units
        if throughput is not None and throughput.s_per_1k is not None \
                and throughput.s_per_1k >= limit:
            alerts.append(Alert(
                kind="seconds_per_1k_units", node=node.name, value=throughput.s_per_1k,
                threshold=limit,
                message=f"{node.name}: {throughput.s_per_1k:.2f} s per 1,000 {throughput.unit} "
                        f"(limit {limit:.2f} s)",
            ))
    return alerts
