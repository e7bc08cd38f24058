"""Answer mode: ``VerifierReward``, the TRL reward function that scores each completion by a sandboxed
trial (isolation=trial, through ``arena.batch.run_batch``) or by its GRPO group's shared sandbox
(isolation=group, :mod:`arena.train.rewards.group`)."""

from __future__ import annotations

import functools
import time
from collections import defaultdict

from arena.agents.base import TextAgent
from arena.runfolder import TrialResult
from arena.train.rewards.group import score_group
from arena.train.rewards.rollouts import (
    RewardStats,
    RolloutLog,
    _row,
    completion_text,
    log_batch,
    reward_of,
    with_verifier_timeout,
)


class VerifierReward:
    """TRL reward function (answer mode): one sandboxed trial per completion, in parallel."""

    __name__ = "verifier"

    def __init__(self, tasks, runtime, *, workers: int = 2, timeout: float = 30.0, retries: int = 1,
                 rollouts: RolloutLog | None = None, num_generations: int = 1, executor=None,
                 isolation: str = "trial"):  # fmt: skip
        from arena.executors import LocalPool

        if isolation not in ("trial", "group"):
            raise ValueError(f"isolation must be trial or group, got {isolation!r}")
        self.isolation = isolation
        self.timeout = timeout
        self.tasks = {t.id: with_verifier_timeout(t, timeout) for t in tasks}
        self.runtime = runtime
        self.retries = retries
        self.pool = executor or LocalPool(workers)
        self.rollouts = rollouts
        self.num_generations = num_generations
        self.stats = RewardStats()
        self._batch = 0

    def _score_groups(self, task_ids, texts, agent_name) -> list[TrialResult | None]:
        """isolation=group: the answers to one task share a fresh sandbox, one verifier run each."""
        groups: dict[str, list[int]] = defaultdict(list)
        for i, tid in enumerate(task_ids):
            if tid in self.tasks:
                groups[tid].append(i)
        results: list[TrialResult | None] = [None] * len(texts)
        items = [(self.tasks[tid], idx, [texts[i] for i in idx]) for tid, idx in groups.items()]
        one = functools.partial(score_group, runtime=self.runtime, retries=self.retries, timeout=self.timeout,
                                agent_name=agent_name)  # fmt: skip

        def failed(item, exc):
            return item[1], [None] * len(item[1])

        for idx, got in self.pool.map_unordered(one, items, on_error=failed):
            for i, r in zip(idx, got):
                results[i] = r
        return results

    def score(self, task_ids: list[str], texts: list[str], step: int = 0) -> tuple[list[float | None], list]:
        from arena.batch import TrialSpec, run_batch

        self._batch += 1
        if self.isolation == "group":
            err = None
            try:
                results = self._score_groups(task_ids, texts, f"grpo-{step}-{self._batch}")
            except Exception as exc:  # noqa: BLE001 - masked and counted, never stops training
                results, err = [None] * len(texts), f"{type(exc).__name__}: {exc}"
            return self._finish(task_ids, texts, results, step, err)
        agent_names = f"grpo-{step}-{self._batch}"
        specs, index = [], {}
        for i, (tid, text) in enumerate(zip(task_ids, texts)):
            task = self.tasks.get(tid)
            if task is None:
                continue
            spec = TrialSpec(task, TextAgent(text, agent_names), i)
            specs.append(spec)
            index[spec.key] = i
        results: list[TrialResult | None] = [None] * len(texts)
        try:
            for res in run_batch(specs, self.runtime, workers=1, executor=self.pool, retries=self.retries, progress=False):
                results[index[res.trial_key]] = res
        except Exception as exc:  # noqa: BLE001 - a harness failure masks the batch (counted), never stops training
            err = f"{type(exc).__name__}: {exc}"
        else:
            err = None
        return self._finish(task_ids, texts, results, step, err)

    def _finish(self, task_ids, texts, results, step, err):
        rewards = [reward_of(r) if r is not None else None for r in results]
        if self.rollouts is not None:
            rows = []
            for i, (tid, text) in enumerate(zip(task_ids, texts)):
                task = self.tasks.get(tid)
                if task is None:
                    continue
                res = results[i]
                rows.append(_row(step, task, i, text, res, rewards[i],
                                 reason=None if res else (err or "no trial result")))  # fmt: skip
            self.rollouts.add(rows)
        return rewards, results

    def __call__(self, prompts=None, completions=None, task_id=None, trainer_state=None, log_metric=None, **kwargs):
        t0 = time.perf_counter()
        texts = [completion_text(c) for c in completions]
        step = int(getattr(trainer_state, "global_step", 0) or 0)
        ids = list(task_id or [])
        rewards, results = self.score(ids, texts, step)
        self.stats.calls += 1
        self.stats.seconds += time.perf_counter() - t0
        known = [(self.tasks[i], r) for i, r in zip(ids, rewards) if i in self.tasks]
        log_batch(self.stats, known, [r for i, r in zip(ids, results) if i in self.tasks], self.num_generations, log_metric)
        unknown = [i for i in ids if i not in self.tasks]
        if unknown:
            self.stats.masked["unknown_task"] += len(unknown)
        return rewards
