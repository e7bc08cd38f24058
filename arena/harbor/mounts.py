"""Where a trial mounts a package's verifier and oracle folders: arena's points and, for scripts
written for Harbor, Harbor's (``/tests``, ``/solution``), and the notes on scripts that use the
other layout's point."""

from __future__ import annotations

import re
from pathlib import Path

from arena.harbor.notes import Note

#: a folder's mount point in each layout and the variable arena sets for it
MOUNTS = {"verifier": ("/verifier", "/tests", "BENCHFLOW_VERIFIER_DIR"),
          "oracle": ("/oracle", "/solution", "BENCHFLOW_ORACLE_DIR")}  # fmt: skip


def mentions_mount(text: str, mount: str) -> bool:
    """Whether a script uses ``mount`` as an absolute path (``/tests/x``, ``"/tests"``), not as the
    tail of another path (``/logs/verifier`` does not use ``/verifier``), in code (not comments)."""
    pat = re.compile(r"(?<![\w./-])" + re.escape(mount) + r"(?![\w.-])")
    return any(pat.search(line.split("#", 1)[0] if not line.lstrip().startswith("#") else "")
               for line in text.splitlines())  # fmt: skip


_MOUNT_CACHE: dict[tuple[str, str], tuple[str, ...]] = {}


def mount_points(task, folder: str) -> dict[str, Path]:
    """Where a trial mounts the package's ``folder`` (``verifier`` or ``oracle``) for its one
    command: arena's point (``/verifier``, ``/oracle``) and Harbor's too (``/tests``,
    ``/solution``) when a script or text file of the folder uses it, so an imported Harbor task
    runs as written.  Read once per package digest."""
    arena_mount, harbor_mount, _var = MOUNTS[folder]
    src = task.paths.verifier if folder == "verifier" else task.paths.oracle
    key = (task.digest, folder)
    if key not in _MOUNT_CACHE:
        points = [arena_mount]
        for f in sorted(src.rglob("*")) if src.is_dir() else []:
            if f.is_file() and not f.is_symlink() and f.stat().st_size <= 1 << 20:
                try:
                    if mentions_mount(f.read_text(encoding="utf-8"), harbor_mount):
                        points.append(harbor_mount)
                        break
                except (OSError, UnicodeDecodeError):
                    continue
        _MOUNT_CACHE[key] = tuple(points)
    return {p: src for p in _MOUNT_CACHE[key]}


def _script_notes(tid: str, path: Path, folder: str, rel: str, *, direction: str) -> list[Note]:
    """A script that names the other layout's mount point for ``folder`` without a fallback.

    ``direction="export"``: an arena script using /verifier or /oracle, which Harbor mounts at /tests
    or /solution; ``"import"``: a Harbor script using /tests or /solution, which arena mounts at
    /verifier or /oracle (and names in $BENCHFLOW_VERIFIER_DIR / $BENCHFLOW_ORACLE_DIR)."""
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8", errors="replace")
    arena_mount, harbor_mount, var = MOUNTS[folder]
    if direction == "export":
        if mentions_mount(text, arena_mount) and not mentions_mount(text, harbor_mount):
            return [Note(tid, rel, f"refers to {arena_mount} (arena's mount point); Harbor mounts this folder at "
                                   f"{harbor_mount}: add a fallback, e.g. DIR=${{{var}:-{harbor_mount}}}")]  # fmt: skip
        return []
    if mentions_mount(text, harbor_mount) and var not in text:
        return [Note(tid, rel, f"refers to {harbor_mount} (Harbor's mount point); arena mounts this folder at "
                               f"{arena_mount} (named in ${var}) and, since its scripts use it, at "
                               f"{harbor_mount} too: runs as written", severity="info")]  # fmt: skip
    return []
