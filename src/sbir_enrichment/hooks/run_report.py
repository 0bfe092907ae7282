"""The run report: per-node figures, totals, bottlenecks and alerts, as JSON and Markdown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPORT_JSON = "run_report.json"
REPORT_MD = "run_report.md"
SCHEMA_VERSION = 1


def bottlenecks(nodes: list[dict[str, Any]], memory_delta_mb: float,
                top: int = 3) -> dict[str, list[dict[str, Any]]]:
    """The nodes taking most time (share of all node time) and memory (share of the run's rise).

    Args:
        nodes: Node figures as in the run report.
        memory_delta_mb: The run's peak RSS less its RSS at start.
        top: How many nodes to name per resource.

    Returns:
        ``{"time": [...], "memory": [...]}``, each entry with the node name, figure and share.
    """
    total_wall = sum(node["wall_s"] for node in nodes)
    by_time = sorted(nodes, key=lambda node: node["wall_s"], reverse=True)[:top]
    by_memory = sorted(nodes, key=lambda node: node["peak_delta_mb"], reverse=True)[:top]
    return {
        "time": [
            {"name": node["name"], "wall_s": node["wall_s"],
             "share": round(node["wall_s"] / total_wall, 3) if total_wall > 0 else None}
            for node in by_time
        ],
        "memory": [
            {"name": node["name"], "peak_delta_mb": node["peak_delta_mb"],
             "share": round(max(node["peak_delta_mb"], 0) / memory_delta_mb, 3)
             if memory_delta_mb > 0 else None}
            for node in by_memory
        ],
    }


def _fmt(value: float | None, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def to_markdown(report: dict[str, Any]) -> str:
    """A short human summary of a run report."""
    totals = report["totals"]
    lines = [
        f"# Run {report['run_id']} ({report['status']})",
        "",
        f"Pipelines: {', '.join(report['pipelines'])} · env `{report['env']}` · "
        f"runner {report['runner']} · commit `{report['git']['commit'] or 'unknown'}`"
        f"{' (dirty)' if report['git']['dirty'] else ''} · parameters "
        f"`{report['parameters_fingerprint']}`",
        "",
        f"**{totals['wall_s']:.2f} s** wall, {totals['cpu_s']:.2f} s CPU, peak RSS "
        f"**{totals['peak_rss_mb']:,.0f} MB** (+{totals['memory_delta_mb']:,.0f} MB over the "
        f"start), awards {_fmt(totals['awards'], ',')}, awards/s "
        f"{_fmt(totals['awards_per_s'], ',.0f')}, match rate "
        f"{_fmt(totals['match_rate'], '.1%')}, precision "
        f"{_fmt((report['accuracy'] or {}).get('precision'), '.3f')}, recall "
        f"{_fmt((report['accuracy'] or {}).get('recall'), '.3f')}.",
        "",
        "| node | wall s | cpu s | load | compute | save | lazy save | rows in | rows out "
        "| peak MB | Δ peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {n['name']} | {n['wall_s']:.3f} | {n['cpu_s']:.3f} | {n['load_s']:.3f} | "
        f"{n['compute_s']:.3f} | {n['save_s']:.3f} | {n['lazy_save_s']:.3f} | "
        f"{n['rows_in']:,} | {n['rows_out']:,} | {n['peak_rss_mb']:,.0f} | "
        f"{n['peak_delta_mb']:,.0f} |"
        for n in report["nodes"]
    ]
    overhead = report["observer_overhead"]
    lines += ["", f"Observer overhead: {overhead['hook_s']:.3f} s in hooks + "
              f"{overhead['sampler_cpu_s']:.3f} s CPU of the RSS sampler = "
              f"{_fmt(overhead['share_of_wall'], '.2%')} of the wall time."]
    spots = report["bottlenecks"]
    lines += ["", "Most time: " + (", ".join(
        f"{b['name']} ({_fmt(b['share'], '.0%')})" for b in spots["time"]) or "–")]
    lines += ["Most memory: " + (", ".join(
        f"{b['name']} (+{b['peak_delta_mb']:,.0f} MB)" for b in spots["memory"]) or "–")]
    lines += ["", "## Alerts", ""]
    lines += [f"- {alert['message']}" for alert in report["alerts"]] or ["None."]
    return "\n".join(lines) + "\n"


def write_report(report: dict[str, Any], directory: Path) -> Path:
    """Write ``run_report.json`` and ``run_report.md`` into ``directory``; returns the JSON path."""
    directory.mkdir(parents=True, exist_ok=True)
    json_path = directory / REPORT_JSON
    json_path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    (directory / REPORT_MD).write_text(to_markdown(report))
    return json_path
