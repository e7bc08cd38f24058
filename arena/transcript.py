"""A trial's transcript as data: one JSON document in Harbor's trajectory format, ATIF v1.4.

Every turn of a multi-turn trial becomes ATIF steps: the prompt a role's turn got (``source:
system``), the simulated user's messages (``source: user``) and each agent turn (``source: agent``:
its message, ``tool_calls`` with their ``observation`` results, token ``metrics``).  Arena's own
fields live under ``extra`` as ATIF allows: per step ``role``, ``scene``, ``round``, ``duration_sec``,
``exit_code``, ``timed_out``; at the root the task, the stop reason and the private-fact names
(never their values).  Written to ``<trial log dir>/trajectory.json`` (``TRANSCRIPT_FILE``), named
in the trial row's ``side_info.transcript``, and shown to the verifier read-only at
``/logs/transcript/trajectory.json`` (``ARENA_TRANSCRIPT``).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

SCHEMA_VERSION = "ATIF-v1.4"
TRANSCRIPT_FILE = "trajectory.json"
SANDBOX_DIR = "/logs/transcript"  # where the verifier finds it
SANDBOX_PATH = f"{SANDBOX_DIR}/{TRANSCRIPT_FILE}"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Transcript:
    """Builds the ATIF document step by step (append-only)."""

    def __init__(self, session_id: str, agent_name: str, *, model_name: str | None = None, extra: dict | None = None):
        self.doc: dict = {
            "schema_version": SCHEMA_VERSION,
            "session_id": session_id,
            "agent": {"name": agent_name, "version": "arena", **({"model_name": model_name} if model_name else {})},
            "steps": [],
            "extra": dict(extra or {}),
        }
        self._calls = 0

    @property
    def steps(self) -> list[dict]:
        return self.doc["steps"]

    def _add(self, source: str, message: str, **extra) -> dict:
        step = {"step_id": len(self.steps) + 1, "timestamp": _now(), "source": source, "message": message or ""}
        ex = {k: v for k, v in extra.items() if v is not None}
        if ex:
            step["extra"] = ex
        self.steps.append(step)
        return step

    def system(self, message: str, **extra) -> dict:
        return self._add("system", message, **extra)

    def user(self, message: str, **extra) -> dict:
        return self._add("user", message, **extra)

    def agent(self, message: str, *, tool_calls: list[tuple[str, dict, str]] = (), prompt_tokens: int | None = None,
              completion_tokens: int | None = None, **extra) -> dict:  # fmt: skip
        """One agent turn: its final message and every (function, arguments, output) it ran."""
        step = self._add("agent", message, **extra)
        if tool_calls:
            calls, results = [], []
            for fn, args, output in tool_calls:
                self._calls += 1
                cid = f"call_{self._calls}"
                calls.append({"tool_call_id": cid, "function_name": fn, "arguments": args if isinstance(args, dict) else {}})
                results.append({"source_call_id": cid, "content": output})
            step["tool_calls"] = calls
            step["observation"] = {"results": results}
        metrics = {k: v for k, v in (("prompt_tokens", prompt_tokens), ("completion_tokens", completion_tokens)) if v is not None}
        if metrics:
            step["metrics"] = metrics
        return step

    def finish(self, **extra) -> dict:
        agents = [s for s in self.steps if s["source"] == "agent"]
        fm = {"total_steps": len(self.steps)}
        for key, total in (("prompt_tokens", "total_prompt_tokens"), ("completion_tokens", "total_completion_tokens")):
            vals = [s["metrics"][key] for s in agents if key in s.get("metrics", {})]
            if vals:
                fm[total] = sum(vals)
        self.doc["final_metrics"] = fm
        self.doc["extra"].update(extra)
        self.doc["extra"].setdefault("finished_at", time.time())
        return self.doc

    def write(self, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.doc, indent=1, default=str), encoding="utf-8")
        return path


def load(path: str | Path) -> dict:
    """Read a transcript; ValueError naming the file when it is not an ATIF document."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read a transcript ({exc})") from None
    if not isinstance(doc, dict) or not str(doc.get("schema_version", "")).startswith("ATIF-") or not isinstance(
        doc.get("steps"), list
    ):
        raise ValueError(f"{path}: not an ATIF trajectory (no schema_version ATIF-… with steps)")
    return doc


def render(doc: dict, *, limit: int = 1200) -> str:
    """The transcript as text: one block per step, long contents cut."""

    def cut(s: str) -> str:
        s = str(s)
        return s if len(s) <= limit else s[:limit] + f" …[{len(s) - limit} chars cut]"

    ex = doc.get("extra", {})
    head = f"{doc.get('schema_version')} session {doc.get('session_id')} agent {doc.get('agent', {}).get('name')}"
    lines = [head]
    if ex.get("stop_reason"):
        lines.append(f"stop: {ex['stop_reason']}")
    for s in doc.get("steps", []):
        e = s.get("extra", {})
        where = " ".join(f"{k}={e[k]}" for k in ("scene", "role", "round") if k in e)
        lines.append(f"\n[{s['step_id']}] {s['source']}" + (f" ({where})" if where else ""))
        if s.get("message"):
            lines.append("  " + cut(s["message"]).replace("\n", "\n  "))
        outs = {r["source_call_id"]: r.get("content", "") for r in s.get("observation", {}).get("results", [])}
        for c in s.get("tool_calls", []):
            lines.append(f"  $ {c['function_name']} {json.dumps(c.get('arguments', {}))[:limit]}")
            lines.append("    " + cut(outs.get(c["tool_call_id"], "")).replace("\n", "\n    "))
        if s.get("metrics"):
            lines.append("  tokens: " + ", ".join(f"{k}={v}" for k, v in s["metrics"].items()))
    fm = doc.get("final_metrics", {})
    if fm:
        lines.append("\n" + ", ".join(f"{k}={v}" for k, v in fm.items()))
    return "\n".join(lines)


def find(trials) -> tuple[str, Path] | None:
    """(trial key, path) of the first trial in a trials table (a DataFrame or row dicts) that wrote a transcript."""
    rows = trials.to_dict("records") if hasattr(trials, "to_dict") else list(trials)
    for r in rows:
        side = r.get("side_info")
        try:
            side = json.loads(side) if isinstance(side, str) else (side or {})
        except ValueError:
            continue
        name = side.get("transcript") if isinstance(side, dict) else None
        if name and r.get("log_dir") and (Path(r["log_dir"]) / name).is_file():
            return str(r.get("trial_key") or f"{r.get('task_id')}/{r.get('agent')}/{r.get('sample')}"), Path(r["log_dir"]) / name
    return None


def preview(tables: dict, *, limit: int = 600) -> tuple[str | None, str]:
    """One transcript of several runs' trials tables ({run name: trials}), rendered: (path or None, text)."""
    for name, trials in tables.items():
        hit = find(trials)
        if hit is not None:
            return str(hit[1]), f"run {name}, trial {hit[0]}\n" + render(load(hit[1]), limit=limit)
    return None, ("no trial of these runs wrote a transcript (answer mode writes none; multi-turn tasks, "
                  "mode='tools' on them, and mode='harness:NAME' do)")  # fmt: skip
