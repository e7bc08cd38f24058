"""Tool mode: ``SandboxToolEnv`` (a TRL ``environment_factory`` environment whose ``bash`` tool runs in
the task's live sandbox) and ``ToolReward`` (ends each episode and reads the verifier's reward)."""

from __future__ import annotations

import json
import queue
import threading
import time

from arena.agents.base import Agent, AgentOutcome
from arena.runfolder import TrialResult
from arena.train.rewards.rollouts import (
    RewardStats,
    RolloutLog,
    _row,
    log_batch,
    reward_of,
    with_verifier_timeout,
)


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
