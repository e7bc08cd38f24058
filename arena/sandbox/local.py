"""The ``local`` runtime: trials on the host inside bubblewrap, for machines without Docker.

Filesystem view of one sandbox (every ``exec`` is one ``bwrap`` launch over the same trial dir):
- the host's system folders (/usr, /etc, /opt, /var, …) read-only;
- writable, per trial (kept across commands): /root (home), the Dockerfile's WORKDIR, every COPY
  destination (seeded from ``environment/``), /tmp, /var/tmp, /logs;
- the interpreter running arena stays visible (its prefix is re-bound read-only) and comes first
  on PATH, so verifiers find python3 + pytest;
- network off (its own empty namespace) unless ``allow_internet``; own PID namespace, so every
  process a command started dies with it;
- limits: a cgroup (v1 or v2) per trial for memory and process count when the host lets us write
  one, else rlimits (address space; process count only when not root) and a note saying so;
- priority: each command runs in a session of its own, whose autogroup gets the calling thread's
  nice value (``limits.inherit_priority``), so trials launched from a low-priority thread stay
  low-priority.

``RUN`` steps cannot be replayed on the host: ``prepare`` lists them in ``Prepared.notes``.
Without bubblewrap the runtime refuses (naming the package to install) unless isolation is
turned off explicitly for a trusted corpus (``isolation="none"``), which prints a loud warning.

The pieces: ``bwrap`` (isolation flags, the probe, the host's read-only view), ``localfs`` (files:
seeding, host paths, hooks, safe reads and writes), ``launch`` (one launch of a command).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
import uuid
from pathlib import Path

from arena import dockerfile
from arena.sandbox import bwrap, carry, handover
from arena.sandbox.base import (
    OUTPUT_LIMIT,
    PIDS_LIMIT,
    SKILLS_DIR,
    ExecResult,
    Prepared,
    Runtime,
    RuntimeUnavailable,
    Sandbox,
    SandboxError,
    skills_source,
)
from arena.sandbox.bwrap import _HOST_RO, _bwrap_problem, _interpreter_dirs, _var_binds, isolation_flags
from arena.sandbox.launch import launch
from arena.sandbox.limits import Limiter
from arena.sandbox.localfs import LocalFiles, _safe_read

__all__ = ["START_ATTEMPTS", "LocalRuntime", "LocalSandbox", "_bwrap_problem", "isolation_flags"]

#: launches of one command before a sandbox that bubblewrap could not build is an infra error
START_ATTEMPTS = 5


class LocalRuntime(Runtime):
    name = "local"

    def __init__(self, isolation: str = "bwrap", cache_dir: str | Path | None = None, **_):
        if isolation not in ("bwrap", "none"):
            raise RuntimeUnavailable(f"isolation must be 'bwrap' or 'none', got {isolation!r}")
        self.isolation = isolation
        if isolation == "none":
            print(
                "WARNING: local runtime with isolation OFF: agent and verifier commands run directly on "
                "this machine with its network and files. Use only for trusted corpora.",
                file=sys.stderr,
            )

    def unavailable_reason(self) -> str | None:
        if self.isolation == "none":
            return None
        return _bwrap_problem()

    def prepare(self, task, *, progress=None) -> Prepared:
        t0 = time.perf_counter()
        notes = []
        try:
            text = task.paths.dockerfile.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SandboxError(f"cannot read {task.paths.dockerfile}: {exc}", kind="build") from exc
        plan = dockerfile.plan(dockerfile.parse(text))
        for ins in plan.runs:
            notes.append(f"line {ins.line}: RUN not honoured by the local runtime (uses host tools): {ins.args[:120]}")
        for c in plan.copies:
            if c.from_stage:
                notes.append(f"line {c.line}: COPY --from={c.from_stage} not honoured")
            for s in c.sources:
                if "://" in s:
                    notes.append(f"line {c.line}: ADD of a URL not honoured: {s}")
                elif not (task.paths.environment / s).exists() and not any(ch in s for ch in "*?["):
                    raise SandboxError(
                        f"{task.paths.dockerfile} line {c.line}: COPY source {s!r} does not exist in environment/",
                        kind="build",
                    )
        if plan.user and plan.user not in ("root", "0"):
            notes.append(f"USER {plan.user} not honoured: commands run as root")
        workdir = plan.workdir if plan.workdir != "/" else "/root"
        if self.isolation == "bwrap" and self.unavailable_reason() is None:
            notes += bwrap._WEAKER
            if task.spec.environment.allow_internet:
                notes.append("allow_internet: the local runtime shares the host's network (its loopback services "
                             "included); use the docker runtime for a network of the task's own")  # fmt: skip
        return Prepared(
            key=task.env_digest, workdir=workdir, env=dict(plan.env), notes=tuple(notes),
            build_sec=time.perf_counter() - t0, verifier_tools=True,  # pytest + pytest-json-ctrf: arena's own deps
        )  # fmt: skip

    def start(self, task, prepared: Prepared, *, trial_dir: Path) -> LocalSandbox:
        why = self.unavailable_reason()
        if why:
            raise RuntimeUnavailable(why)
        plan = dockerfile.plan(dockerfile.parse(task.paths.dockerfile.read_text(encoding="utf-8")))
        env = task.spec.environment
        return LocalSandbox(
            trial_dir=Path(trial_dir),
            environment=task.paths.environment,
            plan=plan,
            workdir=prepared.workdir,
            image_env=prepared.env,
            allow_internet=env.allow_internet,
            memory_mb=env.memory_mb,
            isolation=self.isolation,
            carry_rule=carry.rule_for(task, prepared.workdir),
        )


class LocalSandbox(LocalFiles, Sandbox):
    def __init__(self, *, trial_dir, environment, plan, workdir, image_env, allow_internet, memory_mb, isolation,
                 carry_rule: carry.CarryRule | None = None):  # fmt: skip
        self.trial_dir = trial_dir
        self.fs = trial_dir / "fs"
        self.workdir = workdir
        self.image_env = image_env
        self.allow_internet = allow_internet
        self.isolation = isolation
        self.closed = False
        self.fs.mkdir(parents=True, exist_ok=True)
        writable = {"/root", "/tmp", "/var/tmp", "/logs", workdir}
        for c in plan.copies:
            if c.from_stage or any("://" in s for s in c.sources):
                continue
            dest_dir = c.dest if c.dest.endswith("/") or len(c.sources) > 1 else os.path.dirname(c.dest)
            writable.add(dest_dir.rstrip("/") or "/")
            self._seed(environment, c)
        # keep only outermost writable dirs (a nested one is already inside its parent's bind)
        ordered = sorted({os.path.normpath(w) for w in writable if w != "/"}, key=len)
        self.binds: list[str] = []
        for w in ordered:
            if not any(w == b or w.startswith(b + "/") for b in self.binds):
                self.binds.append(w)
        for b in self.binds:
            (self.fs / b.lstrip("/")).mkdir(parents=True, exist_ok=True)
        (self.fs / "logs/verifier").mkdir(parents=True, exist_ok=True)
        (self.fs / "logs/agent").mkdir(parents=True, exist_ok=True)
        name = f"arena-{os.getpid()}-{uuid.uuid4().hex[:10]}"  # pid: the janitor can tell orphans
        self.limiter = Limiter(name, memory_mb=memory_mb, pids=PIDS_LIMIT)
        self._initial_hooks = {p.relative_to(self.fs): _safe_read(p) for p in self._hook_files()}
        self.carry = carry_rule or carry.CarryRule(workspace=workdir)
        self.skills = skills_source(environment)  # bound read-only at SKILLS_DIR for every command
        self.verifier_view = None  # arena.sandbox.carry.View once harden built the verifier's layer
        self._pristine = trial_dir / "pristine"  # seeded files the carry rule keeps out, as seeded
        if isolation != "none":
            handover.keep_pristine(self.fs, self.binds, self.carry, self._pristine)

    # -- commands --------------------------------------------------------------------------
    def _argv(self, command: str, cwd: str, mounts: dict[str, Path], fds: dict[str, int] | None = None) -> list[str]:
        if self.isolation == "none":
            return ["bash", "-c", command]
        fds = fds or {}
        a = ["bwrap", "--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
        a += isolation_flags(userns=bool(bwrap._BWRAP_OK.get("userns", True)), seccomp_fd=fds.get("seccomp"))
        if not self.allow_internet:
            a.append("--unshare-net")
        a += ["--tmpfs", "/", "--proc", "/proc", "--dev", "/dev"]
        for name in _HOST_RO:
            host = Path("/") / name
            if host.is_symlink():
                a += ["--symlink", os.readlink(host), f"/{name}"]
            elif name == "var" and host.is_dir():
                a += _var_binds()
            elif host.is_dir():
                a += ["--ro-bind", str(host), f"/{name}"]
        for b in self.binds:
            a += ["--bind", str(self.fs / b.lstrip("/")), b]
        for keep in _interpreter_dirs():
            if not any(keep.startswith(f"/{n}/") for n in _HOST_RO):
                a += ["--ro-bind", keep, keep]
        if self.skills is not None:
            a += ["--ro-bind", str(self.skills), SKILLS_DIR]
        for target, src in (mounts or {}).items():
            a += ["--ro-bind", str(src), target]
        a += ["--chdir", cwd]
        if "started" in fds:  # say "built" on a pipe, close it, then run the command as `bash -c` would
            n = fds["started"]
            return a + ["bash", "-c", f'printf . >&{n}; exec {n}>&-; exec bash -c "$1"', "bash", command]
        return a + ["bash", "-c", command]

    def _env(self, env: dict[str, str] | None) -> dict[str, str]:
        path = os.pathsep.join(
            [os.path.dirname(sys.executable), "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        )
        out = {"PATH": path, "HOME": "/root", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "dumb"}
        out.update(self.image_env)
        out.update(env or {})
        if self.isolation == "none":  # no filesystem remapping: translate sandbox paths
            out = {k: self._translate(v) for k, v in out.items()}
            out["PATH"] = path
        return out

    def _translate(self, value: str) -> str:
        if value.startswith("/"):
            hp = self.host_path(value)
            if hp is not None:
                return str(hp)
        return value

    def exec(self, command, *, timeout=None, env=None, cwd=None, mounts=None, output_limit=OUTPUT_LIMIT):
        if self.closed:
            raise SandboxError("sandbox is closed")
        cwd = cwd or self.workdir
        run_env = self._env(env)
        host_cwd = None
        if self.isolation == "none":
            for target, src in (mounts or {}).items():
                rx = re.compile(r"(?<![\w/.-])" + re.escape(target) + r"(?=/|\s|$|[\"';])")
                run_env = {k: rx.sub(str(src), v) for k, v in run_env.items()}
                command = rx.sub(str(src), command)
            host_cwd = str(self.host_path(cwd) or self.trial_dir)

        def argv_for(fds: dict[str, int]) -> list[str]:
            return self._argv(command, cwd, {} if self.isolation == "none" else (mounts or {}), fds)

        why = ""
        for attempt in range(START_ATTEMPTS):
            oom_before = self.limiter.oom_events()
            t0 = time.perf_counter()
            proc, out, err, timed_out, started = launch(argv_for, limiter=self.limiter, isolation=self.isolation,
                                                       env=run_env, cwd=host_cwd, timeout=timeout,
                                                       output_limit=output_limit)  # fmt: skip
            dur = time.perf_counter() - t0
            if started or timed_out:
                break
            # bubblewrap failed while building the sandbox (the command never ran): a host mount
            # that changed under a bind while it was set up; try again on a fresh view
            why = err.text().strip()[:300]
            time.sleep(0.05 * (attempt + 1))
        else:
            raise SandboxError(f"bubblewrap could not start the sandbox ({START_ATTEMPTS} attempts): {why}",
                               kind="sandbox_exec")  # fmt: skip
        code = None if timed_out else proc.returncode
        stdout, stderr = out.text(), err.text()
        return ExecResult(
            exit_code=code,
            stdout=stdout,
            stderr=stderr,
            duration_sec=dur,
            timed_out=timed_out,
            truncated=out.truncated or err.truncated,
            oom_killed=self.limiter.hit_limit(oom_before, code, stderr + "\n" + stdout),
        )

    def kill_all(self):
        self.limiter.kill_all()

    keeps_processes = False  # each command runs in its own PID namespace: its processes end with it

    def harden(self, *, fresh: bool = True, keep_processes: bool = False):
        """Stop the agent's processes, remove planted hooks, empty /logs/verifier; then (``fresh``)
        the verifier gets a new writable layer holding only what ``arena.sandbox.carry`` carries
        of the agent's (the system stays the host's, read-only).  Returns the hooks removed."""
        self.kill_all()
        for b in self.binds:  # an agent that chmods its workspace 000 must not stop the verifier starting
            top = self.fs / b.lstrip("/")
            if top.is_dir() and not top.is_symlink():
                top.chmod(top.stat().st_mode | 0o700)
        removed = []
        for p in self._hook_files():
            rel = p.relative_to(self.fs)
            if rel not in self._initial_hooks or self._initial_hooks[rel] != _safe_read(p) or p.is_symlink():
                p.unlink(missing_ok=True)
                removed.append(f"/{rel}")
        vdir = self.fs / "logs/verifier"
        if vdir.is_symlink() or not vdir.is_dir():
            vdir.unlink(missing_ok=True)
        else:
            shutil.rmtree(vdir)
        if fresh and self.isolation != "none":
            new = self.trial_dir / f"fs-verifier-{uuid.uuid4().hex[:6]}"
            self.verifier_view = handover.local_layer(self.fs, new, self.binds, self.carry, pristine=self._pristine)
            old, self.fs = self.fs, new
            shutil.rmtree(old, ignore_errors=True)
            (self.fs / "logs/agent").mkdir(parents=True, exist_ok=True)
        (self.fs / "logs/verifier").mkdir(parents=True, exist_ok=True)
        return removed

    def close(self):
        if self.closed:
            return
        self.closed = True
        self.limiter.close()
        shutil.rmtree(self.fs, ignore_errors=True)
