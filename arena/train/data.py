"""Training data from a corpus: verified SFT demonstrations and GRPO prompts.

SFT rows are *verified* demonstrations, never unchecked text:

* answer-mode tasks — the oracle runs in a real trial (``oracle/solve.sh`` in the sandbox); the
  answer file it leaves is read back and kept only when the verifier scored that trial at least
  ``demos.min_reward`` (1.0).  Row: ``[user: prompt, assistant: answer]``.
* tool-mode tasks — the oracle transcript: one ``bash`` tool call running ``oracle/solve.sh``'s
  commands, its real output, and a closing turn; kept when the verifier scored it 1.0.  Or, with
  ``demos.source: teacher``, trajectories of an OpenAI-compatible endpoint acting through the bash
  tool, kept only when the verifier scored them 1.0.
* multi-turn tasks (and any trial whose agent left an ATIF transcript, e.g. a harness) — the
  trial's ``trajectory.json`` as chat messages (``arena.train.transcript_sft``), kept only when the
  verifier scored that trial 1.0 and every action in it is a tool call a model could replay (an
  oracle's ``exec`` turns are not, so a multi-turn task's SFT rows come from a teacher).

Demonstrations are cached per task digest (``<cache>/demos/<digest>.json``), so many runs over the
same corpus run each oracle once; trials are journaled in ``<out>/demos/`` (a killed run resumes).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from arena.agents.base import AgentOutcome, OracleAgent


def cache_dir() -> Path:
    root = os.environ.get("ARENA_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "arena")
    return Path(root)


class AnswerOracleAgent(OracleAgent):
    """The oracle, plus a read-back of the answer file it wrote (the text the verifier will score)."""

    name = "oracle-demo"

    def run(self, sandbox, task, *, timeout, env):
        out = super().run(sandbox, task, timeout=timeout, env=env)
        path = task.spec.agent.answer_file
        data = sandbox.read_file(path, limit=1 << 16) if path else None
        out.info["answer"] = None if data is None else data.decode("utf-8", errors="replace")
        return out


class TranscriptOracleAgent(OracleAgent):
    """The oracle as a tool-mode transcript: one bash call with solve.sh's commands, then a closing turn.

    The commands run from the workspace without /oracle mounted, exactly as a model's tool call
    would, so a kept transcript is one the model could replay.
    """

    name = "oracle-transcript"

    def run(self, sandbox, task, *, timeout, env):
        from arena.agents.model import format_tool_result

        script = task.paths.solve_sh.read_text(encoding="utf-8", errors="replace")
        r = sandbox.exec(script, timeout=timeout, env=env)
        call = {"type": "function", "function": {"name": "bash", "arguments": {"command": script.strip()}}}
        messages = [
            {"role": "user", "content": task.spec.prompt},
            {"role": "assistant", "content": "", "tool_calls": [call]},
            {"role": "tool", "name": "bash", "content": format_tool_result(r.exit_code, r.stdout, r.stderr, r.timed_out)},
            {"role": "assistant", "content": "Done."},
        ]
        out = AgentOutcome.from_exec(r)
        out.info["messages"] = messages
        return out


@dataclass
class DemoReport:
    rows: list[dict]
    kept: int
    rejected: dict[str, str]  # task id -> why no demonstration
    cached: int

    def summary(self) -> dict:
        return {"kept": self.kept, "rejected": len(self.rejected), "cached": self.cached}


def _demo_from(result, mode: str, min_reward: float) -> tuple[dict | None, str | None]:
    if result.status != "ok" or result.reward is None:
        return None, f"{result.status}: {result.failure_kind or ''} {result.reason or ''}".strip()
    if result.reward < min_reward:
        return None, f"verifier scored the oracle {result.reward:g} (< {min_reward:g})"
    agent = result.side_info.get("agent", {})
    if mode == "answer":
        ans = agent.get("answer")
        if ans is None:
            return None, "the oracle wrote no answer file"
        return {"answer": ans.strip(), "reward": result.reward}, None
    msgs = agent.get("messages")
    if not msgs:  # a multi-turn (or harness) trial: its ATIF transcript, verified above
        from arena.train.transcript_sft import verified_transcript

        msgs, why = verified_transcript(result, min_reward)
        if msgs is None:
            return None, why
        return {"messages": msgs, "reward": result.reward, "transcript": True}, None
    return {"messages": msgs, "reward": result.reward}, None


def build_demos(tasks, runtime, out: Path, *, mode: str = "answer", min_reward: float = 1.0, workers: int = 2,
                system_prompt: str | None = None, teacher=None, progress: bool = True) -> DemoReport:  # fmt: skip
    """SFT rows ({"messages": [...], "task_id", "domain"}) for every task with a verified demonstration."""
    from arena.batch import TrialSpec, run_batch
    from arena.runfolder import RunStore

    cdir = cache_dir() / "demos"
    cdir.mkdir(parents=True, exist_ok=True)
    kind = "teacher" if teacher is not None else ("answer" if mode == "answer" else "transcript")
    demos: dict[str, dict] = {}
    cached = 0
    todo = []
    for t in tasks:
        f = cdir / f"{t.digest}-{kind}.json"
        if teacher is None and f.is_file():
            try:
                demos[t.id] = json.loads(f.read_text())
                cached += 1
                continue
            except ValueError:
                pass
        todo.append(t)
    rejected: dict[str, str] = {}
    if todo:
        store = RunStore(Path(out) / "demos")
        if teacher is not None:
            from arena.agents.model import GenOptions, ModelAgent

            agent = ModelAgent(teacher["engine"], mode="tools", max_turns=teacher.get("max_turns", 8), name="teacher",
                               options=GenOptions(max_new_tokens=teacher.get("max_tokens", 1024),
                                                  temperature=teacher.get("temperature", 0.7), seed=None))  # fmt: skip
            specs = [TrialSpec(t, agent, s) for t in todo for s in range(teacher.get("attempts", 1))]
        else:
            agent = AnswerOracleAgent() if mode == "answer" else TranscriptOracleAgent()
            specs = [TrialSpec(t, agent, 0) for t in todo]
        results = run_batch(specs, runtime, store=store, workers=workers, progress="demos" if progress else False)
        by_task: dict[str, list] = {}
        for r in results:
            by_task.setdefault(r.task_id, []).append(r)
        for t in todo:
            reasons = []
            for r in sorted(by_task.get(t.id, []), key=lambda r: r.sample):
                demo, why = _demo_from(r, "tools" if teacher is not None else mode, min_reward)
                if demo is not None:
                    demos[t.id] = demo
                    if teacher is None:
                        (cdir / f"{t.digest}-{kind}.json").write_text(json.dumps(demo))
                    break
                reasons.append(why)
            if t.id not in demos:
                rejected[t.id] = "; ".join(x for x in reasons if x) or "no trial ran"
    rows = []
    for t in tasks:
        d = demos.get(t.id)
        if d is None:
            continue
        if "answer" in d:
            msgs = ([{"role": "system", "content": system_prompt}] if system_prompt else []) + [
                {"role": "user", "content": t.spec.prompt},
                {"role": "assistant", "content": d["answer"]},
            ]
        else:
            msgs = json.loads(json.dumps(d["messages"]))
            if not d.get("transcript"):  # a transcript's first message is the prompt its first turn got
                msgs[0] = {"role": "user", "content": t.spec.prompt} if msgs[0]["role"] == "user" else msgs[0]
            if system_prompt and msgs[0]["role"] != "system":
                msgs.insert(0, {"role": "system", "content": system_prompt})
        rows.append({"messages": msgs, "task_id": t.id, "domain": t.domain or "unknown"})
    return DemoReport(rows, len(rows), rejected, cached)


def grpo_rows(tasks, *, mode: str = "answer", system_prompt: str | None = None) -> list[dict]:
    """GRPO prompts: one conversational prompt per task, with the task id the reward function needs."""
    rows = []
    for t in tasks:
        prompt = ([{"role": "system", "content": system_prompt}] if system_prompt else []) + [
            {"role": "user", "content": t.spec.prompt}
        ]
        rows.append({"prompt": prompt, "task_id": t.id, "domain": t.domain or "unknown"})
    return rows

