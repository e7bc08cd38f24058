"""Running a task's declared structure (``arena.scenes``) in one sandbox: scenes in order, each turn
played by its role's agent, a simulated user, the stop rule, a transcript of every turn.

How a turn reaches an agent:

* an agent with a ``turn(sandbox, task, ctx=, timeout=, env=)`` method (the model agent) gets the
  ``TurnContext`` and answers with a ``TurnOutcome``;
* any other agent (oracle, nop, script) runs as usual, with the turn written into the sandbox:
  ``$ARENA_PROMPT_FILE`` (this turn's prompt), ``$ARENA_INSTRUCTIONS_FILE`` (the role's section),
  ``$ARENA_DIALOGUE_FILE`` (JSON list of what was said so far: ``speaker``, ``scene``, ``round``,
  ``content``) and ``$ARENA_ROLE`` / ``$ARENA_SCENE`` / ``$ARENA_ROUND``; what it writes to
  ``$ARENA_REPLY_FILE`` is its message.  So ``oracle/solve.sh`` scripts every role with a ``case
  "$ARENA_ROLE"``.

The simulated user never shows the agents its private facts: they reach an agent only through
what the user chooses to say.  The workspace carries over from scene to scene (one sandbox).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field

from arena.agents.base import Agent, AgentOutcome, NopAgent, OracleAgent
from arena.findings import Finding
from arena.scenes import USER, Structure, UserDecl, turn_prompt
from arena.transcript import Transcript

TURN_DIR = "/logs/agent/turn"
REPLY_LIMIT = 64 * 1024
SATISFIED_MARK = "[SATISFIED]"


class UserSimError(RuntimeError):
    """The simulated user could not be created or could not answer (the message says why)."""


@dataclass
class TurnContext:
    role: str
    scene: str
    round: int
    prompt: str
    instructions: str
    capabilities: tuple[str, ...]
    dialogue: list[dict]  # what was said before this turn, oldest first


@dataclass
class TurnOutcome:
    message: str = ""
    tool_calls: list[tuple[str, dict, str]] = field(default_factory=list)  # (function, arguments, output)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    exit_code: int | None = 0
    timed_out: bool = False
    stdout: str = ""
    stderr: str = ""
    oom_killed: bool = False


def refusals(task) -> list[Finding]:
    """The errors that forbid running this task's structure (checked again before every launch)."""
    return [f for f in task.findings if f.severity == "error" and f.rule.startswith("multiturn.")]


# -- simulated users ---------------------------------------------------------------------------
class _Facts(dict):
    def __missing__(self, key):  # an unknown placeholder stays visible rather than crashing
        return "{" + key + "}"


def _mentions(text: str, words) -> bool:
    low = text.lower()
    return any(re.search(r"\b" + re.escape(str(w).lower()), low) for w in words or ())


class ScriptedUser:
    """Deterministic replies from the persona's yaml block; private facts fill ``{name}``."""

    name = "scripted"

    def __init__(self, decl: UserDecl):
        self.script, self.facts = decl.script or {}, _Facts({k: str(v) for k, v in decl.private_facts.items()})

    def _say(self, text) -> str:
        return str(text or "").format_map(self.facts)

    def opening(self) -> tuple[str, bool]:
        return self._say(self.script.get("opening")), False

    def reply(self, said: str, history: list[dict]) -> tuple[str, bool]:
        if _mentions(said, self.script.get("satisfied_when")):
            return self._say(self.script.get("satisfied_say") or "Thanks, that is everything."), True
        hits = [self._say(r["say"]) for r in self.script.get("replies") or [] if _mentions(said, r.get("when"))]
        return ("\n".join(hits) if hits else self._say(self.script.get("default") or "Please go on.")), False


class EngineUser:
    """A model plays the user: the persona and private facts are its system prompt (only its)."""

    name = "model"

    def __init__(self, decl: UserDecl, engine):
        self.decl, self.engine = decl, engine
        facts = "\n".join(f"- {k}: {v}" for k, v in decl.private_facts.items())
        self.system = (f"You are simulating a user talking to an assistant. Stay in character.\n\n{decl.persona}\n\n"
                       + (f"Facts only you know (say one only when the assistant asks about it):\n{facts}\n\n" if facts else "")
                       + f"When the assistant has everything it needs from you, end your message with {SATISFIED_MARK}.")  # fmt: skip

    def _chat(self, messages: list[dict]) -> tuple[str, bool]:
        try:
            c = self.engine.chat([[{"role": "system", "content": self.system}, *messages]],
                                 max_new_tokens=self.decl.max_new_tokens, temperature=0.0, seed=0)[0]  # fmt: skip
        except Exception as exc:  # an engine failure is the user model's, reported as such
            raise UserSimError(f"the user model did not answer: {type(exc).__name__}: {exc}") from None
        text = c.text or ""
        return text.replace(SATISFIED_MARK, "").strip(), SATISFIED_MARK in text

    def opening(self) -> tuple[str, bool]:
        return self._chat([{"role": "user", "content": "(The conversation starts. State your request.)"}])

    def reply(self, said: str, history: list[dict]) -> tuple[str, bool]:
        msgs = [{"role": "assistant" if m["speaker"] == USER else "user", "content": m["content"]} for m in history]
        if not msgs or msgs[-1]["role"] != "user":
            msgs.append({"role": "user", "content": said})
        return self._chat(msgs)


_ENGINES: dict[tuple, object] = {}
_ENGINES_LOCK = threading.Lock()


def make_user(decl: UserDecl | None):
    """The simulator for a declared user (None when none is declared); UserSimError if unloadable."""
    if decl is None:
        return None
    if decl.scripted:
        return ScriptedUser(decl)
    from arena.engines import EngineError, get_engine

    key = (decl.engine, decl.model, decl.base_url)
    with _ENGINES_LOCK:
        if key not in _ENGINES:
            opts = {"model": decl.model, **({"base_url": decl.base_url} if decl.engine == "openai" else {})}
            try:
                _ENGINES[key] = get_engine(decl.engine, **opts)
            except (EngineError, ImportError, OSError, ValueError) as exc:
                raise UserSimError(f"cannot load the user model {decl.model!r} (engine {decl.engine}): {exc}") from None
        return EngineUser(decl, _ENGINES[key])


# -- one turn of an agent ------------------------------------------------------------------------
def _exec_turn(agent: Agent, sandbox, task, ctx: TurnContext, *, timeout: float, env: dict) -> TurnOutcome:
    files = {"prompt.md": ctx.prompt, "instructions.md": ctx.instructions, "dialogue.json": json.dumps(ctx.dialogue, indent=1)}
    for name, text in files.items():
        sandbox.write_file(f"{TURN_DIR}/{name}", text.encode("utf-8"))
    sandbox.exec(f"rm -f {TURN_DIR}/reply.md", timeout=30)
    turn_env = {**env, "ARENA_ROLE": ctx.role, "ARENA_SCENE": ctx.scene, "ARENA_ROUND": str(ctx.round),
                "ARENA_PROMPT_FILE": f"{TURN_DIR}/prompt.md", "ARENA_INSTRUCTIONS_FILE": f"{TURN_DIR}/instructions.md",
                "ARENA_DIALOGUE_FILE": f"{TURN_DIR}/dialogue.json", "ARENA_REPLY_FILE": f"{TURN_DIR}/reply.md"}  # fmt: skip
    out = agent.run(sandbox, task, timeout=timeout, env=turn_env)
    reply = sandbox.read_file(f"{TURN_DIR}/reply.md", limit=REPLY_LIMIT)
    calls, tokens = [], None
    own = out.info.get("transcript") if isinstance(out.info, dict) else None  # e.g. a harness's proxy record
    for step in (own or {}).get("steps", []):
        outs = {r.get("source_call_id"): r.get("content", "") for r in step.get("observation", {}).get("results", [])}
        calls += [(c["function_name"], c.get("arguments", {}), outs.get(c["tool_call_id"], "")) for c in step.get("tool_calls", [])]
        if "completion_tokens" in step.get("metrics", {}):
            tokens = (tokens or 0) + step["metrics"]["completion_tokens"]
    if own is None and (out.stdout or out.stderr or out.exit_code not in (0, None)):  # its actions are its tool calls
        calls.append(("exec", {"agent": agent.name}, f"exit={'timeout' if out.timed_out else out.exit_code}\n"
                                                     f"stdout:\n{out.stdout[-4000:]}\nstderr:\n{out.stderr[-4000:]}"))  # fmt: skip
    return TurnOutcome((reply or b"").decode("utf-8", "replace"), calls, None, tokens, out.exit_code, out.timed_out,
                       out.stdout, out.stderr, out.oom_killed)  # fmt: skip


def play_turn(agent: Agent, sandbox, task, ctx: TurnContext, *, timeout: float, env: dict) -> TurnOutcome:
    if callable(getattr(agent, "turn", None)):
        return agent.turn(sandbox, task, ctx=ctx, timeout=timeout, env=env)
    return _exec_turn(agent, sandbox, task, ctx, timeout=timeout, env=env)


def _role_agent(structure: Structure, role: str, policy: Agent) -> Agent:
    pinned = structure.roles[role].agent
    return {"oracle": OracleAgent, "nop": NopAgent}[pinned]() if pinned != "policy" else policy


# -- the dialogue ------------------------------------------------------------------------------
def run_dialogue(task, agent: Agent, sandbox, *, env: dict, timeout: float, user, transcript: Transcript) -> AgentOutcome:
    """Every scene in order; returns the agent phase's outcome (the transcript is filled in place).

    Raises UserSimError when the user model fails mid-dialogue (the caller records it)."""
    st: Structure = task.spec.structure
    sp = task.spec
    sections = {"prompt": sp.prompt, "roles": sp.roles, "scenes": sp.scenes}
    t_end = time.monotonic() + timeout
    said: list[dict] = []
    out = AgentOutcome(info={"mode": "multiturn", "turns": 0, "user_turns": 0})
    stdout, stderr = [], []
    stop = "every scene ran"
    try:
        for scene in st.scenes:
            satisfied, mark = False, len(said)
            for rnd in range(1, st.rounds(scene) + 1):
                for turn in scene.turns:
                    left = t_end - time.monotonic()
                    if left <= 0:
                        out.timed_out, stop = True, f"agent.timeout_sec = {timeout:g}s ran out before scene {scene.name}"
                        return out
                    where = {"scene": scene.name, "round": rnd}
                    if turn.role == USER:
                        t0 = time.perf_counter()
                        spoke = [m for m in said[mark:] if m["speaker"] != USER]
                        text, sat = user.reply(spoke[-1]["content"], said[mark:]) if spoke else user.opening()
                        transcript.user(text, role=USER, satisfied=sat or None, user=user.name,
                                        duration_sec=round(time.perf_counter() - t0, 4), **where)  # fmt: skip
                        said.append({"speaker": USER, "content": text, **where})
                        out.info["user_turns"] += 1
                        if sat and st.stop_rule.until == "satisfied":
                            satisfied = True
                            break
                        continue
                    prompt, instructions = turn_prompt(sections, scene, turn)
                    role = st.roles[turn.role]
                    cap = min(turn.timeout_sec or left, left)
                    ctx = TurnContext(turn.role, scene.name, rnd, prompt, instructions, role.capabilities, list(said))
                    transcript.system(prompt, role=turn.role, **where)
                    player = _role_agent(st, turn.role, agent)
                    t0 = time.perf_counter()
                    to = play_turn(player, sandbox, task, ctx, timeout=cap, env=env)
                    dur = time.perf_counter() - t0
                    out.info["turns"] += 1
                    transcript.agent(to.message, tool_calls=to.tool_calls, prompt_tokens=to.prompt_tokens,
                                     completion_tokens=to.completion_tokens, role=turn.role, agent=player.name,
                                     exit_code=to.exit_code, timed_out=to.timed_out or None,
                                     duration_sec=round(dur, 4), **where)  # fmt: skip
                    said.append({"speaker": turn.role, "content": to.message, **where})
                    stdout.append(to.stdout)
                    stderr.append(to.stderr)
                    if to.timed_out:
                        out.timed_out = True
                        if turn.timeout_sec and turn.timeout_sec < left:
                            stop = (f"the {turn.role} turn of scene {scene.name} (round {rnd}) exceeded its "
                                    f"timeout_sec = {turn.timeout_sec:g}s cap")  # fmt: skip
                        else:
                            stop = f"agent.timeout_sec = {timeout:g}s ran out in scene {scene.name} ({turn.role})"
                        return out
                    if to.exit_code not in (0, None):
                        out.exit_code, out.oom_killed = to.exit_code, to.oom_killed
                        stop = f"the {turn.role} turn of scene {scene.name} (round {rnd}) exited {to.exit_code}"
                        return out
                if satisfied:
                    break
            if scene.has_user and not satisfied and st.stop_rule.until == "satisfied":
                out.info.setdefault("unsatisfied_scenes", []).append(scene.name)
        return out
    finally:
        out.stdout, out.stderr = "".join(stdout), "".join(stderr)
        out.info["stop_reason"] = stop
        if out.timed_out:
            out.info["timeout_reason"] = stop
        transcript.doc["extra"]["stop_reason"] = stop
