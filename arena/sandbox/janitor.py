"""Clean up what a crashed run left behind: sandboxes, cgroups, scratch folders, containers.

Everything a trial creates carries the creating process id (``arena-trial-<pid>-…`` scratch
folders, ``arena-<pid>-…`` cgroups, the ``arena.pid`` container label), so the janitor removes
only what belongs to processes that no longer exist — it is safe to run beside live runs.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from arena.sandbox.limits import CG

_PID = re.compile(r"^arena-(?:trial-)?(\d+)-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _orphan(name: str) -> bool:
    m = _PID.match(name)
    return bool(m) and not _alive(int(m.group(1)))


@dataclass
class Sweep:
    cgroups: list[str] = field(default_factory=list)
    scratch: list[str] = field(default_factory=list)
    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)  # model routes (arena.sandbox.route)
    killed: int = 0
    notes: list[str] = field(default_factory=list)

    def total(self) -> int:
        return len(self.cgroups) + len(self.scratch) + len(self.containers) + len(self.networks)


def _cgroup_dirs() -> list[Path]:
    roots = [CG] if (CG / "cgroup.controllers").is_file() else [CG / "pids", CG / "memory"]
    out = []
    for r in roots:
        if r.is_dir():
            out += [d for d in r.iterdir() if d.is_dir() and d.name.startswith("arena-")]
    return out


def sweep(*, dry_run: bool = False, docker: bool = True) -> Sweep:
    s = Sweep()
    for d in _cgroup_dirs():
        if not _orphan(d.name):
            continue
        s.cgroups.append(str(d))
        if dry_run:
            continue
        try:
            for pid in (d / "cgroup.procs").read_text().split():
                os.kill(int(pid), signal.SIGKILL)
                s.killed += 1
        except (OSError, ValueError):
            pass
        try:
            d.rmdir()
        except OSError as exc:
            s.notes.append(f"could not remove {d}: {exc.strerror}")
    tmp = Path(tempfile.gettempdir())
    for d in tmp.glob("arena-trial-*"):
        if d.is_dir() and _orphan(d.name):
            s.scratch.append(str(d))
            if not dry_run:
                shutil.rmtree(d, ignore_errors=True)
    if docker:
        _sweep_docker(s, dry_run)
    return s


def _sweep_docker(s: Sweep, dry_run: bool) -> None:
    try:
        import docker

        client = docker.from_env(timeout=5)
        client.ping()
    except Exception:  # noqa: BLE001 - no daemon: nothing to sweep there
        return
    for c in client.containers.list(all=True, filters={"label": "arena.trial=1"}):
        pid = c.labels.get("arena.pid")
        host = c.labels.get("arena.host")
        if host and host != os.uname().nodename:
            continue  # another machine's container on a shared daemon
        if not (pid and pid.isdigit()):
            if c.status == "running":
                continue  # no owner recorded: only stopped ones are surely dead
        elif _alive(int(pid)):
            continue
        s.containers.append(c.name)
        if not dry_run:
            try:
                c.remove(force=True)
            except Exception as exc:  # noqa: BLE001 - recorded, the sweep goes on
                s.notes.append(f"could not remove container {c.name}: {exc}")
    for n in client.networks.list(filters={"label": "arena.route=1"}):
        pid = (n.attrs.get("Labels") or {}).get("arena.pid")
        if pid and pid.isdigit() and _alive(int(pid)):
            continue
        s.networks.append(n.name)
        if not dry_run:
            from arena.sandbox import route

            route.forget(n.name)
            try:
                n.remove()
            except Exception as exc:  # noqa: BLE001 - recorded, the sweep goes on
                s.notes.append(f"could not remove network {n.name}: {exc}")
