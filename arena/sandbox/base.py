"""The one interface every sandbox runtime implements (docker, local/bubblewrap).

A *runtime* knows how to turn a task's ``environment/`` into something runnable (``prepare``:
build an image, or plan a host filesystem view) and how to start a *sandbox* from it.  A sandbox
is one trial's isolated machine: commands run in it with a timeout and an output cap, files go
in and out, and between the agent and verifier phases the harness can stop every process the
agent left behind and remove planted Python/pytest hooks.

The conformance suite in ``tests/test_sandbox_conformance.py`` runs the same checks against
every runtime.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from arena.task import Task

#: default cap on captured stdout/stderr per command (bytes each); the rest is dropped
OUTPUT_LIMIT = 1 << 20
#: default cap on processes/threads inside one sandbox (fork bombs)
PIDS_LIMIT = 512
#: file names that a verifier's Python or pytest would pick up if an agent planted them
PLANTED_HOOKS = ("conftest.py", "sitecustomize.py", "usercustomize.py")
PLANTED_SUFFIXES = (".pth",)
#: pytest rootdir config files, removed only at "/" (the parent of /verifier)
ROOT_CONFIGS = ("pytest.ini", "tox.ini", "setup.cfg", "pyproject.toml", "conftest.py")


#: where a package's ``environment/skills/`` (SKILL.md packages, the organizers' skills track) is
#: visible, read-only, in every sandbox of its task; ``$BENCHFLOW_SKILLS_DIR`` names it
SKILLS_DIR = "/skills"


def skills_source(environment: Path) -> Path | None:
    """The package's ``environment/skills`` folder when it has one inside the package."""
    src = environment / "skills"
    if src.is_dir() and not src.is_symlink() and src.resolve().is_relative_to(environment.resolve()):
        return src
    return None


class SandboxError(RuntimeError):
    """Infrastructure failure (the runtime could not build, start or talk to a sandbox)."""

    def __init__(self, message: str, *, kind: str = "infra", log: str = ""):
        super().__init__(message)
        self.kind = kind
        self.log = log


class RuntimeUnavailable(SandboxError):
    """The runtime cannot be used on this machine; the message says what to install or start."""


@dataclass(frozen=True)
class ExecResult:
    exit_code: int | None  # None when the command was killed (timeout)
    stdout: str
    stderr: str
    duration_sec: float
    timed_out: bool = False
    truncated: bool = False  # the output cap was hit
    oom_killed: bool = False

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out


@dataclass(frozen=True)
class Prepared:
    """What ``Runtime.prepare`` produced for one task's environment."""

    key: str  # cache key (environment digest + base)
    image: str | None = None  # docker image tag, when there is one
    workdir: str = "/root"  # the Dockerfile's last WORKDIR (the agent's workspace)
    env: dict[str, str] = field(default_factory=dict)  # the Dockerfile's ENV
    notes: tuple[str, ...] = ()  # Dockerfile steps this runtime could not honour, warnings
    cached: bool = False
    build_sec: float = 0.0
    #: the verifier toolchain of the organizers' shim (pytest 8 + pytest-json-ctrf) is in the image
    #: (docker: built on arena's base image; local: arena's own interpreter), so a verifier's
    #: "install my test deps" step is skipped ($BENCHFLOW_SKIP_VERIFIER_DEPS=1) even with internet
    verifier_tools: bool = False


class Sandbox(ABC):
    """One running trial machine.  Use as a context manager: ``close`` always runs."""

    workdir: str = "/root"

    @abstractmethod
    def exec(
        self,
        command: str,
        *,
        timeout: float | None = None,
        env: dict[str, str] | None = None,
        cwd: str | None = None,
        mounts: dict[str, Path] | None = None,
        output_limit: int = OUTPUT_LIMIT,
    ) -> ExecResult:
        """Run ``bash -c command`` as root inside the sandbox.

        ``mounts`` maps an absolute sandbox path to a host directory made visible read-only for
        this command only (the oracle during the oracle phase, the verifier during the verifier
        phase).  On timeout every process of the sandbox is killed and ``timed_out`` is set; the
        sandbox stays usable for the next command.
        """

    @abstractmethod
    def read_file(self, path: str, limit: int = OUTPUT_LIMIT) -> bytes | None:
        """The content of a file in the sandbox (at most ``limit`` bytes), or None if missing."""

    @abstractmethod
    def write_file(self, path: str, data: bytes) -> None:
        """Create or replace a file (parents created)."""

    @abstractmethod
    def kill_all(self) -> None:
        """Stop every process the agent started (background ones included)."""

    #: what the verifier's machine got of the agent's work (``arena.sandbox.carry.View``), set by
    #: ``harden(fresh=True)``
    verifier_view = None

    #: processes the agent left running that ``harden`` stopped, where the runtime can count them
    #: (docker; on local every command's processes end with it)
    stopped_processes: int | None = None
    #: whether processes outlive the command that started them (a service an agent starts)
    keeps_processes: bool = True

    @abstractmethod
    def harden(self, *, fresh: bool = True, keep_processes: bool = False) -> list[str]:
        """Prepare for the verifier: stop the agent's processes, empty /logs/verifier, remove
        planted hooks (files created or changed since the sandbox started whose name is in
        ``PLANTED_HOOKS`` or ends with ``PLANTED_SUFFIXES`` anywhere, and ``ROOT_CONFIGS`` at "/").

        ``fresh`` (after an agent ran commands): the following commands run in a fresh machine —
        the task's image (docker) or the read-only system with a new writable layer (local) —
        holding only what ``arena.sandbox.carry`` carries of the agent's changes; its
        ``verifier_view`` says what was carried and left out.  ``fresh=False`` cleans in place
        (the harness wrote the files itself: GRPO's answer groups).  ``keep_processes`` (the
        task's ``verifier.keep_services``): the agent's processes keep running and the verifier runs
        in the agent's machine, in place — weaker isolation, declared by the task.
        Returns the sandbox paths of the planted hooks removed (side info of the trial).
        """

    @abstractmethod
    def close(self) -> None:
        """Release everything (container, processes, temporary dirs).  Idempotent."""

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Runtime(ABC):
    """A sandbox backend.  Instances are cheap; heavy imports happen in methods."""

    name: str = "?"

    @abstractmethod
    def unavailable_reason(self) -> str | None:
        """None when the runtime can run here, else what is missing and how to fix it."""

    @abstractmethod
    def prepare(self, task: Task, *, progress=None) -> Prepared:
        """Build (or reuse from cache) what ``start`` needs for this task's environment.

        Raises ``SandboxError`` with the build log on failure.
        """

    @abstractmethod
    def start(self, task: Task, prepared: Prepared, *, trial_dir: Path) -> Sandbox:
        """Start a fresh sandbox with the task's limits (cpus, memory, network) enforced.

        ``trial_dir`` is a host folder owned by this trial for scratch files and logs.
        """
