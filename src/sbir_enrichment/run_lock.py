"""One run at a time per data directory: a lock file naming the run that holds it.

Two runs on one ``data/`` break each other: a partitioned save prunes the files it did not
write (the other run's chunks and temporary files), and each rewrites manifests the other
reads. So every ``kedro run`` takes an exclusive lock on ``data/.run.lock`` before its first
node and writes its pid, run id, pipelines, command and start time there; a second run stops at
once with a message naming the first. The lock is an ``flock``, which the kernel drops when its
process dies, so the lock a killed run leaves behind is taken over by the next run (with a
warning naming the dead one). ``RunLock`` is registered in ``settings.HOOKS``; it changes no data.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from kedro.framework.hooks import hook_impl

logger = logging.getLogger(__name__)

LOCK_NAME = ".run.lock"


class RunLockedError(RuntimeError):
    """Another run holds the data directory."""


def _holder(handle: IO[str]) -> dict[str, Any]:
    handle.seek(0)
    try:
        return json.loads(handle.read() or "{}")
    except json.JSONDecodeError:
        return {}


class DataDirectoryLock:
    """An exclusive, non-blocking lock on ``<directory>/.run.lock``."""

    def __init__(self, directory: Path) -> None:
        """Lock ``directory`` (created if missing)."""
        self.directory = directory
        self._handle: IO[str] | None = None

    def acquire(self, run: dict[str, Any]) -> dict[str, Any]:
        """Take the lock for ``run`` (written into the file).

        Returns:
            What the file named before: a run that ended without releasing it (killed), or
            ``{}``.

        Raises:
            RunLockedError: A live process holds the lock; the message names its run.
        """
        self.release()  # a run of this process that stopped before it could release
        self.directory.mkdir(parents=True, exist_ok=True)
        handle = (self.directory / LOCK_NAME).open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle)
            handle.close()
            raise RunLockedError(
                f"Another run is using {self.directory}: pid {holder.get('pid', '?')} (run "
                f"{holder.get('run_id', '?')}, `{holder.get('command', '?')}`, started "
                f"{holder.get('started_at', '?')} on {holder.get('host', '?')}). Two runs on one "
                f"data directory delete each other's files: wait for it to finish (or stop it), "
                f"then run again.") from None
        previous = _holder(handle)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(run))
        handle.flush()
        self._handle = handle
        return previous

    def release(self) -> None:
        """Empty the lock file and release the lock (the file stays: see ``acquire``)."""
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()


def _command() -> str:
    """This process's command line, with the path of the kedro CLI shortened to ``kedro``."""
    program = Path(sys.argv[0])
    if program.name == "kedro" or program.parent.name == "kedro":  # the script, python -m kedro
        return " ".join(["kedro", *sys.argv[1:]])
    return " ".join(sys.argv)


class RunLock:
    """Kedro hooks holding the project's ``data/`` lock from the start to the end of a run."""

    def __init__(self) -> None:
        """No run holds a lock yet."""
        self._held: dict[str, DataDirectoryLock] = {}  # by project path

    @hook_impl(tryfirst=True)
    def before_pipeline_run(self, run_params: dict[str, Any]) -> None:
        """Take the lock before any other hook or node runs, or stop the run naming the holder."""
        project = run_params["project_path"]
        lock = self._held.pop(project, None) or DataDirectoryLock(Path(project) / "data")
        previous = lock.acquire({  # (releasing first a run of this process that never ended)
            "pid": os.getpid(),
            "run_id": run_params.get("run_id"),
            "pipelines": run_params.get("pipeline_names") or ["__default__"],
            "command": _command(),
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "host": platform.node(),
        })
        self._held[project] = lock
        if previous:
            logger.warning("Took over the run lock of %s from pid %s (run %s), which ended "
                           "without releasing it (killed?); its unfinished outputs are not "
                           "trusted: they are checked or recomputed", lock.directory,
                           previous.get("pid"), previous.get("run_id"))

    @hook_impl(trylast=True)
    def after_pipeline_run(self, run_params: dict[str, Any]) -> None:
        """Release the lock after every other hook (the run report is written inside it)."""
        self._release(run_params)

    @hook_impl(trylast=True)
    def on_pipeline_error(self, run_params: dict[str, Any]) -> None:
        """Release the lock of a failed run."""
        self._release(run_params)

    def _release(self, run_params: dict[str, Any]) -> None:
        lock = self._held.pop(run_params["project_path"], None)
        if lock is not None:
            lock.release()
