"""The ``docker`` runtime: one image per task environment, one container per trial.

- ``prepare`` builds ``environment/`` with ``--network=host`` (builds install packages), tags it
  ``arena-task/<task id>:<env digest[:12]>`` and reuses it while the digest and the images it
  starts from are unchanged.  ``FROM`` images the engine does not have are replaced through the
  alias map (``arena.imagealias``) in a copy of the Dockerfile; the substitutions become notes.
- ``start`` runs a keeper as PID 1, hardened and with the task's limits: every capability dropped
  but ``CAPS`` (what root needs to own and hand over the container's own files), no new
  privileges, docker's default seccomp profile, cpus, memory without swap, a pids cap; no network
  unless ``allow_internet``, and then arena's own bridge (``arena.sandbox.egress``), never the
  host's network namespace.  A harness trial's container joins, for its harness command only, a
  network of its own whose one open door is the host's recording proxy (``arena.sandbox.route``).
  The keeper is a bash loop rather than ``sleep infinity`` because PID 1 must reap orphans: a
  killed fork bomb would otherwise leave zombies holding every pid slot.
- ``exec`` streams ``bash -c`` output (capped per stream) with a host-side deadline that kills
  every process but PID 1; ``mounts`` are copied in for one command and removed after.
- ``harden`` uses the container's filesystem diff to find hooks planted since it started.
"""

from __future__ import annotations

import dataclasses
import io
import posixpath
import re
import tarfile
import tempfile
import threading
import time
import uuid
from pathlib import Path

import docker.errors

from arena import imagealias
from arena.sandbox import carry, egress, handover, route
from arena.sandbox import dockerutil as du
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
)  # fmt: skip

#: the capabilities a trial's root keeps.  Root inside a task image owns its files and package
#: managers drop privileges (apt's _apt user); none of these reaches past the container's own
#: filesystem (no host folder is mounted into a trial: mounts are copies).  Everything else —
#: NET_RAW, MKNOD, SYS_CHROOT, SETFCAP, SETPCAP, AUDIT_WRITE, NET_BIND_SERVICE, … — is dropped.
CAPS = ("CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID")
SECURITY_OPT = ("no-new-privileges:true",)
KEEPER = ["bash", "-c", "while :; do sleep 2147483647 & wait $!; done"]
# print how many processes the agent left (one sleep under PID 1 is the keeper's), then SIGKILL everything but PID 1 (and this shell)
# until only the keeper's sleep is left
KILLER = r"""n=0; k=0
for p in /proc/[0-9]*; do
  case "${p#/proc/}" in 1|$$) continue ;; esac
  s=; read -r s < "$p/stat" 2>/dev/null || continue
  case "$s" in *"(sleep) "?" 1 "*) k=$((k+1)) ;; *) n=$((n+1)) ;; esac
done
[ $k -gt 1 ] && n=$((n+k-1))
echo "$n"
i=0
while [ $i -lt 40 ]; do
  kill -9 -1 2>/dev/null; n=0
  for p in /proc/[0-9]*; do
    case "${p#/proc/}" in 1|$$) continue ;; esac
    s=; read -r s < "$p/stat" 2>/dev/null || continue
    case "$s" in *"(sleep) "?" 1 "*) ;; *) n=$((n+1)) ;; esac
  done
  [ $n -eq 0 ] && exit 0; i=$((i+1))
done
exit 1"""
# mounts: move what is at $1 aside to $2, print the deepest existing ancestor, create the parents
MOUNT_PREP = r"""if [ -e "$1" ] || [ -L "$1" ]; then mv -T "$1" "$2" || exit 1; fi
d=$(dirname "$1"); while [ ! -d "$d" ]; do d=$(dirname "$d"); done; echo "$d"; mkdir -p "$(dirname "$1")"
"""
MOUNT_UNDO = r"""rm -rf -- "$1"; if [ -e "$2" ] || [ -L "$2" ]; then mv -T "$2" "$1"; fi
shift 2; for d in "$@"; do rmdir -- "$d" 2>/dev/null || break; done"""
_OOM_RE = re.compile(rb"^oom_kill (\d+)", re.MULTILINE)


def _slug(task_id: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", task_id.lower()).strip("-")[:100] or "task"


class DockerRuntime(Runtime):
    name = "docker"

    def __init__(self, image_aliases: str | Path | dict | None = None, base_tag: str | None = None, **_):
        self.base_tag = base_tag or imagealias.BASE_TAG
        try:
            self.aliases = imagealias.load_aliases(image_aliases, base_tag=self.base_tag)
        except imagealias.ImageAliasError as exc:
            raise RuntimeUnavailable(str(exc)) from exc
        self._client = None
        self._ncpu = None

    @property
    def client(self):
        if self._client is None:
            self._client = du.connect()
        return self._client

    def unavailable_reason(self) -> str | None:
        return du.daemon_problem()

    def prepare(self, task, *, progress=None) -> Prepared:
        t0 = time.perf_counter()
        try:
            text = task.paths.dockerfile.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SandboxError(f"cannot read {task.paths.dockerfile}: {exc}", kind="build") from exc
        client = self.client
        rw = imagealias.rewrite_from(text, self.aliases, lambda ref: du.image_or_none(client, ref) is not None)
        from_ids = []
        for s in rw.substitutions:
            if du.image_or_none(client, s.image) is None:
                fix = "run `arena base build`" if s.image == self.base_tag else "build or `docker load` it"
                raise SandboxError(f"{task.id}: FROM {s.original} maps to {s.image}, which the engine does not have: {fix}",
                                   kind="build")  # fmt: skip
        for ref in rw.bases:
            img = du.image_or_none(client, ref)
            from_ids.append(img.id.split(":")[-1][:12] if img else ref)
        notes = [s.note() for s in rw.substitutions]
        if task.spec.environment.allow_internet:
            egress.ensure(client)
            if egress.problem():
                notes.append(f"allow_internet: trials join the bridge {egress.NETWORK}, but {egress.problem()}")
        tag = f"arena-task/{_slug(task.id)}:{task.env_digest[:12]}"
        key = f"{task.env_digest[:12]}+{','.join(from_ids)}"
        img = du.image_or_none(client, tag)
        cached = img is not None and img.labels.get("arena.from") == ",".join(from_ids)
        if not cached:
            if img is not None:
                notes.append("rebuilt: an image it starts from changed since the last build")
            hint = ""
            if rw.unresolved:
                hint = (f"hint: {', '.join(rw.unresolved)} is neither in the engine nor aliased; no registry may be "
                        f"reachable: map it in a YAML file named by ${imagealias.ENV_VAR} (e.g. `{rw.unresolved[0]}: "
                        f"{self.base_tag}`) or `docker load` it")  # fmt: skip
            with tempfile.TemporaryDirectory(prefix="arena-df-") as tmp:
                df = Path(tmp) / "Dockerfile"
                df.write_text(rw.text, encoding="utf-8")
                du.stream_build(client, path=str(task.paths.environment), dockerfile=str(df), tag=tag,
                                timeout=task.spec.environment.build_timeout_sec, what=f"task {task.id}",
                                labels={"arena.env_digest": task.env_digest, "arena.from": ",".join(from_ids)},
                                progress=progress, hint=hint)  # fmt: skip
            img = client.images.get(tag)
        cfg = img.attrs.get("Config") or {}
        env = dict(e.split("=", 1) for e in cfg.get("Env") or [] if "=" in e)
        wd = cfg.get("WorkingDir") or "/"
        on_base = any(s.image == self.base_tag for s in rw.substitutions) or self.base_tag in rw.bases
        return Prepared(key=key, image=tag, workdir=wd if wd != "/" else "/root", env=env, notes=tuple(notes),
                        cached=cached, build_sec=time.perf_counter() - t0, verifier_tools=on_base)  # fmt: skip

    def start(self, task, prepared: Prepared, *, trial_dir: Path) -> DockerSandbox:
        api = self.client.api
        env = task.spec.environment
        if self._ncpu is None:
            self._ncpu = int(api.info().get("NCPU") or 1)
        network = egress.ensure(self.client) if env.allow_internet else "none"
        hc = api.create_host_config(
            network_mode=network, cap_drop=["ALL"], cap_add=list(CAPS), security_opt=list(SECURITY_OPT),
            nano_cpus=int(min(env.cpus, self._ncpu) * 1e9),
            mem_limit=env.memory_mb * 2**20, memswap_limit=env.memory_mb * 2**20,
            pids_limit=PIDS_LIMIT, auto_remove=False,
        )  # fmt: skip
        name = f"arena-{_slug(task.id)[:40]}"

        skills = None
        if (src := skills_source(task.paths.environment)) is not None:  # read-only at SKILLS_DIR
            buf = io.BytesIO()
            with tarfile.open(fileobj=buf, mode="w") as tar:
                tar.add(str(src), arcname=SKILLS_DIR.strip("/"), filter=du.readonly)
            skills = buf.getvalue()

        def create() -> str:
            try:
                cid = api.create_container(prepared.image, command=KEEPER, host_config=hc, working_dir=prepared.workdir,
                                           labels={"arena.trial": "1", "arena.task": task.id[:200]},
                                           name=f"{name}-{uuid.uuid4().hex[:8]}")["Id"]  # fmt: skip
            except docker.errors.APIError as exc:
                raise SandboxError(f"cannot create a container from {prepared.image}: {exc.explanation or exc}") from exc
            try:
                api.put_archive(cid, "/", du.make_tar({"logs/verifier": None, "logs/agent": None}, with_parents=True))
                if skills is not None:
                    api.put_archive(cid, "/", skills)
                api.start(cid)
            except docker.errors.APIError as exc:
                api.remove_container(cid, force=True)
                raise SandboxError(f"cannot start a container from {prepared.image} (the image needs bash): "
                                   f"{exc.explanation or exc}") from exc  # fmt: skip
            return cid

        box = DockerSandbox(self.client, create(), prepared.workdir, memory_bytes=env.memory_mb * 2**20)
        box.respawn_from = create
        box.carry = carry.rule_for(task, prepared.workdir)
        return box


class DockerSandbox(Sandbox):
    def __init__(self, client, cid: str, workdir: str, *, memory_bytes: int):
        self.client, self.api, self.cid = client, client.api, cid
        self.workdir = workdir
        self.memory_bytes = memory_bytes
        self.closed = False
        self._oom_seen = 0
        self.respawn_from = None  # makes a fresh container of the same image and limits (set by start)
        self.respawned = False
        self.fast_diff = True  # read the overlay upper dir when the engine is on this machine
        self.carry = carry.CarryRule(workspace=workdir)  # what the verifier's container gets (set by start)
        self.verifier_view = None  # arena.sandbox.carry.View once harden moved to a fresh container
        self._removing: threading.Thread | None = None  # the agent's container, being removed
        self.stopped_processes: int | None = None  # how many the agent left running (kill_all)

    # -- commands --------------------------------------------------------------------------
    def _sh(self, script: str, *args: str, timeout: float | None = 60) -> ExecResult:
        return self._run(["sh", "-c", script, "sh", *args], timeout=timeout, env=None, cwd="/", limit=1 << 16)

    def exec(self, command, *, timeout=None, env=None, cwd=None, mounts=None, output_limit=OUTPUT_LIMIT):
        if self.closed:
            raise SandboxError("sandbox is closed")
        placed = self._mount(mounts) if mounts else []
        try:
            res = self._run(["bash", "-c", command], timeout=timeout, env=env, cwd=cwd or self.workdir,
                            limit=output_limit)  # fmt: skip
        finally:
            self._unmount(placed)
        if res.exit_code == 137 and not res.timed_out and self._oom_happened():
            res = dataclasses.replace(res, oom_killed=True)
        return res

    def _run(self, argv, *, timeout, env, cwd, limit) -> ExecResult:
        t0 = time.perf_counter()
        try:
            eid = self.api.exec_create(self.cid, argv, environment=env or None, workdir=cwd, user="0")["Id"]
            stream = self.api.exec_start(eid, stream=True, demux=True)
        except docker.errors.APIError as exc:
            raise SandboxError(f"docker exec failed: {exc.explanation or exc}") from exc
        fired, killed, ended = threading.Event(), threading.Event(), threading.Event()

        def on_timeout() -> None:
            fired.set()
            try:
                self.kill_all()
            finally:
                killed.set()
            if not ended.wait(5):  # every process is gone, so the stream should have ended: cut it
                stream.close()

        timer = threading.Timer(timeout, on_timeout) if timeout else None
        if timer:
            timer.daemon = True
            timer.start()
        out, err = du.Capped(limit), du.Capped(limit)
        try:
            for o, e in stream:
                out.add(o)
                err.add(e)
        except Exception:
            if not fired.is_set():
                raise
        finally:
            ended.set()
            if timer:
                timer.cancel()
        if fired.is_set():
            killed.wait(120)  # the next command must not race the killer
        code = None
        if not fired.is_set():
            until, pause = time.monotonic() + 30, 0.002  # the stream can end a moment before the exit is recorded
            while True:
                info = self.api.exec_inspect(eid)
                if not info.get("Running") or time.monotonic() > until:
                    code = None if info.get("Running") else info.get("ExitCode")
                    break
                time.sleep(pause)
                pause = min(pause * 2, 0.1)
        return ExecResult(exit_code=code, stdout=out.text(), stderr=err.text(), duration_sec=time.perf_counter() - t0,
                          timed_out=fired.is_set(), truncated=out.truncated or err.truncated)  # fmt: skip

    def _oom_happened(self) -> bool:
        got = self._sh("cat /sys/fs/cgroup/memory/memory.oom_control /sys/fs/cgroup/memory.events 2>/dev/null")
        m = _OOM_RE.search(got.stdout.encode())
        if m:
            n = int(m.group(1))
            hit, self._oom_seen = n > self._oom_seen, n
            return hit
        mem = self.api.stats(self.cid, stream=False, one_shot=True).get("memory_stats") or {}
        return mem.get("failcnt", 0) > 0 or mem.get("max_usage", 0) >= 0.9 * self.memory_bytes

    def kill_all(self):
        try:
            r = self._run(["sh", "-c", KILLER], timeout=None, env=None, cwd="/", limit=4096)
            ok = r.exit_code == 0
            first = r.stdout.split("\n", 1)[0].strip()
            self.stopped_processes = int(first) if first.isdigit() else None
        except SandboxError:
            ok = False
        if not ok:  # no room to exec (fork bomb at the pids cap): restart PID 1, the fs is kept
            try:
                self.api.kill(self.cid)
                self.api.wait(self.cid, timeout=30)
                self.api.start(self.cid)
            except Exception as exc:
                if self.respawn_from is None:
                    raise SandboxError(f"could not stop the sandbox's processes: {exc}") from exc
                self._respawn(exc)

    def _respawn(self, why: BaseException) -> None:
        """The agent left its container unable to run anything (its shell deleted, say): go on in a
        fresh container of the same image and limits, with the workspace carried over, so the
        verifier still judges what the agent left instead of the trial becoming an infra error."""
        try:
            stream, _ = self.api.get_archive(self.cid, self.workdir)
            data = b"".join(stream)
            new = self.respawn_from()
            old, self.cid = self.cid, new
            r = self._sh('rm -rf -- "$1" && mkdir -p "$(dirname "$1")"', self.workdir)
            if r.exit_code != 0:
                raise SandboxError(r.stderr.strip()[:200])
            self.api.put_archive(self.cid, posixpath.dirname(self.workdir.rstrip("/")) or "/", data)
            self.api.remove_container(old, force=True)
        except Exception as exc:
            raise SandboxError(f"could not stop the sandbox's processes ({why}) nor carry its workspace into a "
                               f"fresh container: {exc}") from exc  # fmt: skip
        self.respawned = True

    def model_route(self) -> route.ModelRoute:
        """A context manager: this container's fenced route to a proxy on the host (``arena.sandbox.route``)."""
        return route.ModelRoute(self.client, self.cid)

    # -- mounts and files ------------------------------------------------------------------
    def _mount(self, mounts: dict[str, Path]) -> list[tuple[str, str, list[str]]]:
        """Copy each host dir to its target; what was there is moved aside, created parents noted."""
        placed = []
        try:
            for target, src in mounts.items():
                target = posixpath.normpath(target)
                if not target.startswith("/") or target == "/":
                    raise SandboxError(f"mount target must be an absolute path below /, got {target!r}")
                hidden = f"/.arena-hidden-{uuid.uuid4().hex[:12]}"
                r = self._sh(MOUNT_PREP, target, hidden)
                if r.exit_code != 0:
                    raise SandboxError(f"cannot mount at {target}: {r.stderr.strip()[:300]}")
                created, p = [], posixpath.dirname(target)
                while p not in (r.stdout.strip(), "/"):
                    created.append(p)
                    p = posixpath.dirname(p)
                placed.append((target, hidden, created))
                with tempfile.TemporaryFile() as fh:
                    with tarfile.open(fileobj=fh, mode="w") as tar:
                        tar.add(str(src), arcname=posixpath.basename(target), filter=du.readonly)
                    fh.seek(0)
                    self.api.put_archive(self.cid, posixpath.dirname(target), fh)
        except (OSError, docker.errors.APIError, SandboxError) as exc:
            self._unmount(placed)
            raise SandboxError(f"cannot copy mounts into the sandbox: {exc}") from exc
        return placed

    def _unmount(self, placed: list[tuple[str, str, list[str]]]) -> None:
        for target, hidden, created in reversed(placed):
            self._sh(MOUNT_UNDO, target, hidden, *created)

    def read_file(self, path, limit=OUTPUT_LIMIT):
        for _ in range(16):  # follow symlinks inside the container
            try:
                stream, stat = self.api.get_archive(self.cid, path)
            except docker.errors.NotFound:
                return None
            except docker.errors.APIError as exc:
                raise SandboxError(f"cannot read {path}: {exc.explanation or exc}") from exc
            if stat.get("linkTarget"):
                stream.close()
                path = posixpath.normpath(posixpath.join(posixpath.dirname(path), stat["linkTarget"]))
                continue
            if stat.get("mode", 0) & (1 << 31):  # a directory
                stream.close()
                return None
            with tarfile.open(fileobj=du.IterReader(stream), mode="r|") as tar:
                member = tar.next()
                fh = tar.extractfile(member) if member is not None else None
                data = fh.read(limit) if fh is not None else None
            stream.close()
            return data
        return None

    def write_file(self, path, data):
        try:
            self.api.put_archive(self.cid, "/", du.make_tar({posixpath.normpath(path).lstrip("/"): data}))
        except docker.errors.APIError as exc:
            raise SandboxError(f"cannot write {path}: {exc.explanation or exc}") from exc

    def harden(self, *, fresh: bool = True, keep_processes: bool = False):
        """Stop the agent's processes, then (``fresh``) move to a new container of the same image
        and limits holding only what ``arena.sandbox.carry`` carries of the agent's changes; the
        old one is removed.  ``fresh=False`` (nothing untrusted ran: answer files written by the
        harness; or ``keep_processes``: a task whose verifier checks a running service) cleans in
        place.  Returns the planted hooks left out."""
        if not keep_processes:
            self.kill_all()
        if fresh and not keep_processes and self.respawn_from is not None:
            return self._fresh_for_verifier()
        victims = [p for p in du.changed_paths(self.api, self.cid, fast=self.fast_diff)
                   if not p.startswith("/logs/verifier/") and carry.is_hook(p)]  # fmt: skip
        script = '[ -L /logs ] && rm -f /logs; rm -rf /logs/verifier "$@"; mkdir -p /logs/verifier /logs/agent'
        res = self._sh(script, *victims)
        if res.exit_code != 0:
            raise SandboxError(f"harden failed: {res.stderr.strip()[:300]}")
        return victims

    def _fresh_for_verifier(self) -> list[str]:
        t0 = time.perf_counter()
        got = handover.docker_collect(self.api, self.cid, self.carry, fast=self.fast_diff)
        try:
            new = self.respawn_from()
            old, self.cid = self.cid, new
            for i in range(0, len(got.deletions), 2000):
                r = self._sh('rm -rf -- "$@"', *got.deletions[i : i + 2000])
                if r.exit_code != 0:
                    raise SandboxError(f"cannot apply the agent's deletions: {r.stderr.strip()[:300]}")
            if not got.empty:
                self.api.put_archive(self.cid, "/", got.finish())
        except docker.errors.APIError as exc:
            raise SandboxError(f"cannot hand the agent's work to the verifier's container: {exc.explanation or exc}") from exc
        finally:
            got.fh.close()
        got.view.seconds = time.perf_counter() - t0
        self.verifier_view = got.view
        # the agent's container goes in the background (~0.2 s off the trial's path); close() waits
        self._removing = threading.Thread(target=self._remove_quietly, args=(old,), daemon=True)
        self._removing.start()
        return list(got.view.hooks)

    def _remove_quietly(self, cid: str) -> None:
        try:
            self.api.remove_container(cid, force=True)
        except docker.errors.APIError:
            pass  # the janitor removes what is left (label arena.trial)

    def close(self):
        if self.closed:
            return
        self.closed = True
        if self._removing is not None:
            self._removing.join(60)
        try:
            self.api.remove_container(self.cid, force=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:
            if exc.status_code != 409:  # 409: removal already in progress
                raise SandboxError(f"cannot remove container {self.cid[:12]}: {exc.explanation or exc}") from exc
