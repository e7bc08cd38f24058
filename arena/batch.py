"""Run a batch of trials: resume, prepare each environment once, retry infra failures, record.

Every command that runs trials (run, validate, eval, learnability, GRPO rewards) goes through
``run_batch`` so they share one behaviour: finished trials in the run folder are skipped,
infrastructure failures are retried a bounded number of times (and kept apart from model
failures), every result is journaled as soon as it exists, and a progress bar shows the batch.
"""

from __future__ import annotations

import functools
import sys
import threading
import weakref
from dataclasses import dataclass

from arena.agents.base import Agent
from arena.executors import LocalPool
from arena.runfolder import RunStore, TrialResult, row_to_result, trial_key
from arena.sandbox.base import Prepared, Runtime, SandboxError
from arena.task import Task
from arena.trial import run_trial


@dataclass(frozen=True)
class TrialSpec:
    task: Task
    agent: Agent
    sample: int = 0
    team: str | None = None

    @property
    def key(self) -> str:
        return trial_key(self.task.id, self.agent.name, self.sample)


class _PrepareCache:
    """One ``prepare`` per environment digest, shared by concurrent trials."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self.lock = threading.Lock()
        self.locks: dict[str, threading.Lock] = {}
        self.done: dict[str, Prepared | SandboxError] = {}

    def get(self, task: Task) -> Prepared:
        key = task.env_digest + task.id
        with self.lock:
            lk = self.locks.setdefault(key, threading.Lock())
        with lk:
            if key not in self.done:
                try:
                    self.done[key] = self.runtime.prepare(task)
                except SandboxError as exc:
                    self.done[key] = exc
            got = self.done[key]
        if isinstance(got, SandboxError):
            raise got
        return got


_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def _cache_for(runtime: Runtime) -> _PrepareCache:
    """One prepare cache per runtime object in this process (a Ray worker gets its own)."""
    with _CACHES_LOCK:
        c = _CACHES.get(runtime)
        if c is None:
            c = _CACHES[runtime] = _PrepareCache(runtime)
        return c


def execute_spec(spec: TrialSpec, *, runtime: Runtime, run_root: str | None, retries: int) -> TrialResult:
    """Prepare (cached) and run one trial, retrying infrastructure failures.  Module-level and
    picklable, so a distributed executor can ship it to its workers."""
    from arena.runfolder import RunStore

    cache = _cache_for(runtime)
    res = None
    for _attempt in range(retries + 1):
        log_dir = RunStore.trial_dir_of(run_root, spec.task.id, spec.agent.name, spec.sample) if run_root else None
        try:
            prepared = cache.get(spec.task)
        except SandboxError as exc:
            res = TrialResult(
                task_id=spec.task.id, agent=spec.agent.name, sample=spec.sample, domain=spec.task.domain,
                team=spec.team, task_digest=spec.task.digest, runtime=runtime.name, status="infra_error",
                failure_kind=exc.kind if exc.kind != "infra" else "build", reason=str(exc),
            )  # fmt: skip
            if log_dir and exc.log:
                (log_dir / "build.log").write_text(exc.log)
            break  # a build failure is deterministic: no retry
        res = run_trial(spec.task, spec.agent, runtime, sample=spec.sample, log_dir=log_dir,
                        prepared=prepared, team=spec.team)  # fmt: skip
        if res.status != "infra_error":
            break
        res.side_info["infra_attempts"] = _attempt + 1
    return res


def run_batch(
    specs: list[TrialSpec],
    runtime: Runtime,
    *,
    store: RunStore | None = None,
    workers: int = 1,
    executor=None,
    retries: int = 1,
    progress: bool | str = True,
) -> list[TrialResult]:
    """Run every spec not already finished in ``store``; return all results (old + new)."""
    digests = {s.task.id: s.task.digest for s in specs}
    done = store.done_keys(digests) if store else set()
    todo = [s for s in specs if s.key not in done]
    pool = executor or LocalPool(workers)
    one = functools.partial(execute_spec, runtime=runtime, run_root=str(store.root) if store else None,
                            retries=retries)  # fmt: skip

    def failed(spec: TrialSpec, exc: BaseException) -> TrialResult:
        return TrialResult(
            task_id=spec.task.id, agent=spec.agent.name, sample=spec.sample, domain=spec.task.domain,
            team=spec.team, task_digest=spec.task.digest, runtime=runtime.name, status="infra_error",
            failure_kind="harness", reason=f"{type(exc).__name__}: {exc}",
        )  # fmt: skip

    bar = None
    if progress and todo:
        from tqdm import tqdm

        desc = progress if isinstance(progress, str) else "trials"
        bar = tqdm(total=len(todo), desc=desc, file=sys.stderr, unit="trial", dynamic_ncols=True, leave=False)
    new: list[TrialResult] = []
    try:
        for res in pool.map_unordered(one, todo, on_error=failed):
            if store:
                store.add(res)
            new.append(res)
            if bar:
                bar.update(1)
                bar.set_postfix_str(f"{res.task_id[:24]} {res.status} " + ("no reward" if res.reward is None else f"{res.reward:g}"))
    finally:
        if bar:
            bar.close()
        if store:
            store.flush()
    if store:
        wanted = {s.key for s in specs}
        frame = store.frame()
        return [row_to_result(r) for r in frame.to_dict("records") if r["trial_key"] in wanted]
    return new
