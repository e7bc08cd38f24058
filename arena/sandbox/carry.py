"""What the verifier sees of the agent's work: the carry rule every runtime applies.

The verifier never runs in the machine the agent had.  After the agent phase the runtime starts
the verifier's machine fresh — on docker a new container of the task's image, on local a new
writable layer over the read-only host system — and carries into it only the agent's *work*:
what it added, changed or deleted, path by path, decided by :func:`CarryRule.decide`:

1. sockets, FIFOs and device files are never carried (an answer file left as a FIFO is absent);
2. the task's declared outputs (``verifier.outputs`` in task.md) are carried wherever they are;
3. planted tool hooks (``conftest.py``, ``sitecustomize.py``, ``usercustomize.py``, ``*.pth``
   anywhere; pytest/tox/setup configs at ``/``) and ``/logs/verifier`` are not;
4. shell, Python and tool configuration in a home folder (``/root``, ``/home/<user>``:
   ``.bashrc``, ``.profile``, ``.local`` — the user site-packages —, ``.config``, ``.gitconfig``,
   ``.npmrc``, …) is not;
5. everything else inside the agent's workspace (the Dockerfile's WORKDIR) is;
6. the system trees (``/usr``, ``/bin``, ``/sbin``, ``/lib*``, ``/boot``, ``/dev``, ``/proc``,
   ``/sys``, ``/run``, ``/nix``) and the loader, shell and account files of ``/etc``
   (``ld.so.*``, ``alternatives/``, ``profile*``, ``bash.bashrc``, ``environment``, ``passwd``,
   ``group``, ``shadow``, ``python*/``, ``pip.conf``) are not: the verifier gets the image's own;
7. outside the workspace, executables, shared libraries and anything under a
   ``site-packages`` / ``dist-packages`` folder are not (an agent may not swap a tool the verifier
   runs, say ``/opt/venv/bin/python``);
8. everything else is (``/root/answer.txt``, ``/tmp/out.csv``, ``/etc/nginx/nginx.conf``, ``/opt/app/data.json``).

A deletion is carried when the path would be.  So an agent that deletes or replaces
``python3``, plants a fake ``pytest`` in site-packages or an alias in ``.bashrc``, or leaves
processes running, changes nothing the verifier runs; a verifier that still fails after that is
the agent's failure (``arena.verdict``).  What was not carried is recorded in the trial's side
info (``verifier_view``), so a task author whose verifier reads a dropped path sees why and can
declare it in ``verifier.outputs``.
"""

from __future__ import annotations

import fnmatch
import posixpath
import stat
from dataclasses import dataclass, field

from arena.sandbox.base import PLANTED_HOOKS, PLANTED_SUFFIXES, ROOT_CONFIGS

SYSTEM_TREES = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot", "/dev", "/proc", "/sys",
                "/run", "/nix")  # fmt: skip
ETC_KEPT_OUT = ("ld.so.preload", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "environment",
                "profile", "profile.d", "bash.bashrc", "bash_completion.d", "passwd", "group", "shadow", "gshadow",
                "python*", "pip.conf", "inputrc", "zsh*", "gitconfig")  # fmt: skip
HOME_CONFIG = (".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile", ".zshrc", ".zshenv",
               ".zprofile", ".inputrc", ".local", ".config", ".cache", ".gitconfig", ".npmrc", ".yarnrc",
               ".pypirc", ".pip", ".pydistutils.cfg", ".condarc", ".pythonrc", ".pythonrc.py", ".python_history",
               ".curlrc", ".wgetrc", ".netrc", ".vimrc", ".envrc")  # fmt: skip
PACKAGE_DIRS = ("site-packages", "dist-packages")
#: carried bytes at most (the rest of the files, largest first, are left out and recorded)
CARRY_LIMIT = 1 << 30
VERIFIER_LOGS = "/logs/verifier"
HOOK = "planted tool hook"


def under(path: str, root: str) -> bool:
    """Whether ``path`` is ``root`` or inside it."""
    return path == root or path.startswith(root.rstrip("/") + "/")


def _home_config(path: str) -> bool:
    parts = path.strip("/").split("/")
    if parts[0] == "root" and len(parts) >= 2:
        return parts[1] in HOME_CONFIG
    return parts[0] == "home" and len(parts) >= 3 and parts[2] in HOME_CONFIG


def is_hook(path: str) -> bool:
    """A file a verifier's Python or pytest would pick up if an agent planted it."""
    name = posixpath.basename(path)
    return (name in PLANTED_HOOKS or name.endswith(PLANTED_SUFFIXES)
            or (posixpath.dirname(path) == "/" and name in ROOT_CONFIGS))  # fmt: skip


def _library(name: str) -> bool:
    return name.endswith(".so") or ".so." in name


@dataclass(frozen=True)
class CarryRule:
    """The carry rule for one trial: the agent's workspace and the task's declared outputs."""

    workspace: str = "/root"
    outputs: tuple[str, ...] = ()

    def decide(self, path: str, mode: int | None = None) -> str | None:
        """None when ``path`` (a sandbox path; ``mode`` its ``st_mode`` when it still exists) is
        carried into the verifier's machine, else the reason it is not."""
        path = posixpath.normpath("/" + path.lstrip("/"))
        if mode is not None and (
            stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        ):
            return "special file (FIFO, socket or device)"
        if any(under(path, o) for o in self.outputs):
            return None
        if is_hook(path):
            return HOOK
        if under(path, VERIFIER_LOGS):
            return "the verifier's own log folder"
        if _home_config(path):
            return "shell/tool configuration in a home folder"
        workspace = posixpath.normpath(self.workspace)
        if workspace != "/" and under(path, workspace):
            return None
        if any(under(path, t) for t in SYSTEM_TREES):
            return "system tree (the verifier gets the image's own)"
        parts = path.strip("/").split("/")
        if parts[0] == "etc" and len(parts) >= 2 and any(fnmatch.fnmatch(parts[1], p) for p in ETC_KEPT_OUT):
            return "loader/shell/account configuration in /etc"
        if any(p in PACKAGE_DIRS for p in parts):
            return "installed Python packages outside the workspace"
        if mode is not None and stat.S_ISREG(mode) and (mode & 0o111 or _library(parts[-1])):
            return "executable or shared library outside the workspace"
        return None


def rule_for(task, workdir: str) -> CarryRule:
    """The rule for ``task`` run with ``workdir`` as the agent's workspace."""
    outs = getattr(task.spec.verifier, "outputs", None) or ()
    return CarryRule(workspace=workdir or "/root", outputs=tuple(posixpath.normpath(o) for o in outs))


@dataclass
class View:
    """What the verifier's machine got: counts, and the first paths left out with their reason."""

    carried: int = 0
    carried_bytes: int = 0
    deleted: int = 0
    dropped: dict[str, str] = field(default_factory=dict)
    dropped_count: int = 0
    over_limit: list[str] = field(default_factory=list)
    hooks: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def drop(self, path: str, why: str) -> None:
        if path == VERIFIER_LOGS:  # made by the harness for every trial, emptied for the verifier
            return
        self.dropped_count += 1
        if why == HOOK:
            self.hooks.append(path)
        if len(self.dropped) < 20:
            self.dropped[path] = why

    def to_dict(self) -> dict:
        d = {"carried": self.carried, "carried_bytes": self.carried_bytes, "deleted": self.deleted,
             "dropped_count": self.dropped_count, "seconds": round(self.seconds, 4)}  # fmt: skip
        if self.dropped:
            d["dropped"] = dict(self.dropped)
        if self.over_limit:
            d["over_limit"] = self.over_limit[:20]
        return d


__all__ = ["CARRY_LIMIT", "HOOK", "CarryRule", "View", "is_hook", "rule_for", "under"]
