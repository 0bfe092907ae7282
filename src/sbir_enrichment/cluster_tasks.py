"""Tasks on the run's Dask cluster, a bounded window of them running ahead of the driver.

Used by the nodes that run their heavy work on the cluster (``kedro run --env dask``): the
enrichment's chunks (``pipelines/enrichment/on_cluster.py``) and the ingestion's recipient
staging (``pipelines/ingestion/on_cluster.py``). Importing it loads ``distributed``, so only
those modules do, and only under the ``dask`` environment.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import dask
from distributed import Future, get_client, get_worker

from sbir_enrichment.memory.usage import MB

logger = logging.getLogger(__name__)

# Tasks in flight per worker thread: one running, one waiting to start when it ends.
_TASKS_PER_THREAD = 2
# What this worker process keeps between tasks: per purpose, the key it was built for and it.
_held: dict[str, tuple[str, Any]] = {}
_held_lock = threading.Lock()
T = TypeVar("T")

Task = tuple[str, Callable[..., Any], tuple[Any, ...]]
"""A task: its Dask key (unique in the cluster), its function and the function's arguments."""


class TaskWindow:
    """Tasks on the default client, by name; ``size`` of them is what to keep in flight.

    The window holds the tasks started and not yet taken: two per worker thread of the
    cluster keep each thread busy (one running, one waiting to start when it ends).
    """

    def __init__(self) -> None:
        """A window on the default client (the run's, opened by ``hooks.dask_client``)."""
        self.client = get_client()
        self.size = _TASKS_PER_THREAD * max(sum(self.client.nthreads().values()), 1)
        self._running: dict[str, Future] = {}

    def __contains__(self, name: str) -> bool:
        return name in self._running

    def __len__(self) -> int:
        return len(self._running)

    def add(self, name: str, future: Future) -> None:
        """A task the caller started (of several linked tasks, the last one)."""
        self._running[name] = future

    def submit(self, key: str, function: Callable[..., Any], *args: Any) -> None:
        """Start ``function(*args)`` on the cluster as the task ``key`` (also its name).

        The arguments travel with the task, so a task lost with its worker runs again on
        another; they may be data (a chunk of a source only the driver reads): Dask's warning
        about large task graphs is not raised for them.
        """
        with dask.config.set({"distributed.admin.large-graph-warning-threshold": "1TB"}):
            self.add(key, self.client.submit(function, *args, key=key, pure=False))

    def take(self, name: str) -> Future:
        """The task's future, out of the window (its room can be filled before waiting)."""
        return self._running.pop(name)


def outcome(future: Future) -> Any:
    """The task's result, once it is done; the cluster then forgets it."""
    try:
        return future.result()
    finally:
        future.release()


def in_order(tasks: Iterable[Task]) -> Iterator[Any]:
    """The results of ``tasks``, in their order, while a window of them runs on the cluster.

    A task is read from ``tasks`` only when the window has room (its oldest task taken), so a
    lazy stream of tasks is read at most a window ahead, while the workers compute. A task lost
    with its worker is run again by the scheduler on another.
    """
    window = TaskWindow()
    names: deque[str] = deque()
    stream = iter(tasks)

    def fill() -> None:
        for key, function, args in itertools.islice(stream, window.size - len(window)):
            window.submit(key, function, *args)
            names.append(key)

    fill()
    while names:
        oldest = window.take(names.popleft())
        fill()  # the next task is read and started while the oldest is awaited
        yield outcome(oldest)


def worker_budget_mb(configured_mb: float | None, parameter: str) -> float | None:
    """On a Dask worker: the configured memory budget, else the worker's memory limit (MB).

    ``None`` when neither is set (the budget is then what the machine or container allows).
    """
    limit = get_worker().memory_manager.memory_limit
    if configured_mb is None and limit:
        logger.info("dask worker: its memory limit (%.0f MB) is the budget (%s unset)",
                    limit / MB, parameter)
        return limit / MB
    return configured_mb


def held_by_worker(purpose: str, key: str, build: Callable[[], T]) -> T:
    """This worker process's object for ``purpose``, built by ``build`` for ``key`` on the first
    task that asks and kept for the later ones; one of another key (an earlier run's) is freed
    before the new one is built."""
    with _held_lock:
        held = _held.get(purpose)
        if held is None or held[0] != key:
            _held.pop(purpose, None)
            _held[purpose] = (key, build())
        return _held[purpose][1]
