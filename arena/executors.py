"""Executors fan out batches of trials.  One interface: ``submit_all(fn, items) -> iterator``.

``LocalPool`` (default) runs trials on threads: a trial mostly waits on sandbox subprocesses or
the Docker API, so threads scale with cores without pickling tasks.  Results come back as they
finish; an exception raised by ``fn`` is handed back as the item's result via ``on_error`` so one
bad trial never stops a batch.  ``RayExecutor`` fans the same function out over a Ray cluster.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from arena.registry import EXECUTORS


class LocalPool:
    name = "local"

    def __init__(self, workers: int = 0, address: str | None = None):  # a local pool has no address
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


def _call(fn, item):
    return fn(item)


class RayExecutor:
    """Fan trials out over a Ray cluster: ``address=None`` starts a local one bound to 127.0.0.1.

    Each task runs ``fn(item)`` in a Ray worker with the sandbox runtime of that worker's node
    (docker images are cached per node by environment digest).  Results stream back as they
    finish; at most ``workers × 2`` trials are in flight.  On several nodes, the run folder must
    be on a filesystem every node sees (per-trial logs are written by the workers).
    """

    name = "ray"

    def __init__(self, workers: int = 0, address: str | None = None, cpus_per_trial: float = 1.0):
        try:
            import ray  # noqa: F401
        except ImportError as exc:
            raise RuntimeError("the ray executor needs Ray: pip install 'arena[ray]'") from exc
        self.workers = workers if workers > 0 else max(1, os.cpu_count() or 1)
        self.address = address
        self.cpus_per_trial = cpus_per_trial

    def _init(self):
        import ray

        if not ray.is_initialized():
            if self.address:
                ray.init(address=self.address, log_to_driver=False, ignore_reinit_error=True)
            else:  # a private local cluster, loopback only
                ray.init(num_cpus=self.workers, include_dashboard=False, log_to_driver=False,
                         ignore_reinit_error=True, _node_ip_address="127.0.0.1")  # fmt: skip
        return ray

    def map_unordered(self, fn, items, *, on_error):
        ray = self._init()
        remote = ray.remote(num_cpus=self.cpus_per_trial, max_retries=0)(_call)
        fn_ref = ray.put(fn)
        it = iter(list(items))
        pending: dict = {}
        for item in it:
            pending[remote.remote(fn_ref, item)] = item
            if len(pending) >= self.workers * 2:
                break
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                item = pending.pop(ref)
                try:
                    yield ray.get(ref)
                except Exception as exc:  # noqa: BLE001 - a failed task is data (on_error)
                    yield on_error(item, exc)
                nxt = next(it, None)
                if nxt is not None:
                    pending[remote.remote(fn_ref, nxt)] = nxt

    @staticmethod
    def shutdown() -> None:
        import ray

        if ray.is_initialized():
            ray.shutdown()


def get_executor(name: str = "local", workers: int = 0, address: str | None = None):
    return EXECUTORS.load(name)(workers, address)
