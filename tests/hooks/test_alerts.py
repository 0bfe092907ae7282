"""Alerts fire at their limits and not below them; the hooks raise no domain alert."""

from __future__ import annotations

from sbir_enrichment.hooks.alerts import evaluate_alerts
from sbir_enrichment.hooks.config import AlertThresholds
from sbir_enrichment.reporting.run_report import Alert, NodeFigures, Throughput

LIMITS = AlertThresholds(node_memory_delta_mb=500, seconds_per_1k_units=2.0)


def _node(peak_delta_mb: float, s_per_1k: float | None = None, name: str = "n") -> NodeFigures:
    throughput = None if s_per_1k is None else Throughput(
        unit="awards", count=1000, per_s=1000 / s_per_1k, s_per_1k=s_per_1k)
    return NodeFigures(
        name=name, order=0, started_s=0.0, wall_s=1.0, cpu_s=1.0, load_s=0.0, compute_s=1.0,
        save_s=0.0, lazy_save_s=0.0, rows_in=0, rows_out=0, inputs={}, outputs={},
        rss_start_mb=100.0, rss_end_mb=100.0, peak_rss_mb=100.0 + peak_delta_mb,
        peak_delta_mb=peak_delta_mb, process_maxrss_mb=100.0 + peak_delta_mb,
        throughput=throughput)


def _kinds(alerts: list[Alert]) -> list[str]:
    return [alert.kind for alert in alerts]


def test_memory_delta_alert_fires_at_the_limit_and_not_below() -> None:
    assert _kinds(evaluate_alerts([_node(500.0)], LIMITS)) == ["node_memory_delta"]
    assert _kinds(evaluate_alerts([_node(499.9)], LIMITS)) == []


def test_seconds_per_1k_units_alert_fires_at_the_limit_and_not_below() -> None:
    alerts = evaluate_alerts([_node(0, 2.0)], LIMITS)
    assert _kinds(alerts) == ["seconds_per_1k_units"]
    assert alerts[0].message == "n: 2.00 s per 1,000 awards (limit 2.00 s)"
    assert _kinds(evaluate_alerts([_node(0, 1.999)], LIMITS)) == []
    assert _kinds(evaluate_alerts([_node(0, None)], LIMITS)) == []  # handles no throughput rows


def test_each_breach_is_one_alert_naming_its_node() -> None:
    alerts = evaluate_alerts([_node(900, 5.0, "a"), _node(10, 0.1, "b")], LIMITS)
    assert [(a.kind, a.node) for a in alerts] == [
        ("node_memory_delta", "a"), ("seconds_per_1k_units", "a")]
