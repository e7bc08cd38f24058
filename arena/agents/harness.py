"""External agent harnesses: an agent is a command run inside the sandbox that talks to a model
endpoint (OpenAI-compatible: arena's own ``arena.endpoint.Endpoint``, ``vllm serve``, any server).

The sandbox keeps its network off.  Its one route to the model is a ``RecordingProxy``: on the local
runtime a Unix socket in a host folder mounted into the sandbox for the harness's command, where a
relay (``assets/relay.py``) offers it on the sandbox's own loopback; on docker a TCP port on the
gateway of a network of the trial's own, fenced by the host firewall (``arena.sandbox.route``) so
the proxy is the only thing the container reaches.  Either is ``$OPENAI_BASE_URL``.  The proxy caps
each request's ``max_tokens``, refuses requests past the trial's turn limit, and records every
exchange; the record becomes the trial's ATIF transcript and its token counts.

Failures are trial statuses with reasons, never exceptions: the endpoint not answering (checked
before the harness starts), the harness not installed in the sandbox (its ``check`` command), a
route that cannot be fenced (docker without root or iptables: refused, with the reason).

Built in (``HARNESSES``): ``mini-harness`` (a stdlib tool loop shipped with arena; needs python3 in
the sandbox), ``mini-swe`` (mini-swe-agent's ``mini`` CLI) and ``opencode`` (``opencode run``): each
installed in the image, or in a host prefix (``arena.agents.harness_prefix``) mounted at ``MOUNT``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from arena.agents.base import Agent, AgentOutcome
from arena.agents.harness_prefix import MOUNT, installed
from arena.endpoint import RecordingProxy
from arena.sandbox.base import SandboxError
from arena.transcript import Transcript

_DEFAULT_PATH = f"{os.path.dirname(sys.executable)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
ASSETS = Path(__file__).resolve().parent / "assets"
ROUTE_DIR = "/arena-route"
PROMPT_FILE = "/logs/agent/harness_prompt.md"


@dataclass(frozen=True)
class Harness:
    name: str
    command: str  # run in the sandbox; {exe}, {prompt_file} and {model} are filled in
    check: str  # exits 0 when the harness is installed in the sandbox ({exe} filled in)
    install: str  # what to do when it is not
    mounts: dict = field(default_factory=dict)  # sandbox path -> host folder (read-only, for the command)
    exe: str = ""  # the harness's executable when it is installed in the image
    prefix_exe: str = ""  # ... and when its prefix (arena.agents.harness_prefix) is mounted at MOUNT
    env: Callable[[str, str], dict] | None = None  # (base URL, model) -> the harness's own configuration variables


def _mswe_env(url: str, model: str) -> dict:
    """mini-swe-agent: configured, no cost map fetch, and two attempts per model call (its default, 10
    with exponential waits up to 60 s, spends minutes against the proxy's final 429 at the turn limit)."""
    return {"MSWEA_CONFIGURED": "true", "MSWEA_COST_TRACKING": "ignore_errors", "LITELLM_LOCAL_MODEL_COST_MAP": "True",
            "MSWEA_MODEL_RETRY_STOP_AFTER_ATTEMPT": "2"}  # fmt: skip


def _opencode_env(url: str, model: str) -> dict:
    """OpenCode's configuration (merged over any opencode.json): one OpenAI-compatible provider `arena`
    at the route, serving ``model`` (also its small model, for titles), nothing shared or updated."""
    cfg = {"provider": {"arena": {"npm": "@ai-sdk/openai-compatible", "name": "arena",
                                  "options": {"baseURL": url, "apiKey": "arena-local"},
                                  "models": {model: {"name": model, "tool_call": True}}}},
           "model": f"arena/{model}", "small_model": f"arena/{model}", "share": "disabled", "autoupdate": False}  # fmt: skip
    return {"OPENCODE_CONFIG_CONTENT": json.dumps(cfg), "OPENCODE_DISABLE_AUTOUPDATE": "1", "OPENCODE_DISABLE_MODELS_FETCH": "1"}


_MSWE_LAUNCH = f"python3 -c 'import sys; sys.path.insert(0, \"{MOUNT}\"); from minisweagent.run.mini import app; app()'"
HARNESSES = {
    "mini-harness": Harness("mini-harness", "python3 /arena-harness/mini_harness.py {prompt_file}",
                            "command -v python3 >/dev/null", "the sandbox needs python3",
                            {"/arena-harness": ASSETS}),
    "mini-swe": Harness("mini-swe", "{exe} -y --exit-immediately -m openai/{model} -o /logs/agent/mini-swe.traj.json "
                        "-t \"$(cat {prompt_file})\"",
                        "command -v {exe} >/dev/null", "pip install mini-swe-agent into the task image, or build the "
                        "host prefix once: python -m arena.agents.harness_prefix mini-swe", exe="mini",
                        prefix_exe=_MSWE_LAUNCH, env=_mswe_env),
    "opencode": Harness("opencode", "{exe} run -m arena/{model} \"$(cat {prompt_file})\"",
                        "command -v {exe} >/dev/null", "npm install -g opencode-ai in the task image, or build the host "
                        "prefix once: python -m arena.agents.harness_prefix opencode", exe="opencode",
                        prefix_exe=f"{MOUNT}/node_modules/opencode-ai/bin/opencode.exe", env=_opencode_env),
}  # fmt: skip


def _answers(base_url: str, timeout: float = 5.0) -> str | None:
    """None when the endpoint answers GET /models, else why not."""
    try:
        with urllib.request.urlopen(base_url.rstrip("/") + "/models", timeout=timeout) as r:
            r.read()
        return None
    except urllib.error.HTTPError as exc:
        return None if exc.code < 500 else f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, TimeoutError, ValueError) as exc:
        return str(getattr(exc, "reason", exc))


def transcript_from_records(records: list[dict], session_id: str, agent: str, model: str) -> dict:
    """The proxy's record as an ATIF document: the prompt, then one agent step per model call with its
    tool calls, their outputs (read from the next request) and the exact usage the endpoint reported."""
    t = Transcript(session_id, agent, model_name=model, extra={"source": "recording proxy"})
    chats = [r for r in records if r.get("kind") == "chat" and isinstance(r.get("request"), dict)]
    if chats:
        first = next((m for m in chats[0]["request"].get("messages", []) if m.get("role") == "user"), None)
        if first:
            t.user(str(first.get("content")))
    for i, r in enumerate(chats):
        nxt = chats[i + 1]["request"].get("messages", []) if i + 1 < len(chats) else []
        outs = {m.get("tool_call_id"): str(m.get("content")) for m in nxt if m.get("role") == "tool"}
        msg = ((r.get("response") or {}).get("choices") or [{}])[0].get("message") or {}
        calls = []
        for c in msg.get("tool_calls") or []:
            fn = c.get("function") or {}
            try:
                args = json.loads(fn.get("arguments") or "{}")
            except ValueError:
                args = {"raw": fn.get("arguments")}
            calls.append((str(fn.get("name")), args, outs.get(c.get("id"), "")))
        usage = r.get("usage") or {}
        t.agent(str(msg.get("content") or r.get("error") or ""), tool_calls=calls, prompt_tokens=usage.get("prompt_tokens"),
                completion_tokens=usage.get("completion_tokens"), http_status=r.get("status"),
                duration_sec=round(r.get("duration_sec") or 0, 4), capped_from=r.get("capped_from"))  # fmt: skip
    return t.finish()


class HarnessAgent(Agent):
    """Runs a harness command in the sandbox against ``base_url`` through the recording proxy."""

    def __init__(self, harness: Harness | str, *, base_url: str, model: str = "arena", max_tokens_cap: int = 512,
                 max_requests: int = 32, port: int = 18080, name: str | None = None, mounts: dict | None = None,
                 path: tuple[str, ...] = (), prefix: Path | None | bool = None):  # fmt: skip
        if isinstance(harness, str):
            if harness not in HARNESSES:
                raise ValueError(f"unknown harness {harness!r}; built in: {', '.join(HARNESSES)}")
            harness = HARNESSES[harness]
        self.harness, self.base_url, self.model = harness, base_url, model
        self.cap, self.max_requests, self.port = max_tokens_cap, max_requests, port
        self.mounts = {**harness.mounts, **(mounts or {})}
        # a host prefix (arena.agents.harness_prefix) mounted at MOUNT: given, or the cached one; False: never
        self.prefix = (installed(harness.name) if prefix is None else prefix or None) if harness.prefix_exe else None
        if self.prefix is not None:
            self.mounts[MOUNT] = Path(self.prefix)
        exe = harness.prefix_exe if self.prefix is not None else harness.exe
        self.command, self.check = harness.command.replace("{exe}", exe), harness.check.replace("{exe}", exe)
        if self.prefix is not None:
            self.check = f"test -d {MOUNT} && command -v {exe.split()[0]} >/dev/null"
        self.path = tuple(path)  # sandbox folders put first on PATH (a harness installed under a mounted prefix)
        self.name = name or harness.name

    @staticmethod
    def _prompt(sandbox, task, env) -> str:
        """The task's prompt; in a multi-turn trial, the turn's instructions, prompt and conversation."""
        if not env.get("ARENA_PROMPT_FILE"):
            return task.spec.prompt

        def read(key: str) -> str:
            return (sandbox.read_file(env[key]) or b"").decode("utf-8", "replace") if env.get(key) else ""

        try:
            said = json.loads(read("ARENA_DIALOGUE_FILE") or "[]")
        except ValueError:
            said = []
        parts = [read("ARENA_INSTRUCTIONS_FILE").strip(), read("ARENA_PROMPT_FILE").strip()]
        if said:
            parts.append("The conversation so far:\n" + "\n".join(f"[{m.get('speaker')}] {m.get('content')}" for m in said))
        return "\n\n".join(p for p in parts if p)

    def run(self, sandbox, task, *, timeout, env):
        t_end = time.monotonic() + timeout
        docker_route = getattr(sandbox, "model_route", None)  # docker: a network of the trial's own
        if docker_route is None and type(sandbox).__module__ != "arena.sandbox.local":
            return AgentOutcome(exit_code=126, stderr=f"harness {self.name}: the {type(sandbox).__name__} runtime offers "
                                "no route to a model endpoint; use --runtime local or docker")  # fmt: skip
        why = _answers(self.base_url)
        if why:
            return AgentOutcome(exit_code=1, stderr=f"harness {self.name}: the model endpoint {self.base_url} did not "
                                f"answer: {why}", info={"harness": self.name, "endpoint_down": True})  # fmt: skip
        if self.path:
            env = {**env, "PATH": ":".join(self.path) + ":" + (env.get("PATH") or _DEFAULT_PATH)}
        chk = sandbox.exec(self.check, timeout=30, env=env, mounts=self.mounts)
        if not chk.ok:
            return AgentOutcome(exit_code=127, stderr=f"harness {self.name} is not installed in the sandbox "
                                f"(`{self.check}` failed): {self.harness.install}",
                                info={"harness": self.name, "harness_missing": True})  # fmt: skip
        sandbox.write_file(PROMPT_FILE, self._prompt(sandbox, task, env).encode("utf-8"))
        cmd = self.command.replace("{prompt_file}", shlex.quote(PROMPT_FILE)).replace("{model}", shlex.quote(self.model))
        with contextlib.ExitStack() as stack:
            mounts, t_route, where = dict(self.mounts), time.perf_counter(), "local socket"
            if docker_route is not None:  # the proxy listens on the gateway of the trial's own fenced network
                try:
                    route = stack.enter_context(docker_route())
                    proxy = RecordingProxy(self.base_url, (route.gateway, 0), max_tokens_cap=self.cap, max_requests=self.max_requests)
                    stack.callback(proxy.close)
                    route.allow(proxy.port)
                except (SandboxError, OSError) as exc:
                    return AgentOutcome(exit_code=126, stderr=f"harness {self.name}: {exc}",
                                        info={"harness": self.name, "route_refused": True})  # fmt: skip
                url, where = f"http://{route.gateway}:{proxy.port}/v1", route.iface
                wrapped = cmd
            else:  # local: a Unix socket in a mounted folder, offered on the sandbox's loopback by the relay
                folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="arena-route-")))
                (folder / "relay.py").write_bytes((ASSETS / "relay.py").read_bytes())
                proxy = RecordingProxy(self.base_url, f"{folder}/proxy.sock", max_tokens_cap=self.cap, max_requests=self.max_requests)
                stack.callback(proxy.close)
                mounts[ROUTE_DIR] = folder
                url = f"http://127.0.0.1:{self.port}/v1"
                wrapped = (f"python3 {ROUTE_DIR}/relay.py {ROUTE_DIR}/proxy.sock {self.port} & "
                           f"for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/{self.port}) 2>/dev/null && break; sleep 0.1; done; "
                           f"{cmd}")  # fmt: skip
            henv = {**env, "OPENAI_BASE_URL": url, "OPENAI_API_BASE": url,
                    "OPENAI_API_KEY": "arena-local", "ARENA_MODEL": self.model, "ARENA_MAX_TOKENS": str(self.cap),
                    **(self.harness.env(url, self.model) if self.harness.env else {})}  # fmt: skip
            route_sec, launched = time.perf_counter() - t_route, time.time()
            r = sandbox.exec(wrapped, timeout=max(1.0, t_end - time.monotonic()), env=henv, mounts=mounts)
        reply = env.get("ARENA_REPLY_FILE")  # a turn of a multi-turn trial: the last answer is the message
        last = next((((x.get("response") or {}).get("choices") or [{}])[0].get("message", {}).get("content")
                     for x in reversed(proxy.records) if x.get("response")), None)  # fmt: skip
        if reply and last and sandbox.read_file(reply, limit=1) is None:
            sandbox.write_file(reply, str(last).encode("utf-8"))
        first = next((x["t"] for x in proxy.records), None)
        info = {"harness": self.name, "proxy": proxy.summary(),
                "startup_sec": None if first is None else round(first - launched, 4),  # launch -> first model call
                "route_sec": round(route_sec, 4),  # setting the route up (docker: network, firewall, connect)
                "route": where,  # docker: the trial network's name (removed with its firewall door after the command)
                "transcript": transcript_from_records(proxy.records, f"{task.id}/{self.name}", self.name, self.model)}  # fmt: skip
        refused = info["proxy"].get("refused") or 0
        if r.timed_out and refused:  # e.g. OpenCode retries the proxy's 429 until the trial's timeout
            info["timeout_reason"] = (f"harness {self.name} kept calling the model after this trial's turn limit "
                                      f"({self.max_requests} model calls; {refused} refused) until the timeout")
        return AgentOutcome.from_exec(r, **info)
