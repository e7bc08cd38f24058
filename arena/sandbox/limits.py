"""Per-trial resource limits for host processes: a cgroup when we may write one, else rlimits.

cgroup v1 (``pids`` + ``memory`` hierarchies) and v2 (unified) are both handled.  The command is
wrapped in ``sh -c 'echo $$ > …/cgroup.procs; exec …'`` so it enters the cgroup before it runs
(no preexec_fn: safe with threads).  ``kill_all`` SIGKILLs every process left in the cgroup.
Without a writable cgroup, ``prlimit`` caps the address space (and process count when not root);
``mode`` says which is in force so the trial can record it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import threading
import time
from pathlib import Path

CG = Path("/sys/fs/cgroup")
#: what a program prints when an allocation fails (Python, libc/strerror, C++, shells, Go, Node)
_ALLOC_FAILED = re.compile(r"\bMemoryError\b|Cannot allocate memory|std::bad_alloc|\bout of memory\b|"
                           r"memory exhausted|JavaScript heap out of memory|ENOMEM", re.IGNORECASE)


def allocation_failed(text: str) -> bool:
    """The output of a command that failed because an allocation was refused: under the
    address-space rlimit the memory limit shows up as this, not as a kill."""
    return bool(_ALLOC_FAILED.search(text[-20000:]))


def _writable(p: Path) -> bool:
    return p.is_dir() and os.access(p, os.W_OK)


class Limiter:
    def __init__(self, name: str, *, memory_mb: int, pids: int):
        self.memory_bytes = int(memory_mb) * 1024 * 1024
        self.pids = pids
        self.dirs: list[Path] = []
        self.mode = "rlimit"
        try:
            self._setup_cgroup(name)
        except OSError:
            self._teardown()
            self.dirs = []
        if self.dirs:
            self.mode = "cgroup"

    def _setup_cgroup(self, name: str) -> None:
        if (CG / "cgroup.controllers").is_file():  # v2
            if not _writable(CG):
                return
            d = CG / name
            d.mkdir()
            self.dirs.append(d)
            (d / "pids.max").write_text(str(self.pids))
            (d / "memory.max").write_text(str(self.memory_bytes))
            if (d / "memory.swap.max").exists():
                (d / "memory.swap.max").write_text("0")
            return
        pid_root, mem_root = CG / "pids", CG / "memory"
        if not (_writable(pid_root) and _writable(mem_root)):
            return
        for root, settings in (
            (pid_root, {"pids.max": str(self.pids)}),
            (mem_root, {"memory.limit_in_bytes": str(self.memory_bytes)}),
        ):
            d = root / name
            d.mkdir()
            self.dirs.append(d)
            for k, v in settings.items():
                (d / k).write_text(v)
            if root is mem_root and (d / "memory.memsw.limit_in_bytes").exists():
                try:
                    (d / "memory.memsw.limit_in_bytes").write_text(str(self.memory_bytes))
                except OSError:
                    pass

    def wrap(self, argv: list[str]) -> list[str]:
        if self.dirs:
            joins = "; ".join(f"echo $$ > {d}/cgroup.procs" for d in self.dirs)
            return ["sh", "-c", f"{joins}; exec \"$0\" \"$@\"", *argv]
        if shutil.which("prlimit"):
            extra = [f"--as={self.memory_bytes * 4}"]  # address space, with headroom over RSS
            if os.geteuid() != 0:
                extra.append(f"--nproc={self.pids}")
            return ["prlimit", *extra, "--", *argv]
        return argv

    def procs(self) -> list[int]:
        out: set[int] = set()
        for d in self.dirs:
            try:
                out |= {int(x) for x in (d / "cgroup.procs").read_text().split()}
            except OSError:
                pass
        return sorted(out)

    def kill_all(self) -> None:
        if not self.dirs:
            return
        d0 = self.dirs[0]
        if (d0 / "cgroup.kill").exists():
            try:
                (d0 / "cgroup.kill").write_text("1")
            except OSError:
                pass
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            left = self.procs()
            if not left:
                return
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(0.01)

    def hit_limit(self, events_before: int, exit_code: int | None, output: str) -> bool:
        """Did the memory limit end this command?  A cgroup counts its OOM kills; under the
        rlimit an allocation is refused instead and the program fails saying so."""
        if self.oom_events() > events_before:
            return True
        return self.mode == "rlimit" and exit_code not in (0, None) and allocation_failed(output)

    def oom_events(self) -> int:
        for d in self.dirs:
            for fname in ("memory.events", "memory.oom_control"):
                f = d / fname
                if f.is_file():
                    for line in f.read_text().splitlines():
                        k, _, v = line.partition(" ")
                        if k == "oom_kill":
                            return int(v)
        return 0

    def _teardown(self) -> None:
        for d in self.dirs:
            for _ in range(50):
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.01)

    def close(self) -> None:
        self.kill_all()
        self._teardown()


def inherit_priority(pid: int) -> None:
    """Give a command started in a new session the calling thread's nice value, via its autogroup.

    With autogroup scheduling (Linux's default on desktops and many servers) every session is a
    scheduling group of its own, and nice values only count inside a group: a trial started with
    ``start_new_session`` from a thread at nice 10 would compete with the parent's whole session
    at full weight.  ``/proc/<pid>/autogroup`` takes a nice value for the trial's group (measured
    on 2 cores: the showcase's first training run took 80-112 s beside the validation ladder's
    trials before, against ~25 s alone).  Only a positive nice is passed on; best effort."""
    try:
        nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return
    if nice > 0:
        try:
            Path(f"/proc/{pid}/autogroup").write_text(str(nice))
        except OSError:  # no autogroup support, or the process already ended
            pass
