"""Agents act in the sandbox during the agent phase.  Built in: oracle, nop, text, script.

The agent never sees ``verifier/``; only the oracle agent gets ``oracle/`` (mounted read-only
at /oracle for its one command).  Model agents (answer and tool modes) live in arena.agents.model.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from arena import harbor
from arena.registry import AGENTS
from arena.sandbox.base import ExecResult, Sandbox


@dataclass
class AgentOutcome:
    exit_code: int | None = 0
    timed_out: bool = False
    stdout: str = ""
    stderr: str = ""
    duration_sec: float = 0.0
    info: dict = field(default_factory=dict)
    oom_killed: bool = False  # the sandbox's memory limit killed it

    @classmethod
    def from_exec(cls, r: ExecResult, **info) -> AgentOutcome:
        return cls(r.exit_code, r.timed_out, r.stdout, r.stderr, r.duration_sec, info, r.oom_killed)


class Agent(ABC):
    name: str = "?"

    @abstractmethod
    def run(self, sandbox: Sandbox, task, *, timeout: float, env: dict[str, str]) -> AgentOutcome: ...


class OracleAgent(Agent):
    """Runs the package's reference solution ``oracle/solve.sh``."""

    name = "oracle"

    def run(self, sandbox, task, *, timeout, env):
        r = sandbox.exec(
            "bash /oracle/solve.sh", timeout=timeout, env={**env, "BENCHFLOW_ORACLE_DIR": "/oracle"},
            mounts=harbor.mount_points(task, "oracle"),
        )  # fmt: skip
        return AgentOutcome.from_exec(r)


class NopAgent(Agent):
    """Does nothing: the verifier must not reward an untouched environment."""

    name = "nop"

    def run(self, sandbox, task, *, timeout, env):
        return AgentOutcome()


class TextAgent(Agent):
    """Writes a fixed text to the task's answer file (answer mode), e.g. a model completion."""

    name = "text"

    def __init__(self, text: str, name: str = "text"):
        self.text = text
        self.name = name

    def run(self, sandbox, task, *, timeout, env):
        path = task.spec.agent.answer_file
        if not path:
            return AgentOutcome(exit_code=1, stderr="task declares no agent.answer_file (not an answer-mode task)")
        sandbox.write_file(path, self.text.encode("utf-8"))
        return AgentOutcome(info={"answer_file": path, "answer_chars": len(self.text)})


class ScriptAgent(Agent):
    """Runs a fixed bash command as the agent (tests, adversarial suites)."""

    def __init__(self, command: str, name: str = "script"):
        self.command = command
        self.name = name

    def run(self, sandbox, task, *, timeout, env):
        return AgentOutcome.from_exec(sandbox.exec(self.command, timeout=timeout, env=env))


def get_agent(name: str) -> Agent:
    return AGENTS.load(name)()
