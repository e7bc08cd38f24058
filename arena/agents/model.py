"""Model agents: a checkpoint or endpoint acting on tasks, scored by the tasks' own verifiers.

Two modes, both through ``arena.engines``:

* **answer** — single turn: the task's prompt in, the completion written to the task's answer
  file (``agent.answer_file``), then the verifier.  ``run_model`` generates every completion of a
  batch in one batched call first, then runs the trials in parallel (``TextAgent`` per completion).
* **tools** — multi-turn: the model gets a ``bash`` tool executed in the task's sandbox, sees
  each command's exit code and output, and stops when it answers without a tool call or after
  ``max_turns``.  The transcript is kept in the trial's side info (``agent.messages``).

Evaluation and the trainer's teacher demonstrations both use these.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from arena.agents.base import Agent, AgentOutcome, TextAgent
from arena.engines import BASH_TOOL, Engine


def format_tool_result(exit_code, stdout: str, stderr: str, timed_out: bool, limit: int = 2000) -> str:
    """What the model sees after a bash call (bounded)."""

    def cut(s: str) -> str:
        return s if len(s) <= limit else s[: limit // 2] + f"\n…[{len(s) - limit} chars cut]…\n" + s[-limit // 2 :]

    head = "exit=timeout" if timed_out else f"exit={exit_code}"
    return f"{head}\nstdout:\n{cut(stdout)}\nstderr:\n{cut(stderr)}"


_NO_TOOL = "error: the only tool is bash(command: str)"


@dataclass
class GenOptions:
    max_new_tokens: int = 64
    temperature: float = 0.0
    seed: int | None = 0
    system_prompt: str | None = None


def task_messages(task, system_prompt: str | None = None) -> list[dict]:
    msgs = [{"role": "system", "content": system_prompt}] if system_prompt else []
    return msgs + [{"role": "user", "content": task.spec.prompt}]


class ModelAgent(Agent):
    """Runs an engine on one task inside the trial's sandbox (answer or tool mode)."""

    def __init__(self, engine: Engine, *, mode: str = "answer", max_turns: int = 8, tool_timeout: float = 20.0,
                 options: GenOptions | None = None, name: str = "model", max_tool_output: int = 2000):  # fmt: skip
        if mode not in ("answer", "tools"):
            raise ValueError(f"mode must be answer or tools, got {mode!r}")
        self.engine, self.mode, self.max_turns, self.tool_timeout = engine, mode, max_turns, tool_timeout
        self.options = options or GenOptions()
        self.name = name
        self.max_tool_output = max_tool_output

    def run(self, sandbox, task, *, timeout, env):
        o = self.options
        if self.mode == "answer":
            c = self.engine.chat([task_messages(task, o.system_prompt)], max_new_tokens=o.max_new_tokens,
                                 temperature=o.temperature, seed=o.seed)[0]  # fmt: skip
            return TextAgent(c.text, self.name).run(sandbox, task, timeout=timeout, env=env)
        return self._tools(sandbox, task, timeout=timeout, env=env)

    def _loop(self, sandbox, messages: list[dict], *, deadline: float, env, tools: bool = True, seed_base: int = 0):
        """The tool loop on ``messages`` (extended in place): (final text, [(fn, args, output)], turns, tokens)."""
        o = self.options
        turns, calls, final, tokens = 0, [], None, 0
        while turns < self.max_turns and time.monotonic() < deadline:
            turns += 1
            seed = None if o.seed is None else o.seed + seed_base + turns
            c = self.engine.chat([messages], tools=[BASH_TOOL] if tools else None, max_new_tokens=o.max_new_tokens,
                                 temperature=o.temperature, seed=seed)[0]  # fmt: skip
            tokens += c.tokens or 0
            messages.append(c.message())
            if not c.tool_calls:
                final = c.text
                break
            for call in c.tool_calls:
                fn = call.get("function", {})
                args = fn.get("arguments") if isinstance(fn.get("arguments"), dict) else {}
                if fn.get("name") != "bash" or not isinstance(args.get("command"), str):
                    text = _NO_TOOL
                    messages.append({"role": "tool", "name": str(fn.get("name")), "content": text})
                    calls.append((str(fn.get("name")), args, text))
                    continue
                left = max(1.0, deadline - time.monotonic())
                r = sandbox.exec(args["command"], timeout=min(self.tool_timeout, left), env=env)
                text = format_tool_result(r.exit_code, r.stdout, r.stderr, r.timed_out, self.max_tool_output)
                messages.append({"role": "tool", "name": "bash", "content": text})
                calls.append(("bash", args, text))
        return final, calls, turns, tokens

    def _tools(self, sandbox, task, *, timeout, env):
        deadline = time.monotonic() + timeout
        messages = task_messages(task, self.options.system_prompt)
        final, calls, turns, _ = self._loop(sandbox, messages, deadline=deadline, env=env)
        path = task.spec.agent.answer_file
        if final and path and sandbox.read_file(path, limit=1) is None:
            sandbox.write_file(path, final.encode("utf-8"))  # a final answer counts when no file was written
        timed_out = time.monotonic() >= deadline
        return AgentOutcome(timed_out=timed_out, info={"mode": "tools", "turns": turns, "tool_calls": sum(c[2] != _NO_TOOL for c in calls),
                                                       "messages": messages})  # fmt: skip

    def turn(self, sandbox, task, *, ctx, timeout, env):
        """One turn of a multi-turn trial (arena.multiturn): the role's instructions, the turn's prompt and
        what was said so far in; a bash tool loop when the role has the ``bash`` capability."""
        from arena.multiturn import TurnOutcome

        system = "\n\n".join(x for x in (self.options.system_prompt, ctx.instructions,
                                          f"You act as `{ctx.role}` in scene `{ctx.scene}`.") if x)  # fmt: skip
        messages = [{"role": "system", "content": system}, {"role": "user", "content": ctx.prompt}]
        for m in ctx.dialogue:
            mine = m["speaker"] == ctx.role
            messages.append({"role": "assistant" if mine else "user",
                             "content": m["content"] if mine else f"[{m['speaker']}] {m['content']}"})  # fmt: skip
        if messages[-1]["role"] != "user":
            messages.append({"role": "user", "content": "(your turn)"})
        deadline = time.monotonic() + timeout
        final, calls, _, tokens = self._loop(sandbox, messages, deadline=deadline, env=env,
                                             tools="bash" in ctx.capabilities, seed_base=100 * ctx.round)  # fmt: skip
        return TurnOutcome(final or "", calls, None, tokens, 0, time.monotonic() >= deadline)


def generate_answers(engine: Engine, tasks: list, *, samples: int = 1, options: GenOptions | None = None) -> list[list[str]]:
    """Batched single-turn generation: answers[i][s] for task i, sample s."""
    o = options or GenOptions()
    convs = [task_messages(t, o.system_prompt) for t in tasks]
    outs = engine.chat(convs, max_new_tokens=o.max_new_tokens, temperature=o.temperature if samples == 1 else
                       (o.temperature or 1.0), n=samples, seed=o.seed)  # fmt: skip
    return [[outs[i * samples + s].text for s in range(samples)] for i in range(len(tasks))]


def run_model(
    engine: Engine,
    tasks: list,
    runtime,
    *,
    mode: str = "answer",
    samples: int = 1,
    options: GenOptions | None = None,
    store=None,
    workers: int = 2,
    agent_name: str = "model",
    max_turns: int = 8,
    progress: bool | str = True,
    executor=None,
):
    """Run a model on tasks and score every attempt with the tasks' verifiers; TrialResult list.

    ``executor`` (default: the local pool) fans the trials out; in answer mode the completions are
    generated here first, so only the verifier runs travel (any executor, e.g. Ray)."""
    from arena.batch import TrialSpec, run_batch

    if mode == "answer":
        todo = tasks
        if store is not None:  # resume: do not regenerate finished trials
            done = store.done_keys({t.id: t.digest for t in tasks})
            todo = [t for t in tasks if any(f"{t.id}/{agent_name}/{s}" not in done for s in range(samples))]
        answers = generate_answers(engine, todo, samples=samples, options=options) if todo else []
        by_id = {t.id: a for t, a in zip(todo, answers)}
        specs = [TrialSpec(t, TextAgent(by_id[t.id][s] if t.id in by_id else "", agent_name), s)
                 for t in tasks for s in range(samples)]  # fmt: skip
        return run_batch(specs, runtime, store=store, workers=workers, executor=executor, progress=progress)
    if mode.startswith("harness:"):  # an external harness in each sandbox, driving this engine through the proxy
        return _run_harness(engine, tasks, runtime, harness=mode.split(":", 1)[1], samples=samples, options=options,
                            store=store, workers=workers, agent_name=agent_name, progress=progress, executor=executor)  # fmt: skip
    agent = ModelAgent(engine, mode="tools", max_turns=max_turns, options=options, name=agent_name)
    specs = [TrialSpec(t, agent, s) for t in tasks for s in range(samples)]
    # a local engine generates one conversation at a time; endpoints take parallel requests
    return run_batch(specs, runtime, store=store, workers=workers, executor=executor, progress=progress)


def _run_harness(engine: Engine, tasks, runtime, *, harness: str, samples, options, store, workers, agent_name,
                 progress, executor):  # fmt: skip
    """Serve the engine on 127.0.0.1 (an endpoint engine is used as it is) and run ``harness`` on every task."""
    from arena.agents.harness import HarnessAgent
    from arena.batch import TrialSpec, run_batch
    from arena.endpoint import Endpoint

    o = options or GenOptions()
    served = None if engine.name == "openai" else Endpoint(engine, model_name=agent_name)
    try:
        url = served.url if served is not None else engine.base_url
        agent = HarnessAgent(harness, base_url=url, model=getattr(engine, "model", agent_name) if served is None else agent_name,
                             max_tokens_cap=o.max_new_tokens, name=agent_name)  # fmt: skip
        specs = [TrialSpec(t, agent, s) for t in tasks for s in range(samples)]
        return run_batch(specs, runtime, store=store, workers=workers, executor=executor, progress=progress)
    finally:
        if served is not None:
            served.close()
