"""SFT rows from verified transcripts: a trial's ATIF transcript becomes a chat row only when the
task's verifier scored that trial 1.0 (``min_reward``), as the organizers' teacher stage keeps a
teacher's trajectories.

Any trial that wrote ``trajectory.json`` qualifies — a multi-turn trial (``arena.multiturn``), a
harness's proxy record (``arena.agents.harness``) — from a list of ``TrialResult`` or a run folder
(e.g. ``arena eval TEACHER --mode harness:mini-harness --out runs/teacher``).

ATIF → chat messages: ``system`` steps (the prompt a turn got) and ``user`` steps (the simulated
user) become ``user`` messages, an ``agent`` step an ``assistant`` message with its ``bash`` tool
calls, each followed by a ``tool`` message with the call's output.  A step of a multi-turn trial
(``extra.role``) is a whole turn: its calls come first, its message (what the role said) after them;
a step of a harness's record is one model call, its message said with its calls.  A transcript is refused (with
the reason) when it holds an action a model could not replay as written: an ``exec`` step (an
exec-style agent such as the oracle ran a script; its commands are not in the record) or a call of
a tool other than ``bash``.  Rows keep ``task_id``, ``domain``, ``reward`` and ``source`` (the
trial's key).
"""

from __future__ import annotations

import json
from pathlib import Path

from arena.transcript import TRANSCRIPT_FILE

TOOLS = ("bash",)  # what arena's models call (arena.agents.model)


class NotReplayable(ValueError):
    """The transcript holds an action a model could not replay as written."""


def transcript_messages(doc: dict) -> list[dict]:
    """An ATIF document as chat messages (``NotReplayable`` when it holds a non-model action)."""
    msgs: list[dict] = []
    for step in doc.get("steps") or []:
        src, text = step.get("source"), str(step.get("message") or "")
        if src in ("system", "user"):
            if text.strip():
                msgs.append({"role": "user", "content": text})
            continue
        if src != "agent":
            continue
        calls, outs = step.get("tool_calls") or [], {}
        for r in (step.get("observation") or {}).get("results") or []:
            outs[r.get("source_call_id")] = str(r.get("content") or "")
        for c in calls:
            fn = c.get("function_name")
            if fn not in TOOLS or not isinstance((c.get("arguments") or {}).get("command"), str):
                what = "an exec-style agent's script run" if fn == "exec" else f"a call of {fn!r}"
                raise NotReplayable(f"step {step.get('step_id')} is {what}, not a {'/'.join(TOOLS)} tool call a model could replay")
        turn = "role" in (step.get("extra") or {})  # a multi-turn turn: its message is said after its calls
        if calls:
            msgs.append({"role": "assistant", "content": "" if turn else text,
                         "tool_calls": [{"type": "function", "function": {"name": c["function_name"], "arguments": c["arguments"]}}
                                        for c in calls]})  # fmt: skip
            msgs += [{"role": "tool", "name": c["function_name"], "content": outs.get(c.get("tool_call_id"), "")} for c in calls]
        if (turn or not calls) and text.strip():
            msgs.append({"role": "assistant", "content": text})
    while msgs and msgs[-1]["role"] != "assistant":  # a row ends on what the model said
        msgs.pop()
    if not any(m["role"] == "assistant" for m in msgs) or msgs[0]["role"] != "user":
        raise NotReplayable("no user prompt followed by an assistant turn")
    return msgs


def verified_transcript(result, min_reward: float = 1.0) -> tuple[list[dict] | None, str | None]:
    """(messages, None) when the trial's verifier scored it >= ``min_reward`` and it has a
    replayable transcript, else (None, why not)."""
    if result.status != "ok" or result.reward is None:
        return None, f"{result.status}: {result.failure_kind or ''} {result.reason or ''}".strip()
    if result.reward < min_reward:
        return None, f"verifier scored it {result.reward:g} (< {min_reward:g})"
    name = (result.side_info or {}).get("transcript")
    path = Path(result.log_dir or "") / (name or TRANSCRIPT_FILE)
    if not name or not path.is_file():
        return None, "no transcript"
    try:
        return transcript_messages(json.loads(path.read_text(encoding="utf-8"))), None
    except (OSError, ValueError) as exc:  # NotReplayable is a ValueError
        return None, f"{path}: {exc}"


def transcript_rows(results, tasks=None, *, min_reward: float = 1.0) -> tuple[list[dict], dict[str, str]]:
    """SFT rows from trials (``TrialResult`` list or a run folder): (rows, {trial key: why not kept})."""
    if isinstance(results, (str, Path)):
        from arena.runfolder import RunStore, row_to_result

        store = RunStore(results, writer=False)
        try:
            results = [row_to_result(r) for r in store.frame().to_dict("records")]
        finally:
            store.close()
    domains = {t.id: t.domain or "unknown" for t in tasks or []}
    rows, rejected = [], {}
    for r in results:
        msgs, why = verified_transcript(r, min_reward)
        key = r.trial_key
        if msgs is None:
            rejected[key] = why
            continue
        rows.append({"messages": msgs, "task_id": r.task_id, "domain": domains.get(r.task_id) or r.domain or "unknown",
                     "reward": r.reward, "source": key})  # fmt: skip
    return rows, rejected
