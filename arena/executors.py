"""Executors fan out batches of trials.  One interface: ``submit_all(fn, items) -> iterator``.

``LocalPool`` (default) runs trials on threads: a trial mostly waits on sandbox subprocesses or
the Docker API, so threads scale with cores without pickling tasks.  Results come back as they
finish; an exception raised by ``fn`` is handed back as the item's result via ``on_error`` so one
bad trial never stops a batch.  (Ray: see the scale-out issue.)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any


class LocalPool:
    name = "local"

    def __init__(self, workers: int = 0):
        self.workers = workers if workers > 0 else max(1, (os.cpu_count() or 1))

    def map_unordered(
        self,
        fn: Callable[[Any], Any],
        items: Iterable[Any],
        *,
        on_error: Callable[[Any, BaseException], Any],
    ) -> Iterator[Any]:
        items = list(items)
        if self.workers == 1:
            for it in items:
                try:
                    yield fn(it)
                except Exception as exc:  # noqa: BLE001 - turned into data by on_error
                    yield on_error(it, exc)
            return
        with ThreadPoolExecutor(self.workers, thread_name_prefix="arena-trial") as pool:
            pending: dict[Future, Any] = {}
            it = iter(items)
            for item in it:
                pending[pool.submit(fn, item)] = item
                if len(pending) >= self.workers * 2:
                    break
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    item = pending.pop(fut)
                    exc = fut.exception()
                    yield on_error(item, exc) if exc else fut.result()
                    nxt = next(it, None)
                    if nxt is not None:
                        pending[pool.submit(fn, nxt)] = nxt


def get_executor(name: str = "local", workers: int = 0):
    if name == "local":
        return LocalPool(workers)
    raise ValueError(f"unknown executor {name!r} (available: local)")
