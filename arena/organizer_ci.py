"""The organizers' CI verdict on task packages and team entries, re-implemented from their rules.

The competition's repository gates pull requests with two structural checkers (``check_task.py``
per package, ``check_submission.py`` per ``submissions/`` root).  ``arena check`` is stricter in
some ways (typed frontmatter, the category must name a domain, leaks) and more lenient in others
(it only warns about the organizer-only files).  This module answers the narrower question *would
the organizers' CI accept this?* so that the compatible scripts return the same exit code as theirs
and ``arena check`` can say when an entry it passes would still be rejected.

The rules, as the organizers' checkers apply them (read from their published scripts):

* a package is a folder holding ``task.md``; given folders are packages themselves or hold them one
  level down; finding none is a failure;
* ``task.md`` starts with a ``---`` frontmatter block closed by ``---``; its top-level keys include
  ``version``, ``metadata``, ``agent``, ``verifier``, ``environment`` (a key is any unindented
  ``key:`` line that is not a comment or a list item); the lines indented under ``metadata:``
  name ``author_name``, ``author_email``, ``category`` (values are not checked: any category passes);
  the text after the frontmatter contains ``## prompt``;
* ``environment/Dockerfile`` exists and its first line that is neither blank nor a comment starts
  with ``FROM `` (case-insensitive): an ``ARG`` before ``FROM``, which Docker and ``arena check``
  accept, fails here;
* ``verifier/test.sh``, ``verifier/test_outputs.py``, ``verifier/verifier.md`` and
  ``oracle/solve.sh`` exist, and ``verifier/rubrics/`` is a folder with at least one ``*.md``;
* an entry is a folder of a ``submissions/`` root not starting with ``_``; its ``submission.yaml``
  (flat ``key: value`` lines, ``#`` starts a comment) sets non-empty ``team_name``,
  ``contact_email`` and ``track`` ∈ {environments, skills}; an environments entry holds 1–200
  packages under ``envs/`` (each checked as above), a skills entry 20–100 folders under ``skills/``
  each with a ``SKILL.md`` (below 20 is only a warning); a missing root or a root without entries
  passes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

REQUIRED_TOP = ("version", "metadata", "agent", "verifier", "environment")
REQUIRED_METADATA = ("author_name", "author_email", "category")
REQUIRED_FILES = ("verifier/test.sh", "verifier/test_outputs.py", "verifier/verifier.md")
ENTRY_FIELDS = ("team_name", "contact_email", "track")
#: track -> (minimum, maximum) packages per entry, as the organizers' CI counts them
TRACK_LIMITS = {"environments": (1, 200), "skills": (20, 100)}
_FRONTMATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|$)", re.DOTALL)
_NOT_A_KEY_LINE = ("#", " ", "\t", "-")


@dataclass
class Verdict:
    """The organizers' verdict on a set of paths: rejected packages/entries with their issues."""

    issues: dict[str, list[str]] = field(default_factory=dict)  # path -> issues (empty list: accepted)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    found: bool = True  # False when nothing checkable was found (their task checker then fails)

    @property
    def accepted(self) -> bool:
        return self.found and not any(self.issues.values())

    @property
    def rejected(self) -> list[str]:
        return [p for p, i in self.issues.items() if i]

    @property
    def exit_code(self) -> int:
        return 0 if self.accepted else 1

    def to_dict(self) -> dict:
        return {"accepted": self.accepted, "exit_code": self.exit_code,
                "rejected": {p: self.issues[p] for p in self.rejected}}  # fmt: skip


def _top_keys(block: str) -> set[str]:
    keys = set()
    for line in block.splitlines():
        if line and not line.startswith(_NOT_A_KEY_LINE) and ":" in line:
            key = line.split(":", 1)[0].strip()
            if key:
                keys.add(key)
    return keys


def _metadata_keys(block: str) -> set[str]:
    keys, inside = set(), False
    for line in block.splitlines():
        if line.startswith("metadata:"):
            inside = True
            continue
        if not inside:
            continue
        if line and not line.startswith((" ", "\t")):
            inside = False
            continue
        text = line.strip()
        if text and not text.startswith("#") and ":" in text:
            keys.add(text.split(":", 1)[0].strip())
    return keys


def task_issues(task_dir: str | Path) -> list[str]:
    """Why the organizers' CI would reject one package (empty: it would pass)."""
    root = Path(task_dir)
    task_md = root / "task.md"
    if not task_md.exists():
        return ["missing required file task.md"]
    out = []
    try:
        text = task_md.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [f"task.md cannot be read as UTF-8 ({exc.__class__.__name__})"]
    m = _FRONTMATTER.match(text)
    if not m:
        out.append("task.md does not start with a `---` frontmatter block closed by `---`")
    else:
        top, meta = _top_keys(m.group(1)), _metadata_keys(m.group(1))
        out += [f"task.md frontmatter has no top-level `{k}:`" for k in REQUIRED_TOP if k not in top]
        out += [f"task.md has no metadata.{k}" for k in REQUIRED_METADATA if k not in meta]
        if "## prompt" not in text[m.end() :]:
            out.append("task.md body has no `## prompt` section")
    dockerfile = root / "environment" / "Dockerfile"
    if not dockerfile.exists():
        out.append("missing required file environment/Dockerfile")
    else:
        try:
            lines = dockerfile.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            lines = None
            out.append(f"environment/Dockerfile cannot be read as UTF-8 ({exc.__class__.__name__})")
        if lines is not None:
            first = next((ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")), "")
            if not first.upper().startswith("FROM "):
                got = repr(first.strip()[:40]) if first else "an empty file"
                out.append(f"environment/Dockerfile's first instruction is not FROM (got {got})")
    out += [f"missing required file {f}" for f in REQUIRED_FILES if not (root / f).exists()]
    rubrics = root / "verifier" / "rubrics"
    if not rubrics.is_dir():
        out.append("missing required folder verifier/rubrics/")
    elif not any(p.suffix == ".md" for p in rubrics.iterdir()):
        out.append("verifier/rubrics/ holds no *.md rubric")
    if not (root / "oracle" / "solve.sh").exists():
        out.append("missing required file oracle/solve.sh")
    return out


def task_dirs(targets: Iterable[str | Path]) -> list[Path]:
    """The packages the organizers' task checker visits: each target that holds task.md, else its
    children that do (one level, sorted)."""
    out = []
    for t in targets:
        p = Path(t)
        if p.is_dir() and (p / "task.md").exists():
            out.append(p)
        elif p.is_dir():
            out += [c for c in sorted(p.iterdir()) if c.is_dir() and (c / "task.md").exists()]
    return out


def check_tasks(targets: Iterable[str | Path]) -> Verdict:
    dirs = task_dirs(targets)
    return Verdict({str(d): task_issues(d) for d in dirs}, found=bool(dirs))


def read_flat_manifest(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(_NOT_A_KEY_LINE) and ":" in line:
            key, value = line.split(":", 1)
            out[key.strip()] = value.split("#", 1)[0].strip().strip("\"'")
    return out


def entry_issues(entry: str | Path) -> tuple[list[str], list[str]]:
    """(issues, warnings) of one team entry as the organizers' CI sees it."""
    entry = Path(entry)
    manifest = entry / "submission.yaml"
    if not manifest.exists():
        return ["missing required file submission.yaml"], []
    fields = read_flat_manifest(manifest)
    issues = [f"submission.yaml has no {k}" for k in ENTRY_FIELDS if not fields.get(k)]
    track = fields.get("track", "")
    if not track:
        return issues, []
    if track not in TRACK_LIMITS:
        return issues + [f"submission.yaml track {track!r} is not one of {sorted(TRACK_LIMITS)}"], []
    folder = entry / ("envs" if track == "environments" else "skills")
    subdirs = sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    if track == "environments":
        packages = [p for p in subdirs if (p / "task.md").exists()]
        issues += [f"envs/{p.name}: {i}" for p in packages for i in task_issues(p)]
    else:
        packages = subdirs
        issues += [f"skills/{p.name}: missing SKILL.md" for p in packages if not (p / "SKILL.md").exists()]
    lo, hi = TRACK_LIMITS[track]
    warnings = []
    if not packages:
        issues.append(f"track {track!r} but no package under {folder.name}/")
    elif len(packages) > hi:
        issues.append(f"{len(packages)} packages: more than the {track} maximum of {hi}")
    elif len(packages) < lo:
        warnings.append(f"{len(packages)} packages: below the {track} minimum of {lo} (a warning)")
    return issues, warnings


def entries(root: str | Path) -> list[Path]:
    """The entries the organizers' submission checker visits under a ``submissions/`` root."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("_"))


def check_submissions(root: str | Path) -> Verdict:
    v = Verdict()
    for e in entries(root):
        v.issues[str(e)], v.warnings[str(e)] = entry_issues(e)
    return v


def check_any(paths: Iterable[str | Path]) -> Verdict:
    """The verdict on whatever ``arena check`` was given: a ``submissions/`` root, entries, or tasks.

    A folder holding ``submission.yaml`` is an entry; a folder whose children hold one is a root;
    anything else is checked as the task checker would (itself or its children one level down)."""
    v = Verdict(found=False)
    for raw in paths:
        p = Path(raw)
        if (p / "submission.yaml").exists():
            v.issues[str(p)], v.warnings[str(p)] = entry_issues(p)
            v.found = True
        elif p.is_dir() and any((e / "submission.yaml").exists() for e in entries(p)):
            sub = check_submissions(p)
            v.issues |= sub.issues
            v.warnings |= sub.warnings
            v.found = True
        else:
            sub = check_tasks([p])
            v.issues |= sub.issues
            v.found = v.found or sub.found
    return v
