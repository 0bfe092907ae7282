"""A real cgroup v1 memory limit for tests: a fresh group under ``/sys/fs/cgroup/memory``.

Tests that use it are skipped where cgroups cannot be created (not root, no v1 memory
controller). ``prefix_command`` returns a command that moves itself into the group, then runs.
"""

from __future__ import annotations

import os
import shlex
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

MEMORY_ROOT = Path("/sys/fs/cgroup/memory")
MB = 1024 * 1024


def cgroups_available() -> bool:
    """Whether this process may create memory cgroups (root, v1 memory controller)."""
    return os.geteuid() == 0 and (MEMORY_ROOT / "memory.limit_in_bytes").exists() \
        and os.access(MEMORY_ROOT, os.W_OK)


needs_cgroups = pytest.mark.skipif(not cgroups_available(),
                                   reason="needs root and a writable cgroup v1 memory controller")


class MemoryGroup:
    """A memory cgroup with a limit; commands run inside it through ``wrap``."""

    def __init__(self, limit_mb: int) -> None:
        self.path = MEMORY_ROOT / f"sbir-test-{uuid.uuid4().hex[:12]}"
        self.path.mkdir()
        (self.path / "memory.limit_in_bytes").write_text(str(limit_mb * MB))

    def wrap(self, command: list[str]) -> list[str]:
        """``command`` run by a shell that first moves itself into the group."""
        procs = shlex.quote(str(self.path / "cgroup.procs"))
        return ["sh", "-c", f'echo $$ > {procs} && exec "$@"', "sh", *command]

    def oom_kills(self) -> int:
        """How many processes the kernel killed in this group for want of memory."""
        for line in (self.path / "memory.oom_control").read_text().splitlines():
            if line.startswith("oom_kill "):
                return int(line.split()[1])
        return 0

    def remove(self) -> None:
        self.path.rmdir()


@contextmanager
def memory_group(limit_mb: int) -> Iterator[MemoryGroup]:
    """A fresh memory cgroup limited to ``limit_mb``, removed afterwards."""
    group = MemoryGroup(limit_mb)
    try:
        yield group
    finally:
        group.remove()
