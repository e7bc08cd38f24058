"""Verifier-backed GRPO rewards: every completion is scored by a real trial in the sandbox.

``VerifierReward`` (answer mode) is a TRL reward function: for each completion it runs a trial
(``TextAgent`` writes the completion to the task's answer file, then the task's verifier runs) in
parallel across ``workers`` through ``arena.batch.run_batch`` (infrastructure failures retried).
``SandboxToolEnv`` (tool mode) is a TRL ``environment_factory`` environment: ``reset`` starts the
task's sandbox, its ``bash`` tool runs the model's commands there, and ``tool_reward`` ends the
episode by running the verifier in that same sandbox.

``reward.isolation`` chooses how answer-mode completions meet their verifier: ``trial`` (default)
runs each one as a full trial in its own fresh sandbox; ``group`` scores the completions of one
GRPO group in one fresh sandbox, one verifier run per completion with /logs/verifier emptied and
the answer file replaced in between (the agent runs no code in answer mode, so nothing of one
completion can reach the next but the verifier's own leftovers).  ``bench/bench_rewards.py``
measures both against the bare verifier scripts.

A completion the verifier could not judge (verifier crash, timeout, no or garbage reward file) or
that the infrastructure could not run returns ``None``: TRL 1.16 marks such a row unscorable
(NaN reward, excluded from the group baseline, advantage 0).  It is never scored 0, never crashes
training, and is counted (``masked/<kind>``) and kept in ``rollouts.parquet`` with its status.

Logged per batch (TensorBoard, through TRL's ``log_metric``): ``reward/<domain>`` means, the
share of zero-variance groups, the masked share and counts per kind, reward seconds.
"""

from __future__ import annotations

import functools
import json
import math
import os
import queue
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

from arena import harbor
from arena.agents.base import Agent, AgentOutcome, TextAgent
from arena.runfolder import TrialResult, counts
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
        out = []
        for line in self.journal.read_bytes().split(b"\n"):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except ValueError:
                    continue  # a line torn by a kill
        return out

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


GROUP_DIR = "/tmp/.arena-group"


_GROUP_DRIVER = r"""
import os, shutil, subprocess, sys, threading
g, answer, n, t = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
os.makedirs(os.path.dirname(answer) or "/", exist_ok=True)
for k in range(n):
    shutil.rmtree("/logs/verifier", ignore_errors=True)
    os.makedirs("/logs/verifier")
    shutil.copyfile(f"{g}/{k}.answer", answer)
    with open(f"{g}/{k}.out", "wb") as out, open(f"{g}/{k}.err", "wb") as err:
        p = subprocess.Popen(["bash", "/verifier/test.sh"], stdout=out, stderr=err, start_new_session=True)
        fired = []
        def kill(p=p, fired=fired):  # a timer, not wait(timeout=), which polls with sleeps of up to 50 ms
            fired.append(1)
            try:
                os.killpg(p.pid, 9)
            except OSError:
                pass
        timer = threading.Timer(t, kill)
        timer.start()
        rc = p.wait()
        timer.cancel()
        rc = 124 if fired else rc
    for f in ("reward.txt", "reward.json"):
        if os.path.isfile(f"/logs/verifier/{f}"):
            shutil.copyfile(f"/logs/verifier/{f}", f"{g}/{k}.{f}")
    with open(f"{g}/{k}.rc", "w") as fh:
        fh.write(str(rc))
    try:
        os.remove(answer)
    except OSError:
        pass
"""


def _group_script(answer_file: str, n: int, timeout: float) -> str:
    """One sandbox command that scores n staged answers in turn (a small Python driver: few forks)."""
    import shlex

    return (f"python3 -S -c {shlex.quote(_GROUP_DRIVER)} {GROUP_DIR} {shlex.quote(answer_file)} {n} "
            f"{max(1.0, float(timeout))}")  # fmt: skip


def group_trial(task, texts: list[str], runtime, prepared, *, agent_name: str, timeout: float) -> list[TrialResult]:
    """Score several answers to one task in one fresh sandbox, one verifier run per answer.

    The answer-mode agent executes nothing (it only writes the answer file), so the answers of
    one GRPO group can share a sandbox: each answer is copied in turn to the answer file, the
    verifier runs on it (with its own timeout) after /logs/verifier is emptied, and its reward
    files are read back.  Saves the sandbox start/exec overhead per answer (see bench_rewards).
    """
    import shutil
    import tempfile

    from arena.diagnose import tail
    from arena.sandbox.base import SandboxError
    from arena.trial import benchflow_env, oracle_verifier_works
    from arena.verdict import read_verifier, settle

    base = dict(task_id=task.id, agent=agent_name, task_digest=task.digest, domain=task.domain,
                family=task.spec.metadata.family, runtime=runtime.name)  # fmt: skip
    results = [TrialResult(sample=k, **base) for k in range(len(texts))]
    scratch = Path(tempfile.mkdtemp(prefix="arena-group-"))
    sandbox = None
    t0 = time.perf_counter()
    try:
        try:
            sandbox = runtime.start(task, prepared, trial_dir=scratch)
            for k, text in enumerate(texts):
                sandbox.write_file(f"{GROUP_DIR}/{k}.answer", text.encode("utf-8"))
            sandbox.harden(fresh=False)  # only the harness wrote files: nothing to isolate from
            env = benchflow_env(task, prepared.workdir, verifier_tools=prepared.verifier_tools)
            script = _group_script(task.spec.agent.answer_file, len(texts), timeout)
            r = sandbox.exec(script, timeout=(timeout + 5) * len(texts) + 10, env=env,
                             mounts=harbor.mount_points(task, "verifier"))  # fmt: skip
        except SandboxError as exc:
            for res in results:
                res.status, res.failure_kind, res.reason = "infra_error", "sandbox_start", str(exc)
            return results
        per = (time.perf_counter() - t0) / max(1, len(texts))
        for k, res in enumerate(results):
            res.total_sec = res.verifier_sec = per
            rc_raw = sandbox.read_file(f"{GROUP_DIR}/{k}.rc", limit=64)
            if rc_raw is None:
                res.status, res.failure_kind = "infra_error", "group_exec"
                res.reason = "the group command ended before this answer was scored" + (
                    " (timed out)" if r.timed_out else f": {tail(r.stderr)}")
                continue
            rc = int(rc_raw.decode().strip() or 0)
            res.side_info["verifier_exit_code"] = rc
            out = (sandbox.read_file(f"{GROUP_DIR}/{k}.out", limit=1 << 16) or b"").decode("utf-8", "replace")
            err = (sandbox.read_file(f"{GROUP_DIR}/{k}.err", limit=1 << 16) or b"").decode("utf-8", "replace")
            outcome = read_verifier(timed_out=rc in (124, 137), timeout_sec=timeout, stdout=out, stderr=err,
                                    reward_txt=sandbox.read_file(f"{GROUP_DIR}/{k}.reward.txt", limit=4096),
                                    reward_json=sandbox.read_file(f"{GROUP_DIR}/{k}.reward.json", limit=1 << 20),
                                    reward_key=task.spec.verifier.reward_key)  # fmt: skip
            settle(res, outcome, oracle_verifier_works=lambda: oracle_verifier_works(task, runtime, prepared))
        return results
    finally:
        # tear down in the background: closing waits for the sandbox's processes to be gone (polling)
        # and removes its files, which the next group need not wait for
        def cleanup(sb=sandbox):
            if sb is not None:
                try:
                    sb.close()
                except Exception:  # noqa: BLE001 - cleanup trouble never fails the rewards
                    pass
            shutil.rmtree(scratch, ignore_errors=True)

        threading.Thread(target=cleanup, name="arena-group-cleanup").start()


def score_group(item, *, runtime, retries: int, timeout: float, agent_name: str):
    """isolation=group, one task: ``item`` is (task, sample indexes, answers); returns (indexes,
    results).  Prepares through the batch prepare cache and retries infrastructure failures.
    Module-level and picklable, so a distributed executor can ship it to its workers."""
    from arena.batch import _cache_for
    from arena.sandbox.base import SandboxError

    task, idx, texts = item
    for _attempt in range(retries + 1):
        try:
            prepared = _cache_for(runtime).get(task)
        except SandboxError as exc:
            return idx, [TrialResult(task_id=task.id, agent=agent_name, sample=i, status="infra_error",
                                     failure_kind="build", reason=str(exc)) for i in idx]  # fmt: skip
        got = group_trial(task, texts, runtime, prepared, agent_name=agent_name,
                          timeout=min(timeout, task.spec.verifier.timeout_sec))  # fmt: skip
        if not any(r.status == "infra_error" for r in got):
            break
    for r, i in zip(got, idx):
        r.sample = i
    return idx, got


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


# ----------------------------------------------------------------------------- tool mode


class _LiveAgent(Agent):
    """An agent driven from outside: bash commands arrive on a queue while the trial holds the sandbox."""

    name = "grpo-tools"

    def __init__(self, tool_timeout: float, max_output: int):
        self.inbox: queue.Queue = queue.Queue()
        self.outbox: queue.Queue = queue.Queue()
        self.tool_timeout, self.max_output = tool_timeout, max_output
        self.calls: list[dict] = []

    def run(self, sandbox, task, *, timeout, env):
        from arena.agents.model import format_tool_result

        deadline = time.monotonic() + timeout
        while True:
            try:
                cmd = self.inbox.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                return AgentOutcome(timed_out=True, info={"tool_calls": self.calls})
            if cmd is None:
                return AgentOutcome(info={"tool_calls": self.calls})
            r = sandbox.exec(cmd, timeout=min(self.tool_timeout, max(1.0, deadline - time.monotonic())), env=env)
            text = format_tool_result(r.exit_code, r.stdout, r.stderr, r.timed_out, self.max_output)
            self.calls.append({"command": cmd[:2000], "exit": r.exit_code, "timed_out": r.timed_out})
            self.outbox.put(("result", text))


class SandboxToolEnv:
    """TRL environment (tool mode): one task's live sandbox per episode; the model's tool is ``bash``.

    ``reset(task_id=...)`` starts a trial whose agent phase waits for tool calls; ``bash`` runs a
    command there; ``_finish`` ends the agent phase, runs the verifier and returns the trial result.
    """

    tasks: dict = {}
    runtime = None
    tool_timeout: float = 20.0
    max_output: int = 2000

    def __init__(self):
        self._agent: _LiveAgent | None = None
        self._thread: threading.Thread | None = None
        self._result: TrialResult | None = None
        self._task = None

    def reset(self, **kwargs) -> str | None:
        self._finish()
        from arena.trial import run_trial

        task = self.tasks.get(kwargs.get("task_id"))
        self._task, self._result = task, None
        if task is None:
            return None
        self._agent = agent = _LiveAgent(self.tool_timeout, self.max_output)

        def trial():
            try:
                self._result = run_trial(task, agent, self.runtime)
            except Exception as exc:  # noqa: BLE001
                self._result = TrialResult(task_id=task.id, agent=agent.name, status="infra_error",
                                           failure_kind="harness", reason=f"{type(exc).__name__}: {exc}")  # fmt: skip
            agent.outbox.put(("done", None))

        self._thread = threading.Thread(target=trial, name=f"arena-env-{task.id}", daemon=True)
        self._thread.start()
        return None

    def bash(self, command: str) -> str:
        """Run a bash command in the task environment.

        Args:
            command: The bash command to run.

        Returns:
            The exit code, stdout and stderr of the command.
        """
        if self._agent is None or self._thread is None or not self._thread.is_alive():
            return "error: the environment is not running"
        self._agent.inbox.put(str(command))
        kind, text = self._agent.outbox.get()
        if kind == "done":
            return "error: the environment stopped (time limit)"
        return text

    def _finish(self) -> TrialResult | None:
        if self._thread is None:
            return self._result
        if self._thread.is_alive() and self._agent is not None:
            self._agent.inbox.put(None)
        self._thread.join()
        self._thread = None
        return self._result


def make_tool_env(tasks, runtime, *, timeout: float, tool_timeout: float, max_output: int):
    """An environment class bound to this corpus and runtime (TRL instantiates it per rollout)."""
    bound = type("ArenaSandboxEnv", (SandboxToolEnv,), {
        "tasks": {t.id: with_verifier_timeout(t, timeout) for t in tasks}, "runtime": runtime,
        "tool_timeout": tool_timeout, "max_output": max_output,
    })  # fmt: skip
    return bound


class ToolReward:
    """TRL reward function (tool mode): ends each rollout's episode and reads the verifier's reward."""

    __name__ = "verifier"

    def __init__(self, rollouts: RolloutLog | None = None, num_generations: int = 1):
        self.rollouts = rollouts
        self.num_generations = num_generations
        self.stats = RewardStats()

    def __call__(self, prompts=None, completions=None, environments=None, trainer_state=None, log_metric=None, **kw):
        t0 = time.perf_counter()
        step = int(getattr(trainer_state, "global_step", 0) or 0)
        rewards, results, pairs, rows = [], [], [], []
        for i, (env, comp) in enumerate(zip(environments or [], completions)):
            try:
                res = env._finish()
            except Exception as exc:  # noqa: BLE001
                res = TrialResult(task_id="?", agent="grpo-tools", status="infra_error", failure_kind="harness",
                                  reason=str(exc))  # fmt: skip
            r = reward_of(res) if res is not None else None
            rewards.append(r)
            results.append(res)
            task = env._task
            if task is not None:
                pairs.append((task, r))
                if res is not None and env._agent is not None:
                    res.side_info["tool_calls"] = env._agent.calls
                rows.append(_row(step, task, i, json.dumps(comp, default=str)[:20000], res, r))
        self.stats.calls += 1
        self.stats.seconds += time.perf_counter() - t0
        log_batch(self.stats, pairs, [r for r, e in zip(results, environments or []) if e._task is not None],
                  self.num_generations, log_metric)  # fmt: skip
        if self.rollouts is not None:
            self.rollouts.add(rows)
        return rewards
