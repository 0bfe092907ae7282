"""Sized runs: generate inputs, time each run in its own process, summarise the repeats.

Every timed run is bracketed by measurements of the reference workload. The run's seconds divided
by the mean of the two reference measurements around it are its *normalised* times: CPU seconds
over reference CPU seconds (``normalised_cpu``, little moved by other processes competing for
the cores) and wall seconds over reference wall seconds (``normalised_time``).

With ``dask_workers``, each repeat is also run under ``--env dask`` on a LocalCluster of each
worker count; those runs are summarised apart (a size's ``dask`` entries), with each worker's
peak RSS (from the run report) and the speed-ups over the sequential run and over one worker.
A Dask run's CPU seconds are the driver process's only.
"""

from __future__ import annotations

import logging
from pathlib import Path
from statistics import median
from typing import Any

from sbir_enrichment.pipelines.benchmark.params import BenchmarkParams
from sbir_enrichment.pipelines.benchmark.reference_workload import ReferenceWorkload, Timing
from sbir_enrichment.pipelines.benchmark.scratch_project import ScratchProject, project_root
from sbir_enrichment.reporting.run_report import RunReport, bottlenecks

logger = logging.getLogger(__name__)

# The configuration environment of the timed runs on a Dask cluster (conf/dask).
DASK_ENV = "dask"

MEDIAN_FIGURES = ("wall_s", "cpu_s", "process_wall_s", "reference_s", "reference_cpu_s",
                  "normalised_time", "normalised_cpu", "peak_rss_mb",
                  "memory_delta_mb", "match_rate", "precision", "recall", "accepted_awards",
                  "observer_overhead_pct")


def run_figures(report: RunReport, report_path: Path, size: int, reference: Timing,
                process_wall_s: float) -> dict[str, Any]:
    """The figures of one timed run, from its run report.

    Args:
        report: The run report of the timed run.
        report_path: Where that report is.
        size: Awards generated for the run.
        reference: Reference-workload wall and CPU seconds measured around the run.
        process_wall_s: Wall seconds of the whole ``kedro run`` process.

    Returns:
        Time (raw and normalised), throughput, memory, match rate and accuracy (from the
        figures the run copied from its accuracy report), node figures (with the Dask tasks
        a node ran, under ``--env dask``).
    """
    totals, figures = report.totals, report.figures
    awards, matched = figures.get("awards"), figures.get("matched")
    return {
        "run_id": report.run_id,
        "report": str(report_path),
        "wall_s": totals.wall_s,
        "cpu_s": totals.cpu_s,
        "process_wall_s": round(process_wall_s, 3),
        "reference_s": round(reference.wall_s, 4),
        "reference_cpu_s": round(reference.cpu_s, 4),
        "normalised_time": round(totals.wall_s / reference.wall_s, 4),
        "normalised_cpu": round(totals.cpu_s / reference.cpu_s, 4),
        "awards_per_s": round(size / totals.wall_s, 1),
        "peak_rss_mb": totals.process_maxrss_mb,
        "memory_delta_mb": totals.memory_delta_mb,
        "match_rate": round(matched / awards, 6) if awards and matched is not None else None,
        "precision": figures.get("precision"),
        "recall": figures.get("recall"),
        "accepted_awards": awards,
        "observer_overhead_pct": round((report.observer_overhead.share_of_wall or 0) * 100, 3),
        "parameters_fingerprint": report.parameters_fingerprint,
        "nodes": [
            {"name": node.name, "wall_s": node.wall_s, "cpu_s": node.cpu_s,
             "peak_delta_mb": node.peak_delta_mb, "peak_rss_mb": node.peak_rss_mb,
             "cluster_tasks": node.cluster_tasks,
             "memray": node.memray.model_dump() if node.memray else None}
            for node in report.nodes
        ],
    }


def _median(values: list[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return round(median(known), 4) if known else None


def summarise_size(size: int, recipients: int, runs: list[dict[str, Any]],
                   top_nodes: int) -> dict[str, Any]:
    """Medians over the repeats of one size, its spread, and its bottleneck nodes.

    Args:
        size: Awards per run.
        recipients: Recipients generated for the size.
        runs: :func:`run_figures` of each repeat.
        top_nodes: Bottleneck nodes to name per resource.

    Returns:
        The size's median figures, min/max wall time, per-node medians and bottlenecks.
    """
    figures: dict[str, Any] = {key: _median([run[key] for run in runs])
                               for key in MEDIAN_FIGURES}
    names = list(dict.fromkeys(node["name"] for run in runs for node in run["nodes"]))
    nodes = [
        {"name": name,
         **{key: _median([node.get(key) for run in runs for node in run["nodes"]
                          if node["name"] == name])
            for key in ("wall_s", "cpu_s", "peak_delta_mb", "peak_rss_mb", "cluster_tasks")}}
        for name in names
    ]
    wall_s = figures["wall_s"]
    return {
        "size": size,
        "recipients": recipients,
        "repeats": len(runs),
        **figures,
        "awards_per_s": round(size / wall_s, 1) if wall_s else None,
        "wall_s_min": min(run["wall_s"] for run in runs),
        "wall_s_max": max(run["wall_s"] for run in runs),
        "parameters_fingerprints": sorted({run["parameters_fingerprint"] for run in runs}),
        "bottlenecks": bottlenecks(nodes, figures["memory_delta_mb"] or 0.0,
                                   top_nodes).model_dump(),
        "nodes": nodes,
        "runs": runs,
    }


def _generated_project(params: BenchmarkParams, name: str, inputs: dict[str, Any]
                       ) -> ScratchProject:
    """The scratch project ``name`` with inputs generated from ``inputs`` (or kept ones)."""
    root = project_root()
    project, generate = ScratchProject.prepare(root, root / params.work_dir / name,
                                               {params.generator_pipeline: inputs})
    if generate:
        logger.info("benchmark: generating %s (%s)", name, inputs)
        project.kedro_run([params.generator_pipeline], inputs, memray=False,
                          timeout_s=params.timeout_s)
        project.mark_inputs({params.generator_pipeline: inputs})
    return project


def measure_yardsticks(params: BenchmarkParams) -> dict[str, dict[str, Any]]:
    """Link each labelled yardstick once with the timed pipelines and read its accuracy.

    Args:
        params: Benchmark parameters (``yardsticks``, ``pipelines``, ``run_params``).

    Returns:
        Per yardstick: its size, precision, recall, F1, matched awards and recall by kind of
        variation, from the accuracy report of its run.
    """
    found = {}
    names = params.generator_params
    for name, yardstick in params.yardsticks.items():
        inputs = {**yardstick.generator, names["awards"]: yardstick.awards,
                  names["recipients"]: yardstick.recipients, names["seed"]: params.seed}
        project = _generated_project(params, f"yardstick_{name}", inputs)
        project.clear_outputs()
        project.kedro_run(params.pipelines, params.run_params, memray=False,
                          timeout_s=params.timeout_s)
        report = project.accuracy_report()
        found[name] = {"awards": yardstick.awards, "recipients": yardstick.recipients,
                       "generator": yardstick.generator,
                       **{key: report.get(key) for key in ("matched", "precision", "recall",
                                                           "f1", "by_variation")}}
        logger.info("benchmark: yardstick %s: precision %s, recall %s", name,
                    report.get("precision"), report.get("recall"))
        if not params.keep_data:
            project.clear_outputs(keep_inputs=False)
    return found


def _speed_ups(base: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """``base``'s median wall time over ``entry``'s: the run's and each node's (by name)."""
    def ratio(slow: float | None, fast: float | None) -> float | None:
        return round(slow / fast, 3) if slow and fast else None

    base_nodes = {node["name"]: node["wall_s"] for node in base["nodes"]}
    return {"run": ratio(base["wall_s"], entry["wall_s"]),
            "nodes": {node["name"]: ratio(base_nodes.get(node["name"]), node["wall_s"])
                      for node in entry["nodes"]}}


def summarise_dask(sequential: dict[str, Any], runs: dict[int, list[dict[str, Any]]],
                   top_nodes: int) -> list[dict[str, Any]]:
    """Per worker count: the medians of its runs, each worker's peak RSS, and its speed-ups.

    Args:
        sequential: :func:`summarise_size` of the size's sequential runs.
        runs: :func:`run_figures` of each repeat on a LocalCluster, by worker count.
        top_nodes: Bottleneck nodes to name per resource.

    Returns:
        Per worker count, the :func:`summarise_size` figures plus ``workers``,
        ``worker_peak_rss_mb`` (each worker's peak, largest first, median over the repeats),
        its largest, and the speed-ups (run and per node) over the sequential run and over one
        worker (``None`` when one worker was not timed).
    """
    entries = []
    for workers, timed in runs.items():
        peaks = [run["worker_peak_rss_mb"] for run in timed]
        worker_peaks = [_median([run[rank] for run in peaks if rank < len(run)])
                        for rank in range(max(map(len, peaks)))]
        entries.append({"workers": workers,
                        **summarise_size(sequential["size"], sequential["recipients"], timed,
                                         top_nodes),
                        "worker_peak_rss_mb": worker_peaks,
                        "worker_peak_rss_mb_max": max(worker_peaks, default=None)})
    one = next((entry for entry in entries if entry["workers"] == 1), None)
    return [{**entry, "speed_up": _speed_ups(sequential, entry),
             "speed_up_vs_one_worker": _speed_ups(one, entry) if one else None}
            for entry in entries]


def _timed_run(project: ScratchProject, params: BenchmarkParams, *, size: int,
               workers: int | None, before: Timing, workload: ReferenceWorkload
               ) -> tuple[dict[str, Any], Timing]:
    """One timed run from clean outputs, sequential (``workers`` ``None``) or on a LocalCluster
    of ``workers``; its :func:`run_figures` and the reference measured after it."""
    run_params = params.run_params
    if workers is not None:
        run_params = {**run_params,
                      "dask": {**run_params.get("dask", {}), "n_workers": workers}}
    project.clear_outputs()
    known = project.run_reports()
    process_wall_s = project.kedro_run(params.pipelines, run_params, memray=params.memray,
                                       timeout_s=params.timeout_s,
                                       memory_limit_mb=params.memory_limit_mb,
                                       conf_env=None if workers is None else DASK_ENV)
    after = workload.measure()
    path, report = project.new_run_report(known)
    around = Timing((before.wall_s + after.wall_s) / 2, (before.cpu_s + after.cpu_s) / 2)
    figures = run_figures(report, path, size, around, process_wall_s)
    if workers is not None:
        peaks = [worker.peak_rss_mb for worker in report.cluster.workers] \
            if report.cluster else []
        figures |= {"workers": workers,
                    "worker_peak_rss_mb": sorted(filter(None, peaks), reverse=True)}
    logger.info("benchmark: %d awards, %s: %.2f s wall, %.2f s CPU (%.2f / %.2f reference "
                "units)", size, "sequential" if workers is None else f"{workers} Dask worker(s)",
                figures["wall_s"], figures["cpu_s"], figures["normalised_time"],
                figures["normalised_cpu"])
    return figures, after


def measure_sizes(params: BenchmarkParams) -> tuple[list[dict[str, Any]], list[Timing]]:
    """Generate each size's inputs once, then time ``repeats`` runs of the pipelines.

    Each repeat runs sequentially, then on a LocalCluster of each ``dask_workers`` count
    (alternating, so that a busy spell of the machine falls on every configuration).

    Args:
        params: Benchmark parameters.

    Returns:
        The per-size summaries (each with its ``dask`` entries) and every reference-workload
        measurement, in order.
    """
    workload = ReferenceWorkload(params.reference)
    workload.measure()  # warm-up: first-call costs are not part of the unit
    references: list[Timing] = []
    summaries = []
    for size in params.sizes:
        recipients = max(1, round(size * params.recipients_per_award))
        names = params.generator_params
        inputs = {names["awards"]: size, names["recipients"]: recipients,
                  names["seed"]: params.seed}
        project = _generated_project(params, f"awards_{size}", inputs)
        runs: dict[int | None, list[dict[str, Any]]] = {
            workers: [] for workers in (None, *params.dask_workers)}
        before = workload.measure()
        references.append(before)
        for _ in range(params.repeats):
            for workers, timed in runs.items():
                figures, before = _timed_run(project, params, size=size, workers=workers,
                                             before=before, workload=workload)
                references.append(before)
                timed.append(figures)
        if not params.keep_data:
            project.clear_outputs(keep_inputs=False)
        sequential = summarise_size(size, recipients, runs.pop(None), params.top_nodes)
        summaries.append({**sequential,
                          "dask": summarise_dask(sequential, runs, params.top_nodes)})
    return summaries, references
