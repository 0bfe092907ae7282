"""How much memory a run may use: a configured budget, or what the machine or container allows.

The limit of a container is its cgroup's (v2 ``memory.max``, v1 ``memory.limit_in_bytes``, the
smallest along the path from the process's cgroup to the root); the machine's is the memory
available now plus what this process already holds. The budget is the smaller of the two.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import psutil

logger = logging.getLogger(__name__)

_MB = 1024 * 1024
# Log-record attributes a run observer collects: the budget a step works within, and each
# change of plan a budget forced.
MEMORY_BUDGET = "memory_budget"
MEMORY_ADAPTATION = "memory_adaptation"
_UNLIMITED = 1 << 60  # cgroup v1 writes "no limit" as a page-rounded 2**63 - 1


@dataclass(frozen=True)
class MemoryBudget:
    """A memory budget in MB and where it came from (``parameter``, ``cgroup``, ``available``)."""

    mb: float
    source: str
    detail: str

    def describe(self) -> str:
        """One line for the log and the reports."""
        return f"{self.mb:,.0f} MB ({self.source}: {self.detail})"


def _mount_points(mountinfo: str) -> dict[str, Path]:
    """Mount point of the cgroup v2 hierarchy (key ``""``) and of each v1 controller."""
    mounts: dict[str, Path] = {}
    for line in mountinfo.splitlines():
        fields = line.split()
        if " - " not in line:
            continue
        kind, _, options = line.split(" - ", 1)[1].split()[:3]
        if kind == "cgroup2":
            mounts.setdefault("", Path(fields[4]))
        elif kind == "cgroup":
            for controller in options.split(","):
                mounts.setdefault(controller, Path(fields[4]))
    return mounts


def cgroup_limit(proc: Path = Path("/proc/self")) -> tuple[int, str] | None:
    """The memory limit of this process's cgroup in bytes and the file it was read from.

    ``None`` when no cgroup sets one (or the files cannot be read: not Linux).
    """
    try:
        groups = (proc / "cgroup").read_text()
        mounts = _mount_points((proc / "mountinfo").read_text())
    except OSError:
        return None
    limits = []
    for line in groups.splitlines():
        _, controllers, path = line.split(":", 2)
        if controllers == "" and "" in mounts:
            root, name = mounts[""], "memory.max"
        elif "memory" in controllers.split(",") and "memory" in mounts:
            root, name = mounts["memory"], "memory.limit_in_bytes"
        else:
            continue
        group = PurePosixPath(path)
        for level in (group, *group.parents):
            limit_file = root / str(level).lstrip("/") / name
            try:
                text = limit_file.read_text().strip()
            except OSError:
                continue
            if text != "max" and int(text) < _UNLIMITED:
                limits.append((int(text), str(limit_file)))
    return min(limits) if limits else None


def detect_budget() -> MemoryBudget:
    """What the machine or container allows this process: the smaller of both."""
    process = psutil.Process()
    available = psutil.virtual_memory().available + process.memory_info().rss
    limit = cgroup_limit()
    if limit is not None and limit[0] < available:
        return MemoryBudget(limit[0] / _MB, "cgroup", limit[1])
    return MemoryBudget(available / _MB, "available",
                        "memory available now plus this process's resident set")


def memory_budget(configured_mb: float | None, parameter: str) -> MemoryBudget:
    """The configured budget, else the detected one; logged once per call."""
    budget = (MemoryBudget(float(configured_mb), "parameter", parameter)
              if configured_mb is not None else detect_budget())
    logger.info("memory budget: %s", budget.describe(),
                extra={MEMORY_BUDGET: {"mb": round(budget.mb, 1), "source": budget.source,
                                       "detail": budget.detail}})
    return budget
