"""Where a run happened: machine, library versions, code commit and parameters fingerprint."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

import sbir_enrichment

LIBRARIES = ("kedro", "kedro-datasets", "pandas", "pyarrow", "numpy", "rapidfuzz", "pandera",
             "memray")
_CPUINFO = Path("/proc/cpuinfo")


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def cpu_model() -> str:
    """The CPU's marketing name (``/proc/cpuinfo`` on Linux, else ``platform.processor``)."""
    if _CPUINFO.exists():
        for line in _CPUINFO.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """The machine a measurement was taken on, and how busy it was when asked."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (None, None, None)
    return {
        "hostname": platform.node(),
        "cpu_model": cpu_model(),
        "cores_logical": os.cpu_count(),
        "cores_physical": psutil.cpu_count(logical=False),
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "load_average_1m": round(load[0], 2) if load[0] is not None else None,
        "platform": platform.platform(),
    }


def environment() -> dict[str, Any]:
    """Machine, Python and library versions of this process."""
    return {
        "python": platform.python_version(),
        "libraries": {name: _version(name) for name in LIBRARIES},
        "machine": machine(),
    }


def git_commit() -> dict[str, Any]:
    """Commit and dirtiness of the checkout holding the running package's source, if any."""
    source = Path(sbir_enrichment.__file__).resolve().parent

    def git(*args: str) -> str | None:
        try:
            result = subprocess.run(["git", "-C", str(source), *args], capture_output=True,
                                    text=True, timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return result.stdout.strip() if result.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status)}


def fingerprint(values: dict[str, Any]) -> str:
    """A short stable hash of resolved parameter values."""
    canonical = json.dumps(values, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]
