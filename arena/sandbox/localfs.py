"""The local sandbox's files: COPY seeding, where a sandbox path lives on the host (links followed as
the sandbox would follow them, never on the host), planted-hook discovery, and reading and writing
files without following a link or blocking on a FIFO."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from arena.sandbox.base import OUTPUT_LIMIT, PLANTED_HOOKS, PLANTED_SUFFIXES, SandboxError
from arena.sandbox.bwrap import _HOST_RO, _VAR_SKIP, _interpreter_dirs


class LocalFiles:
    """The file side of :class:`arena.sandbox.local.LocalSandbox` (uses its ``fs`` and ``binds``)."""

    fs: Path
    binds: list[str]

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
