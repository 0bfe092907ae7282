"""The memory budget: a configured one, else the cgroup limit or the memory available."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from sbir_enrichment.memory.budget import cgroup_limit, detect_budget, memory_budget
from sbir_enrichment.pipelines.benchmark.memory_limit import limits_available, memory_group

V1_UNLIMITED = "9223372036854771712"


def _proc(tmp_path: Path, cgroup: str, mounts: list[tuple[str, str, str]]) -> Path:
    """A ``/proc/self`` with ``cgroup`` and a ``mountinfo`` of ``(point, type, options)``."""
    proc = tmp_path / "proc"
    proc.mkdir()
    (proc / "cgroup").write_text(cgroup)
    (proc / "mountinfo").write_text("".join(
        f"30 25 0:26 / {point} rw,nosuid - {kind} {kind} rw,{options}\n"
        for point, kind, options in mounts))
    return proc


def test_cgroup_v2_limit_is_the_smallest_on_the_path_to_the_root(tmp_path: Path) -> None:
    root = tmp_path / "cg"
    (root / "jobs" / "run").mkdir(parents=True)
    (root / "jobs" / "run" / "memory.max").write_text("max\n")
    (root / "jobs" / "memory.max").write_text(f"{512 * 1024 * 1024}\n")
    proc = _proc(tmp_path, "0::/jobs/run\n", [(str(root), "cgroup2", "nsdelegate")])
    assert cgroup_limit(proc) == (512 * 1024 * 1024, str(root / "jobs" / "memory.max"))


def test_cgroup_v1_memory_controller_limit(tmp_path: Path) -> None:
    memory = tmp_path / "memory"
    (memory / "box").mkdir(parents=True)
    (memory / "memory.limit_in_bytes").write_text(V1_UNLIMITED)
    (memory / "box" / "memory.limit_in_bytes").write_text("314572800")
    proc = _proc(tmp_path, "5:cpu,cpuacct:/box\n4:memory:/box\n0::/\n",
                 [(str(tmp_path / "cpu"), "cgroup", "cpu,cpuacct"),
                  (str(memory), "cgroup", "memory")])
    assert cgroup_limit(proc) == (314572800, str(memory / "box" / "memory.limit_in_bytes"))


def test_no_limit_when_every_group_is_unlimited(tmp_path: Path) -> None:
    memory = tmp_path / "memory"
    memory.mkdir()
    (memory / "memory.limit_in_bytes").write_text(V1_UNLIMITED)
    proc = _proc(tmp_path, "4:memory:/\n", [(str(memory), "cgroup", "memory")])
    assert cgroup_limit(proc) is None
    assert cgroup_limit(tmp_path / "no-such-proc") is None


def test_configured_budget_wins_and_is_named() -> None:
    budget = memory_budget(640, "enrichment.memory_budget_mb")
    assert (budget.mb, budget.source, budget.detail) == (640, "parameter",
                                                          "enrichment.memory_budget_mb")


def test_detected_budget_is_never_above_the_machine() -> None:
    budget = detect_budget()
    assert 0 < budget.mb <= psutil.virtual_memory().total / 1024**2
    assert budget.source in ("cgroup", "available")


@pytest.mark.skipif(not limits_available(),
                    reason="needs root and the cgroup v1 memory controller")
def test_a_process_in_a_real_cgroup_finds_its_limit() -> None:
    script = ("import json; from sbir_enrichment.memory.budget import detect_budget; "
              "b = detect_budget(); print(json.dumps([b.mb, b.source, b.detail]))")
    with memory_group(300) as group:
        result = subprocess.run(group.wrap([sys.executable, "-c", script]), capture_output=True,
                                text=True, check=True)
    mb, source, detail = json.loads(result.stdout)
    assert (mb, source) == (300, "cgroup")
    assert detail == str(group.path / "memory.limit_in_bytes")


def test_groups_whose_files_cannot_be_read_set_no_limit(tmp_path: Path) -> None:
    proc = _proc(tmp_path, "0::/\n", [(str(tmp_path / "missing"), "cgroup2", "")])
    assert cgroup_limit(proc) is None
