"""bubblewrap for the ``local`` runtime: the isolation flags every sandboxed command gets, the probe
that checks (once per process) that they hold here or refuses, and the host's read-only view
(the system folders, /var entry by entry, the interpreter running arena)."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys

from arena.sandbox import seccomp

_HOST_RO = ("usr", "etc", "opt", "var", "srv", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "nix")
_BWRAP_OK: dict[str, object] = {}
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


def _interpreter_dirs() -> list[str]:
    dirs = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)}
    exe = os.path.realpath(sys.executable)
    dirs.add(os.path.dirname(os.path.dirname(exe)))
    return sorted(d for d in dirs if d not in ("/", "/usr"))
