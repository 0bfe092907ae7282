"""A memory limit for a timed run: a fresh cgroup v1 memory group the run's process joins.

Needs root and the cgroup v1 memory controller (``/sys/fs/cgroup/memory``); elsewhere asking
for a limit fails with a message saying so. The group is removed when the run ends.
"""

from __future__ import annotations

import os
import shlex
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MEMORY_ROOT = Path("/sys/fs/cgroup/memory")
_MB = 1024 * 1024


def limits_available() -> bool:
    """Whether this process may create memory cgroups (root, v1 memory controller)."""
    return os.geteuid() == 0 and (MEMORY_ROOT / "memory.limit_in_bytes").exists() \
        and os.access(MEMORY_ROOT, os.W_OK)


class MemoryGroup:
    """A memory cgroup with a limit; commands run inside it through ``wrap``."""

    def __init__(self, limit_mb: int) -> None:
        """Create the group (``RuntimeError`` where groups cannot be created)."""
        if not limits_available():
            raise RuntimeError(f"a memory limit of {limit_mb} MB needs root and the cgroup v1 "
                               f"memory controller ({MEMORY_ROOT}), which this machine does not "
                               f"offer this process")
        self.limit_mb = limit_mb
        self.path = MEMORY_ROOT / f"sbir-{uuid.uuid4().hex[:12]}"
        self.path.mkdir()
        (self.path / "memory.limit_in_bytes").write_text(str(limit_mb * _MB))

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
        """Remove the (by then empty) group."""
        self.path.rmdir()


@contextmanager
def memory_group(limit_mb: int) -> Iterator[MemoryGroup]:
    """A fresh memory cgroup limited to ``limit_mb``, removed afterwards."""
    group = MemoryGroup(limit_mb)
    try:
        yield group
    finally:
        group.remove()
