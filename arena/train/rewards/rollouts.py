"""What GRPO sees of a trial (its reward, or None: masked) and what is recorded of every rollout: the
rollout log (``rollouts.jsonl`` → ``rollouts.parquet``), the counters and the per-batch metrics
shared by answer mode and tool mode."""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

from arena.runfolder import TrialResult, counts, json_lines
from arena.verdict import AGENT_BROKE_VERIFIER


def completion_text(completion) -> str:
    """The assistant text of a TRL completion (a string, or a list of chat messages)."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list):
        parts = [m.get("content") or "" for m in completion if isinstance(m, dict) and m.get("role") == "assistant"]
        return "".join(p if isinstance(p, str) else "" for p in parts)
    return str(completion)


def with_verifier_timeout(task, timeout: float):
    """The task with its verifier timeout capped at ``timeout`` (the lower one wins)."""
    from arena.task import Task

    if task.spec.verifier.timeout_sec <= timeout:
        return task
    ver = task.spec.verifier.model_copy(update={"timeout_sec": timeout})
    return Task(task.paths, task.spec.model_copy(update={"verifier": ver}), task.findings)


def reward_of(result: TrialResult) -> float | None:
    """The reward GRPO sees: the verifier's reward, or None (masked) when it could not judge."""
    if not counts(result.status, result.reward):
        return None
    r = float(result.reward)
    return r if math.isfinite(r) else None


def mask_kind(result: TrialResult) -> str:
    return result.failure_kind or result.status


class RolloutLog:
    """Every rollout as a row: appended to ``rollouts.jsonl`` per batch, consolidated to parquet."""

    COLUMNS = ("attempt", "step", "task_id", "domain", "family", "sample", "completion", "reward", "status",
               "failure_kind", "reason", "side_info", "verifier_sec", "total_sec", "time")  # fmt: skip

    def __init__(self, out: str | Path, attempt: int = 0, enabled: bool = True):
        self.out = Path(out)
        self.journal = self.out / "rollouts.jsonl"
        self.parquet = self.out / "rollouts.parquet"
        self.attempt = attempt
        self.enabled = enabled
        self._lock = threading.Lock()

    def add(self, rows: list[dict]) -> None:
        if not self.enabled or not rows:
            return
        lines = "".join(json.dumps({"attempt": self.attempt, **r}, default=str) + "\n" for r in rows)
        with self._lock, open(self.journal, "a") as fh:
            fh.write(lines)
            fh.flush()
            os.fsync(fh.fileno())

    def rows(self) -> list[dict]:
        if not self.journal.exists():
            return []
        # a line torn by a kill is skipped
        return [row for _, ok, row in json_lines(self.journal.read_bytes().split(b"\n")) if ok]

    def flush(self) -> Path:
        import pandas as pd

        df = pd.DataFrame(self.rows(), columns=list(self.COLUMNS))
        df = df.astype({"reward": "float64"})
        tmp = self.parquet.with_suffix(".parquet.tmp")
        df.to_parquet(tmp, index=False)
        os.replace(tmp, self.parquet)
        return self.parquet


def _row(step, task, sample, completion, res: TrialResult | None, reward, status=None, reason=None) -> dict:
    return {
        "step": step, "task_id": task.id, "domain": task.domain or "unknown", "family": task.spec.metadata.family,
        "sample": sample, "completion": completion, "reward": reward,
        "status": status or (res.status if res else "infra_error"),
        "failure_kind": res.failure_kind if res else "harness",
        "reason": reason if reason is not None else (res.reason if res else None),
        "side_info": json.dumps(res.side_info if res else {}, default=str, sort_keys=True),
        "verifier_sec": res.verifier_sec if res else 0.0, "total_sec": res.total_sec if res else 0.0,
        "time": time.time(),
    }  # fmt: skip


class RewardStats:
    """Counters shared by the reward paths (reported in the model card and the bench)."""

    def __init__(self):
        self.calls = 0
        self.scored = 0
        self.masked: Counter = Counter()
        self.counted_failures: Counter = Counter()  # scored 0 by the verdict rule (agent_broke_verifier, agent_timeout)
        self.seconds = 0.0
        self.zero_var_groups = 0
        self.groups = 0
        self.by_domain: dict[str, list[float]] = defaultdict(list)

    def to_dict(self) -> dict:
        total = self.scored + sum(self.masked.values())
        return {
            "rollouts": total,
            "scored": self.scored,
            "masked": sum(self.masked.values()),
            "masked_by_kind": dict(self.masked),
            "counted_failures_by_kind": dict(self.counted_failures),
            "reward_seconds": round(self.seconds, 3),
            "rewards_per_second": round(total / self.seconds, 2) if self.seconds else None,
            "zero_variance_group_share": round(self.zero_var_groups / self.groups, 4) if self.groups else None,
            "mean_reward_by_domain": {d: round(sum(v) / len(v), 4) for d, v in sorted(self.by_domain.items()) if v},
        }


def log_batch(stats: RewardStats, tasks_and_rewards, results, num_generations: int, log_metric=None) -> None:
    """Update counters and log per-domain reward, zero-variance share and masked counts."""
    rewards = [r for _, r in tasks_and_rewards]
    by_dom: dict[str, list[float]] = defaultdict(list)
    for (task, r), res in zip(tasks_and_rewards, results):
        if r is None:
            stats.masked[mask_kind(res) if res is not None else "harness"] += 1
        else:
            stats.scored += 1
            if res is not None and res.failure_kind in (AGENT_BROKE_VERIFIER, "agent_timeout"):
                stats.counted_failures[res.failure_kind] += 1
            by_dom[task.domain or "unknown"].append(r)
            stats.by_domain[task.domain or "unknown"].append(r)
    groups = zero = 0
    g = max(1, num_generations)
    for i in range(0, len(rewards) - g + 1, g):
        vals = [r for r in rewards[i : i + g] if r is not None]
        if len(vals) < 1:
            continue
        groups += 1
        zero += int(max(vals) - min(vals) < 1e-9)
    stats.groups += groups
    stats.zero_var_groups += zero
    if log_metric is None:
        return
    masked = sum(r is None for r in rewards)
    log_metric("arena/masked_share", masked / max(1, len(rewards)))
    log_metric("arena/masked_count", float(masked))
    log_metric("arena/agent_broke_verifier_count",
               float(sum(res is not None and res.failure_kind == AGENT_BROKE_VERIFIER for res in results)))
    if groups:
        log_metric("arena/zero_variance_group_share", zero / groups)
    for d, vals in by_dom.items():
        log_metric(f"arena/reward/{d}", sum(vals) / len(vals))
