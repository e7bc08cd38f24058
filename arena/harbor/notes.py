"""The notes of a Harbor conversion (field, why, severity) and the two layouts' shared constants."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

#: arena folder -> Harbor folder
FOLDERS = {"environment": "environment", "verifier": "tests", "oracle": "solution"}
HARBOR_DEFAULTS = {"verifier.timeout_sec": 600.0, "environment.build_timeout_sec": 600.0, "environment.cpus": 1,
                   "environment.memory_mb": 2048, "environment.storage_mb": 10240, "environment.gpus": 0,
                   "environment.allow_internet": True}  # fmt: skip
ARENA_AGENT_TIMEOUT = 900.0
_ENV_KEYS = ("build_timeout_sec", "cpus", "memory_mb", "storage_mb", "gpus", "allow_internet")
_FM_KNOWN = {"version", "metadata", "agent", "verifier", "environment"}


@dataclass(frozen=True)
class Note:
    """A field that could not be mapped one-to-one: which, why, and where it went."""

    task: str
    field: str
    why: str
    severity: str = (
        "warning"  # warning: meaning lost or changed; info: kept aside; error: the result is unusable
    )

    def render(self) -> str:
        mark = {"error": "✗", "warning": "!"}.get(self.severity, "·")
        return f"  {mark} {self.severity:<7} {self.task}: {self.field}: {self.why}"


@dataclass
class Converted:
    written: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    lossless: list[str] = field(default_factory=list)  # imports rebuilt byte for byte (digest equal)

    @property
    def ok(self) -> bool:
        return not any(n.severity == "error" for n in self.notes)


def _copy_tree(src: Path, dst: Path) -> None:
    if src.is_symlink() or src.is_file():
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst, follow_symlinks=False)
    elif src.is_dir():
        shutil.copytree(src, dst, symlinks=True)
