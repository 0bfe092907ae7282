"""Alerts fire at their limits and not below them."""

from __future__ import annotations

from sbir_enrichment.hooks.alerts import evaluate_alerts
from sbir_enrichment.hooks.config import AlertThresholds

LIMITS = AlertThresholds(node_memory_delta_mb=500, seconds_per_1k_awards=2.0, min_match_rate=0.7)


def _node(peak_delta_mb: float, s_per_1k_awards: float | None = None) -> dict:
    return {"name": "n", "peak_delta_mb": peak_delta_mb, "s_per_1k_awards": s_per_1k_awards}


def _kinds(alerts: list[dict]) -> list[str]:
    return [alert["kind"] for alert in alerts]


def test_memory_delta_alert_fires_at_the_limit_and_not_below() -> None:
    assert _kinds(evaluate_alerts([_node(500.0)], None, LIMITS)) == ["node_memory_delta"]
    assert _kinds(evaluate_alerts([_node(499.9)], None, LIMITS)) == []


def test_seconds_per_1k_awards_alert_fires_at_the_limit_and_not_below() -> None:
    assert _kinds(evaluate_alerts([_node(0, 2.0)], None, LIMITS)) == ["seconds_per_1k_awards"]
    assert _kinds(evaluate_alerts([_node(0, 1.999)], None, LIMITS)) == []
    assert _kinds(evaluate_alerts([_node(0, None)], None, LIMITS)) == []


def test_match_rate_alert_fires_below_the_minimum_only() -> None:
    alerts = evaluate_alerts([], 0.699, LIMITS)
    assert _kinds(alerts) == ["match_rate"]
    assert alerts[0]["value"] == 0.699 and alerts[0]["threshold"] == 0.7
    assert evaluate_alerts([], 0.7, LIMITS) == []
    assert evaluate_alerts([], None, LIMITS) == []


def test_each_breach_is_one_alert_naming_its_node() -> None:
    nodes = [{"name": "a", "peak_delta_mb": 900, "s_per_1k_awards": 5.0},
             {"name": "b", "peak_delta_mb": 10, "s_per_1k_awards": 0.1}]
    alerts = evaluate_alerts(nodes, 0.5, LIMITS)
    assert [(a["kind"], a["node"]) for a in alerts] == [
        ("node_memory_delta", "a"), ("seconds_per_1k_awards", "a"), ("match_rate", None)]
