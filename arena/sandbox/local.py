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
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import stat
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from arena import dockerfile
from arena.sandbox import carry, handover, seccomp
from arena.sandbox.base import (
    OUTPUT_LIMIT,
    PIDS_LIMIT,
    PLANTED_HOOKS,
    PLANTED_SUFFIXES,
    SKILLS_DIR,
    ExecResult,
    Prepared,
    Runtime,
    RuntimeUnavailable,
    Sandbox,
    SandboxError,
    skills_source,
)
from arena.sandbox.limits import Limiter, inherit_priority

_HOST_RO = ("usr", "etc", "opt", "var", "srv", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "nix")
_BWRAP_OK: dict[str, object] = {}
#: launches of one command before a sandbox that bubblewrap could not build is an infra error
START_ATTEMPTS = 5
#: what the probe found missing but could live without (recorded as a note on every trial)
_WEAKER: list[str] = []


def isolation_flags(*, userns: bool = True, seccomp_fd: int | None = None) -> list[str]:
    """bubblewrap flags that leave the sandboxed command no way to reach the host.

    A user namespace (the command is root only inside it) with every capability dropped, so no
    read-only bind can be remounted writable, nothing new mounted, no device node made; no new
    privileges (bubblewrap always sets it); the seccomp filter of ``arena.sandbox.seccomp`` when
    this architecture has one.  No ``--new-session``: every command already starts in a session of
    its own without a terminal (``start_new_session``, stdin /dev/null), and a second ``setsid``
    would leave the autogroup that carries the caller's priority.
    """
    a = ["--unshare-user", "--uid", "0", "--gid", "0"] if userns else []
    a += ["--cap-drop", "ALL"]
    if seccomp_fd is not None:
        a += ["--seccomp", str(seccomp_fd)]
    return a


#: what the probe's command prints: effective and bounding capabilities, seccomp mode, a mount try
_PROBE = "grep -E '^(CapEff|CapBnd|Seccomp):' /proc/self/status; mount -t tmpfs none /tmp 2>/dev/null && echo MOUNTED; true"


def _probe(exe: str, userns: bool) -> tuple[str | None, dict[str, str]]:
    fd = os.open(seccomp.program_file(), os.O_RDONLY) if seccomp.supported() else None
    try:
        argv = [exe, *isolation_flags(userns=userns, seccomp_fd=fd), "--ro-bind", "/", "/", "--tmpfs", "/tmp",
                "--unshare-net", "--unshare-pid", "--proc", "/proc", "--dev", "/dev", "sh", "-c", _PROBE]  # fmt: skip
        p = subprocess.run(argv, capture_output=True, text=True, pass_fds=(fd,) if fd is not None else ())
    finally:
        if fd is not None:
            os.close(fd)
    if p.returncode != 0:
        return f"bwrap cannot create a hardened sandbox here: {p.stderr.strip()[:300]}", {}
    got = dict(line.split(":", 1) for line in p.stdout.splitlines() if ":" in line)
    return None, {k: v.strip() for k, v in got.items()} | ({"mounted": "yes"} if "MOUNTED" in p.stdout else {})


def _bwrap_problem() -> str | None:
    """None when bubblewrap gives the full isolation here, else what is missing (the runtime refuses)."""
    if "r" in _BWRAP_OK:
        return _BWRAP_OK["r"]  # type: ignore[return-value]
    exe = shutil.which("bwrap")
    if exe is None:
        why = "bubblewrap is not installed: `apt-get install bubblewrap` (or your distribution's bubblewrap package)"
    else:
        why, got = _probe(exe, userns=True)
        _BWRAP_OK["userns"] = why is None
        if why is not None and os.geteuid() == 0:
            # no user namespaces (e.g. user.max_user_namespaces = 0): as root, dropping every
            # capability under no_new_privs still leaves nothing that reaches the host
            why2, got = _probe(exe, userns=False)
            if why2 is None:
                _WEAKER.append(f"user namespaces are unavailable ({why}); the sandbox runs as root with every "
                               "capability dropped and no_new_privs instead")  # fmt: skip
            why = why2
        if why is None:
            why = _check_probe(got)
    _BWRAP_OK["r"] = why
    return why


def _check_probe(got: dict[str, str]) -> str | None:
    missing = []
    if got.get("CapEff", "").strip("0") or "CapEff" not in got:
        missing.append(f"the sandboxed command still holds capabilities (CapEff {got.get('CapEff', '?')})")
    if got.get("mounted"):
        missing.append("the sandboxed command can mount filesystems")
    if seccomp.supported() and got.get("Seccomp") != "2":
        missing.append(f"the seccomp filter is not in force (Seccomp {got.get('Seccomp', '?')}; kernel built without it?)")
    if not seccomp.supported():
        _WEAKER.append(f"no seccomp filter for this architecture ({platform.machine()}): capabilities are dropped, "
                       "calls are not filtered")  # fmt: skip
    if missing:
        return ("bubblewrap cannot isolate untrusted code here: " + "; ".join(missing)
                + ". Use the docker runtime, or a kernel/bubblewrap with user namespaces and seccomp")  # fmt: skip
    return None


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
            notes += _WEAKER
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


class LocalSandbox(Sandbox):
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

    # -- filesystem ------------------------------------------------------------------------
    def _seed(self, environment: Path, c) -> None:
        multi = len(c.sources) > 1 or c.dest.endswith("/")
        for s in c.sources:
            srcs = sorted(environment.glob(s)) if any(ch in s for ch in "*?[") else [environment / s]
            for src in srcs:
                if src.is_dir():
                    dest = self.fs / c.dest.lstrip("/")
                    shutil.copytree(src, dest, dirs_exist_ok=True, symlinks=True)
                else:
                    dest = self.fs / c.dest.lstrip("/")
                    if multi:
                        dest = dest / src.name
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(src, dest)

    def host_path(self, path: str) -> Path | None:
        """Where a sandbox path lives on the host, when it is in a writable bind.

        Symlinks are followed as the sandbox would follow them (``_resolve``), never on the host:
        a link the agent or verifier planted cannot make the harness read or write a host file.
        """
        real = self._resolve(path)
        return self._in_bind(real) if real is not None else None

    def _in_bind(self, norm: str) -> Path | None:
        for b in self.binds:
            if norm == b or norm.startswith(b + "/"):
                return self.fs / norm.lstrip("/")
        return None

    def _visible(self, norm: str) -> tuple[Path | None, bool]:
        """(host path, is a plain folder of the sandbox's own tmpfs root) for a link-free sandbox path."""
        hp = self._in_bind(norm)
        if hp is not None:
            return hp, False
        if any(b.startswith(norm + "/") for b in self.binds):
            return None, True  # a parent bubblewrap created for a bind
        top = norm.strip("/").split("/", 1)[0]
        if top == "var":
            rel = norm[len("/var/"):] if norm.startswith("/var/") else ""
            if any(rel == skip or rel.startswith(skip + "/") for skip in _VAR_SKIP):
                return None, False
        if top in _HOST_RO or any(norm == d or norm.startswith(d + "/") for d in _interpreter_dirs()):
            return Path(norm), False
        return None, False

    def _resolve(self, path: str) -> str | None:
        """The link-free sandbox path ``path`` names, or None when the sandbox cannot see it."""
        parts = [p for p in path.split("/") if p not in ("", ".")]
        cur, hops = "/", 0
        while parts:
            p = parts.pop(0)
            if p == "..":
                cur = os.path.dirname(cur)
                continue
            nxt = os.path.join(cur, p)
            hp, own = self._visible(nxt)
            if hp is not None and os.path.islink(hp):
                hops += 1
                if hops > 40:
                    return None
                target = os.readlink(hp)
                parts = [q for q in target.split("/") if q not in ("", ".")] + parts
                if target.startswith("/"):
                    cur = "/"
                continue
            if hp is None and not own:
                return None
            cur = nxt
        return cur

    def _hook_files(self) -> list[Path]:
        out = []
        for b in self.binds:
            for dirpath, _dirs, files in os.walk(self.fs / b.lstrip("/")):
                for f in files:
                    if f in PLANTED_HOOKS or f.endswith(PLANTED_SUFFIXES):
                        out.append(Path(dirpath) / f)
        return out

    # -- commands --------------------------------------------------------------------------
    def _argv(self, command: str, cwd: str, mounts: dict[str, Path], fds: dict[str, int] | None = None) -> list[str]:
        if self.isolation == "none":
            return ["bash", "-c", command]
        fds = fds or {}
        a = ["bwrap", "--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
        a += isolation_flags(userns=bool(_BWRAP_OK.get("userns", True)), seccomp_fd=fds.get("seccomp"))
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
            proc, out, err, timed_out, started = self._launch(argv_for, env=run_env, cwd=host_cwd, timeout=timeout,
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

    def _launch(self, argv_for, *, env, cwd, timeout, output_limit):
        """One launch: (proc, stdout, stderr, timed_out, started).

        ``started`` says the sandbox was built and the command ran: a shell inside the finished
        sandbox writes one byte to a pipe and closes it before it runs the command, so a set-up
        failure of bubblewrap cannot be faked by a command that prints "bwrap: …" and exits 1.
        """
        fds: dict[str, int] = {}
        close: list[int] = []
        started_r = None
        if self.isolation == "bwrap":
            started_r, started_w = os.pipe()
            fds["started"] = started_w
            close.append(started_w)
            if seccomp.supported():
                fds["seccomp"] = os.open(seccomp.program_file(), os.O_RDONLY)
                close.append(fds["seccomp"])
        try:
            proc = subprocess.Popen(
                self.limiter.wrap(argv_for(fds)),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                cwd=cwd,
                start_new_session=True,
                pass_fds=tuple(fds.values()),
            )
        finally:
            for fd in close:
                os.close(fd)
        inherit_priority(proc.pid)  # a new session is a new autogroup: keep a background caller's nice
        out, err = _Capped(proc.stdout, output_limit), _Capped(proc.stderr, output_limit)
        built = _Capped(os.fdopen(started_r, "rb"), 64) if started_r is not None else None
        # a blocking wait plus a timer (Popen.wait(timeout=) polls with sleeps up to 50 ms)
        fired = threading.Event()

        def on_timeout() -> None:
            fired.set()
            self._kill(proc)

        timer = threading.Timer(timeout, on_timeout) if timeout else None
        if timer:
            timer.daemon = True
            timer.start()
        proc.wait()
        if timer:
            timer.cancel()
        self.limiter.kill_all()  # anything the command left running (isolation=none)
        out.join(), err.join()
        started = True
        if built is not None:
            built.join()
            started = bytes(built.buf) == b"."
        return proc, out, err, fired.is_set(), started

    def _kill(self, proc: subprocess.Popen) -> None:
        try:
            os.killpg(proc.pid, 9)
        except ProcessLookupError:
            pass
        self.limiter.kill_all()

    def read_file(self, path, limit=OUTPUT_LIMIT):
        real = self._resolve(path)
        hp = self._visible(real)[0] if real is not None else None
        return _safe_read(hp, limit) if hp is not None else None

    def write_file(self, path, data):
        hp = self.host_path(path)
        if hp is None:
            raise SandboxError(f"{path} is on a read-only part of the local sandbox (writable: {self.binds})")
        hp.parent.mkdir(parents=True, exist_ok=True)
        if hp.is_symlink() or (hp.exists() and not hp.is_file()):
            raise SandboxError(f"cannot write {path}: it is not a regular file in the sandbox")
        fd = os.open(hp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)

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


#: container engines' storage under /var/lib: mounts come and go there while trials start, which
#: makes a recursive bind of /var racy ("Can't bind mount /oldroot/var/…/overlay2/…")
_VAR_SKIP = {"lib/docker", "lib/arena-docker", "lib/containerd", "lib/containers", "tmp"}


def _var_binds() -> list[str]:
    """Binds of /var's entries, one by one, skipping engines' storage.  Entries come and go while
    containers start and stop, so every bind is a ``--ro-bind-try`` (a vanished source is skipped)
    and a link that vanished while it was read is left out."""
    out: list[str] = []

    def add(path: str) -> None:
        try:
            out.extend(["--symlink", os.readlink(path), path] if os.path.islink(path) else ["--ro-bind-try", path, path])
        except OSError:
            pass

    for top in sorted(os.listdir("/var")):
        path = f"/var/{top}"
        if top == "lib" and os.path.isdir(path) and not os.path.islink(path):
            for sub in sorted(os.listdir(path)):
                if f"lib/{sub}" not in _VAR_SKIP:
                    add(f"{path}/{sub}")
        elif top not in _VAR_SKIP:
            add(path)
    return out


def _safe_read(p: Path, limit: int = -1) -> bytes | None:
    """A regular file's bytes (at most ``limit``), never following a link nor blocking on a FIFO
    (None otherwise)."""
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(limit)
    finally:
        os.close(fd)


def _interpreter_dirs() -> list[str]:
    dirs = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)}
    exe = os.path.realpath(sys.executable)
    dirs.add(os.path.dirname(os.path.dirname(exe)))
    return sorted(d for d in dirs if d not in ("/", "/usr"))


class _Capped:
    """Drain a pipe in a thread, keeping at most ``limit`` bytes (the rest is discarded)."""

    def __init__(self, stream, limit: int):
        self.buf = bytearray()
        self.limit = limit
        self.truncated = False
        self.t = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self.t.start()

    def _run(self, stream) -> None:
        for chunk in iter(lambda: stream.read(65536), b""):
            room = self.limit - len(self.buf)
            if room > 0:
                self.buf += chunk[:room]
            if len(chunk) > max(room, 0):
                self.truncated = True
        stream.close()

    def join(self) -> None:
        self.t.join(timeout=10)

    def text(self) -> str:
        return self.buf.decode("utf-8", errors="replace")
