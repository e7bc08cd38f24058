"""Team entries (``submissions/<team>/submission.yaml`` + ``envs/<task>/``) and corpus discovery.

``discover(path)`` classifies what a user pointed at: one task package, one team entry, a
``submissions/`` root of entries, or any folder that holds packages further down (a corpus).
Folders whose name starts with ``_`` or ``.`` are skipped (scratch space).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from arena.findings import Finding, error, warning
from arena.task import is_task_dir

#: track -> (minimum, recommended, maximum) packages per entry
TRACK_BOUNDS = {"environments": (50, 100, 200), "skills": (20, 50, 100)}
MANIFEST_LIMIT = 64 * 1024
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Manifest(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    team_name: str
    contact_email: str
    track: Literal["environments", "skills"] = "environments"

    @field_validator("team_name", "contact_email")
    @classmethod
    def _nonempty(cls, v: str) -> str:
        if not str(v).strip():
            raise ValueError("must not be empty")
        return v


@dataclass
class Entry:
    root: Path
    manifest: Manifest | None
    tasks: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.manifest.team_name if self.manifest else self.root.name


@dataclass
class Discovered:
    """What a set of paths holds: loose tasks and team entries (each with its tasks)."""

    tasks: list[Path] = field(default_factory=list)  # tasks not inside an entry
    entries: list[Entry] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def all_tasks(self) -> list[tuple[str | None, Path]]:
        out: list[tuple[str | None, Path]] = [(None, t) for t in self.tasks]
        for e in self.entries:
            out += [(e.name, t) for t in e.tasks]
        return out


def _skip(name: str) -> bool:
    return name.startswith(("_", "."))


def _subdirs(path: Path) -> list[Path]:
    try:
        return sorted(Path(e.path) for e in os.scandir(path) if e.is_dir() and not _skip(e.name))
    except OSError:
        return []


def read_manifest(path: Path) -> tuple[Manifest | None, list[Finding]]:
    rel = str(path)
    if not path.is_file():
        return None, [
            error(
                "entry.manifest-missing",
                rel,
                "team entry has no submission.yaml",
                "add submission.yaml with team_name, contact_email and track: environments",
            )
        ]
    if path.stat().st_size > MANIFEST_LIMIT:
        return None, [error("entry.manifest-invalid", rel, "submission.yaml is larger than 64 KiB")]
    try:
        text = path.read_text(encoding="utf-8")
        if "&" in text or "*" in text:
            for ev in yaml.parse(text, Loader=yaml.SafeLoader):
                if isinstance(ev, yaml.AliasEvent):
                    return None, [error("entry.manifest-invalid", rel, "YAML aliases are not allowed here")]
        data = yaml.load(text, Loader=_Loader)
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        return None, [
            error("entry.manifest-invalid", rel, f"not valid UTF-8 YAML: {str(exc).splitlines()[0]}")
        ]
    if not isinstance(data, dict):
        return None, [
            error(
                "entry.manifest-invalid",
                rel,
                f"submission.yaml must be a mapping, got {type(data).__name__}",
                "write `team_name: …`, `contact_email: …`, `track: environments` lines",
            )
        ]
    try:
        return Manifest.model_validate(data), []
    except ValidationError as exc:
        out = []
        for e in exc.errors():
            loc = ".".join(str(x) for x in e["loc"])
            rule = "entry.manifest-field" if loc != "track" else "entry.track"
            fix = "track must be `environments` or `skills`" if loc == "track" else f"set `{loc}`"
            out.append(error(rule, rel, f"{loc}: {e['msg']}", fix))
        return None, out


def load_entry(root: Path) -> Entry:
    manifest, findings = read_manifest(root / "submission.yaml")
    track = manifest.track if manifest else "environments"
    sub = root / ("envs" if track == "environments" else "skills")
    if track == "environments":
        tasks = [d for d in _subdirs(sub) if is_task_dir(d)]
        for d in _subdirs(sub):
            if not is_task_dir(d):
                findings.append(
                    warning(
                        "entry.not-a-task",
                        str(d),
                        "folder under envs/ has no task.md (ignored)",
                        "add task.md, or prefix the folder with _ to mark it as scratch",
                    )
                )
    else:
        tasks = []
    entry = Entry(root, manifest, tasks, findings)
    n = len(tasks) if track == "environments" else len(_subdirs(sub))
    lo, rec, hi = TRACK_BOUNDS[track]
    rel = str(root)
    if n == 0:
        findings.append(
            error("entry.empty", rel, f"entry declares track {track!r} but has no packages under {sub.name}/")
        )
    elif n > hi:
        findings.append(
            error(
                "entry.count-above-max",
                rel,
                f"{n} packages exceeds the {track} maximum of {hi} per entry",
                f"keep at most {hi}; split the rest into another entry",
            )
        )
    elif n < lo:
        findings.append(
            warning(
                "entry.count-below-min",
                rel,
                f"{n} packages is below the {track} minimum of {lo} (recommended {rec})",
                f"add packages up to at least {lo}",
            )
        )
    seen: dict[str, Path] = {}
    for t in tasks:
        key = t.name.lower()
        if key in seen:
            findings.append(
                error(
                    "entry.duplicate-task",
                    str(t),
                    f"task id {t.name!r} duplicates {seen[key].name!r} (ids are case-insensitive)",
                    "rename one of them",
                )
            )
        seen[key] = t
    return entry


def discover(paths: list[str | Path], *, max_depth: int = 5) -> Discovered:
    out = Discovered()

    def visit(p: Path, depth: int) -> None:
        if is_task_dir(p):
            out.tasks.append(p)
        elif (p / "submission.yaml").is_file() or (p / "envs").is_dir():
            out.entries.append(load_entry(p))
        elif depth < max_depth:
            for d in _subdirs(p):
                visit(d, depth + 1)

    for raw in paths:
        p = Path(raw)
        if not p.exists():
            out.findings.append(error("path.missing", str(p), "no such file or folder", "check the path"))
        elif not p.is_dir():
            out.findings.append(error("path.not-a-folder", str(p), "expected a task, entry or corpus folder"))
        else:
            before = len(out.tasks) + len(out.entries)
            visit(p, 0)
            if len(out.tasks) + len(out.entries) == before:
                out.findings.append(
                    error(
                        "path.empty",
                        str(p),
                        "no task package (folder with task.md) or team entry (submission.yaml) found here",
                        "point at a task folder, a team entry, or a folder that contains them",
                    )
                )
    return out
