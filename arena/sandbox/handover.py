"""Handing the agent's work over to the verifier's fresh machine (the rule: ``arena.sandbox.carry``).

- docker: :func:`docker_collect` reads the agent container's changes — from its overlay upper
  dir when the engine runs on this machine (one walk, one tar), else ``docker diff`` plus one
  ``get_archive`` per changed path — and keeps what the rule carries; the caller starts a new
  container of the same image and limits, applies the deletions and extracts the tar.
- local: :func:`local_layer` builds a new writable layer by moving (``rename``, no copy) what the
  rule carries out of the agent's layer, then puts back the seeded files the rule keeps out
  (the environment's own ``COPY`` files, kept pristine at start).
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import tarfile
import tempfile
import time
from pathlib import Path

from arena.sandbox.carry import CARRY_LIMIT, CarryRule, View, is_hook, under

# Go's os.FileMode bits, as docker's archive stat header reports them
_GO_DIR, _GO_LINK, _GO_PIPE, _GO_SOCK, _GO_DEV, _GO_CHAR = (
    1 << 31,
    1 << 27,
    1 << 25,
    1 << 24,
    1 << 26,
    1 << 21,
)


def upper_dir(api, cid: str) -> str | None:
    """The container's overlay upper dir when the engine stores it on this machine, readable."""
    gd = api.inspect_container(cid).get("GraphDriver") or {}
    upper = (gd.get("Data") or {}).get("UpperDir") if gd.get("Name") in ("overlay2", "overlay") else None
    return upper if upper and os.path.isdir(upper) and os.access(upper, os.R_OK | os.X_OK) else None


def _whiteout(st: os.stat_result) -> bool:
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == 0


def _opaque(full: str) -> bool:
    for attr in ("trusted.overlay.opaque", "user.overlay.opaque"):
        try:
            if os.getxattr(full, attr, follow_symlinks=False) == b"y":
                return True
        except OSError:
            continue
    return False


def _covers_output(rule: CarryRule, path: str) -> bool:
    """Whether a declared output lies at or below ``path`` (so a dropped folder is still walked)."""
    return any(under(o, path) for o in rule.outputs)


class Collected:
    """The carried part of a container's changes: a tar on disk, the deletions, the view."""

    def __init__(self) -> None:
        self.fh = tempfile.TemporaryFile(prefix="arena-handover-")
        self.tar = tarfile.open(fileobj=self.fh, mode="w", format=tarfile.PAX_FORMAT)
        self.deletions: list[str] = []
        self.view = View()
        self.empty = True

    def add_deletion(self, path: str, rule: CarryRule) -> None:
        why = rule.decide(path)
        if why is None:
            self.deletions.append(path)
            self.view.deleted += 1
        else:
            self.view.drop(path, f"deletion not carried: {why}")

    def add(self, ti: tarfile.TarInfo, data=None) -> None:
        size = ti.size if ti.isreg() else 0
        if self.view.carried_bytes + size > CARRY_LIMIT:
            self.view.over_limit.append("/" + ti.name)
            return
        self.tar.addfile(ti, data)  # docker's extraction replaces what is there unless both are folders
        self.view.carried += 1
        self.view.carried_bytes += size
        self.empty = False

    def finish(self):
        self.tar.close()
        self.fh.seek(0)
        return self.fh


def docker_collect(api, cid: str, rule: CarryRule, *, fast: bool = True) -> Collected:
    """The carried changes of container ``cid`` (see the module docstring)."""
    t0 = time.perf_counter()
    out = Collected()
    upper = upper_dir(api, cid) if fast else None
    if upper:
        _collect_upper(upper, rule, out)
    else:
        _collect_api(api, cid, rule, out)
    out.view.seconds = time.perf_counter() - t0
    return out


def _collect_upper(upper: str, rule: CarryRule, out: Collected) -> None:
    dropped: set[str] = set()  # upper dirs left out whole: walked on only to name planted hooks
    for dirpath, dirnames, filenames in os.walk(upper):
        if dirpath in dropped or os.path.dirname(dirpath) in dropped:
            dropped.add(dirpath)
            for name in filenames:
                path = "/" + os.path.relpath(os.path.join(dirpath, name), upper)
                if is_hook(path):
                    out.view.hooks.append(path)
            continue
        for name in sorted(dirnames) + sorted(filenames):
            full = os.path.join(dirpath, name)
            path = "/" + os.path.relpath(full, upper)
            st = os.lstat(full)
            if _whiteout(st):
                out.add_deletion(path, rule)
                continue
            why = rule.decide(path, st.st_mode)
            if stat.S_ISDIR(st.st_mode):
                if why is not None:
                    out.view.drop(path, why)
                    if not _covers_output(rule, path):
                        dropped.add(full)
                    continue
                if _opaque(full):  # the agent replaced this folder: nothing of the image's is left in it
                    out.add_deletion(path, rule)
                out.add(out.tar.gettarinfo(full, arcname=path.lstrip("/")))
                continue
            if why is not None:
                out.view.drop(path, why)
                continue
            ti = out.tar.gettarinfo(full, arcname=path.lstrip("/"))
            if ti.isreg():
                with open(full, "rb") as fh:
                    out.add(ti, fh)
            elif ti.issym() or ti.islnk():
                out.add(ti)


def _go_mode(m: int) -> int:
    perm = m & 0o7777
    if m & _GO_DIR:
        return stat.S_IFDIR | perm
    if m & _GO_LINK:
        return stat.S_IFLNK | perm
    if m & (_GO_PIPE | _GO_SOCK | _GO_DEV | _GO_CHAR):
        return stat.S_IFIFO | perm  # any special file: the rule never carries it
    return stat.S_IFREG | perm


def _collect_api(api, cid: str, rule: CarryRule, out: Collected) -> None:
    import docker.errors  # the docker runtime's own dependency; only this path needs it

    dropped_dirs: list[str] = []
    for ch in sorted(api.diff(cid) or [], key=lambda c: c["Path"]):
        path = ch["Path"]
        if any(path.startswith(d + "/") for d in dropped_dirs):
            if ch.get("Kind") != 2 and is_hook(path):
                out.view.hooks.append(path)
            continue
        if ch.get("Kind") == 2:
            out.add_deletion(path, rule)
            continue
        try:
            stream, st = api.get_archive(cid, path)
        except docker.errors.NotFound:
            continue
        mode = _go_mode(int(st.get("mode", 0)))
        why = rule.decide(path, mode)
        if why is not None or stat.S_ISDIR(mode):
            stream.close()
            if why is not None:
                out.view.drop(path, why)
                if stat.S_ISDIR(mode) and not _covers_output(rule, path):
                    dropped_dirs.append(path)
            else:
                ti = tarfile.TarInfo(path.lstrip("/"))
                ti.type, ti.mode = tarfile.DIRTYPE, mode & 0o7777
                ti.mtime = int(time.time())
                out.add(ti)
            continue
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream)), mode="r|") as src:
            member = src.next()
            if member is not None:
                member.name = path.lstrip("/")
                out.add(member, src.extractfile(member) if member.isreg() else None)


# -- local ----------------------------------------------------------------------------------------
def keep_pristine(fs: Path, binds: list[str], rule: CarryRule, dest: Path) -> None:
    """Copy the seeded files the rule would keep out of the verifier's view to ``dest``, so the
    new layer can have the environment's own versions back whatever the agent did to them."""
    for b in binds:
        top = fs / b.lstrip("/")
        for dirpath, _dirs, files in os.walk(top):
            for name in files:
                full = Path(dirpath) / name
                path = "/" + str(full.relative_to(fs))
                if rule.decide(path, os.lstat(full).st_mode) is not None:
                    target = dest / path.lstrip("/")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(full, target, follow_symlinks=False)


def local_layer(old: Path, new: Path, binds: list[str], rule: CarryRule, *, pristine: Path | None) -> View:
    """Build the verifier's layer ``new`` from the agent's layer ``old`` (see the module docstring)."""
    t0 = time.perf_counter()
    view = View()
    for b in sorted(binds, key=len):
        src_top = old / b.lstrip("/")
        (new / b.lstrip("/")).mkdir(parents=True, exist_ok=True)
        if not src_top.is_dir() or src_top.is_symlink():
            continue
        for dirpath, dirnames, filenames in os.walk(src_top):
            rel = Path(dirpath).relative_to(old)
            keep = []
            for name in sorted(dirnames) + sorted(filenames):
                full = Path(dirpath) / name
                path = "/" + str(rel / name)
                st = os.lstat(full)
                why = rule.decide(path, st.st_mode)
                target = new / rel / name
                if stat.S_ISDIR(st.st_mode) and not stat.S_ISLNK(st.st_mode):
                    if why is not None:
                        view.drop(path, why)
                        if _covers_output(rule, path):
                            keep.append(name)
                        continue
                    target.mkdir(exist_ok=True)
                    os.chmod(target, stat.S_IMODE(st.st_mode) | 0o700)
                    keep.append(name)
                    view.carried += 1
                elif why is not None:
                    view.drop(path, why)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    try:
                        os.rename(full, target)
                    except OSError:  # a folder the agent made read-only: copy instead
                        try:
                            shutil.copy2(full, target, follow_symlinks=False)
                        except OSError as exc:
                            view.drop(path, f"unreadable: {exc.strerror}")
                            continue
                    view.carried += 1
                    view.carried_bytes += st.st_size if stat.S_ISREG(st.st_mode) else 0
            dirnames[:] = [d for d in dirnames if d in keep]
    if pristine is not None and pristine.is_dir():
        for dirpath, _dirs, files in os.walk(pristine):
            for name in files:
                src = Path(dirpath) / name
                target = new / src.relative_to(pristine)
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.is_symlink() or target.exists():
                    continue
                shutil.copy2(src, target, follow_symlinks=False)
    view.seconds = time.perf_counter() - t0
    return view


__all__ = ["Collected", "docker_collect", "keep_pristine", "local_layer", "upper_dir"]
