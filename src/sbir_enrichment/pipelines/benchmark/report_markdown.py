"""The benchmark result as a short Markdown summary, sized for a pull-request comment."""

from __future__ import annotations

from typing import Any


def _fmt(value: float | None, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def _change(check: dict[str, Any]) -> str:
    if check["status"] == "NO_BASELINE":
        return "–"
    if "change_pts" in check:
        return f"{check['change_pts']:+.1f} pts {check['status']}"
    return f"{check['change_pct']:+.1f}% {check['status']}"


def machine_line(environment: dict[str, Any]) -> str:
    """``CPU, N cores, M GB (load L)`` of a result's machine."""
    machine = environment["machine"]
    return (f"{machine['cpu_model']}, {machine['cores_logical']} cores, "
            f"{machine['memory_gb']} GB RAM (1-min load {machine['load_average_1m']})")


def render_markdown(results: dict[str, Any]) -> str:
    """A PR-comment-sized summary: status, per-size table, bottlenecks, regression findings."""
    regression = results["regression"]
    git = results["git"]
    commit = (git["commit"] or "unknown")[:10] + (" (dirty)" if git["dirty"] else "")
    reference = results["reference"]
    lines = [
        f"### Benchmark {regression['status']} · commit `{commit}` · parameters "
        f"`{results['parameters_fingerprint']}`",
        "",
        f"Machine: {machine_line(results['environment'])}. Reference workload "
        f"{reference['median_s']:.3f} s wall, {reference['median_cpu_s']:.3f} s CPU "
        f"(median of {len(reference['samples_s'])}).",
        "",
        "| awards | wall s | CPU s | CPU vs baseline | wall vs baseline | awards/s | peak MB "
        "| vs baseline | Δ mem MB | match rate | vs baseline | precision | recall |",
        "|---:|---:|---:|---|---|---:|---:|---|---:|---:|---|---:|---:|",
    ]
    checks = {entry["size"]: {c["metric"]: c for c in entry["checks"]}
              for entry in regression["sizes"]}
    for size in results["sizes"]:
        check = checks[size["size"]]
        lines.append(
            f"| {size['size']:,} | {size['wall_s']:.2f} | {size['cpu_s']:.2f} | "
            f"{_change(check['normalised_cpu'])} | {_change(check['normalised_time'])} | "
            f"{_fmt(size['awards_per_s'], ',.0f')} | {size['peak_rss_mb']:,.0f} | "
            f"{_change(check['peak_rss_mb'])} | {_fmt(size['memory_delta_mb'], ',.0f')} | "
            f"{_fmt(size['match_rate'], '.1%')} | {_change(check['match_rate'])} | "
            f"{_fmt(size['precision'], '.3f')} | {_fmt(size['recall'], '.3f')} |"
        )
    largest = max(results["sizes"], key=lambda size: size["size"])
    spots = largest["bottlenecks"]
    lines += [
        "",
        f"Bottlenecks at {largest['size']:,} awards — time: " + ", ".join(
            f"`{b['name']}` {_fmt(b['share'], '.0%')}" for b in spots["time"])
        + "; memory: " + ", ".join(
            f"`{b['name']}` +{b['peak_delta_mb']:,.0f} MB ({_fmt(b['share'], '.0%')})"
            for b in spots["memory"]) + ".",
        "",
        f"Times are medians of {largest['repeats']} run(s) per size (pipeline only, start-up "
        "excluded); against the baseline they are compared divided by the reference workload "
        "timed beside each run (CPU gates, wall warns). Observer "
        f"overhead at {largest['size']:,} awards: "
        f"{_fmt(largest['observer_overhead_pct'], '.2f')}% of the pipeline time.",
    ]
    baseline = regression["baseline"]
    if results["benchmark_parameters"].get("memray"):
        lines.append("Profiled with memray (per-node profiles beside each run report): times "
                     "are inflated and nothing is compared with the baseline.")
    elif baseline is None:
        lines.append("No stored baseline: nothing compared "
                     "(`kedro run --pipelines benchmark_baseline` stores this result).")
    else:
        base_commit = ((baseline.get("git") or {}).get("commit") or "unknown")[:10]
        where = (f" on {machine_line({'machine': baseline['machine']})}"
                 if baseline.get("machine") else "")
        lines.append(f"Baseline: benchmark {baseline['benchmark_id']} at commit "
                     f"`{base_commit}`{where}.")
    return "\n".join(lines) + "\n"
