"""The showcase on its host: thread priorities, OpenMP waiting, stderr of child processes, CPU
time and load, library warnings, and which library errors stop a stage."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from concurrent.futures import Future
from pathlib import Path

from arena.showcase.plan import ShowcaseError


@contextlib.contextmanager
def quiet_libraries():
    """transformers/TRL deprecation chatter (one per trainer) would bury the stage display."""
    import warnings

    with warnings.catch_warnings():
        for mod in ("transformers", "trl", "accelerate", "torch"):
            warnings.filterwarnings("ignore", category=FutureWarning, module=mod)
            warnings.filterwarnings("ignore", category=UserWarning, module=mod)
        yield


@contextlib.contextmanager
def arena_errors():
    """A failing stage surfaces as a ShowcaseError that says which stage and why (resumable)."""
    from arena.engines import EngineError
    from arena.evaluate import EvalError
    from arena.sandbox.base import SandboxError
    from arena.train.pipeline import TrainError
    from arena.train.recipe import RecipeError

    try:
        yield
    except (TrainError, EvalError, EngineError, RecipeError, SandboxError) as exc:
        raise ShowcaseError(
            f"{type(exc).__name__}: {exc}\n(fix the cause, then continue with --resume)"
        ) from exc


@contextlib.contextmanager
def stderr_to(path: Path):
    """Send file descriptor 2 (child processes included: notebook kernels) to ``path``."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as f:
        os.dup2(f.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


class CountingPool:
    """arena.executors.LocalPool that also ticks a counter per finished trial (the progress display)."""

    def __init__(self, workers: int, tick):
        from arena.executors import LocalPool

        self.inner = LocalPool(workers)
        self.tick = tick

    def map_unordered(self, fn, items, on_error=None):
        for res in self.inner.map_unordered(fn, items, on_error=on_error):
            self.tick()
            yield res

    def __getattr__(self, name):
        return getattr(self.inner, name)


def background_priority() -> None:
    """Lower the calling thread's scheduling priority (nice 10; Linux nice values are per thread).

    The background thread runs the trials (ladder, evaluations, learnability); training on the main
    thread is the critical path.  Threads and processes started from here (the trial pool's workers,
    bubblewrap) inherit the value, so trials fill the CPU that training leaves idle instead of taking
    a share of its cores.  Best effort: where it is not allowed, nothing changes."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


def passive_openmp_wait() -> None:
    """OMP_WAIT_POLICY=PASSIVE (unless the user set it) when torch is not loaded yet: its OpenMP
    threads then sleep instead of spinning while they wait.  The showcase trains while its trials
    run, and a spinning thread stalls its partner whenever a trial takes the other core.  Measured
    on 2 cores (bench/bench_train_beside_trials.py): a 2-thread matmul loop beside sandbox
    launches ran 16.5 iterations/s spinning vs 31.9 passive (alone: 46.5 vs 41.8), and the
    launches ran 1.6x faster.  The thread count, hence the arithmetic and the tables, is the same.
    Process-wide and read once, by OpenMP's start-up: it has no effect once torch is loaded."""
    if "torch" not in sys.modules:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def done_future() -> Future:
    f: Future = Future()
    f.set_result(None)
    return f


def loadavg() -> dict:
    try:
        one, five, fifteen = os.getloadavg()
        return {"1m": round(one, 2), "5m": round(five, 2), "15m": round(fifteen, 2)}
    except OSError:  # pragma: no cover - platforms without getloadavg
        return {}


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its waited-for children (sandboxes, kernels)."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
