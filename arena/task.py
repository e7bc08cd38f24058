"""A task package: ``TaskPaths`` (the tree, one property per file) + the typed ``TaskSpec``.

``load_task(path)`` never raises on bad input: it returns the task (or None when ``task.md`` is
unusable) and every finding about ``task.md``.  Hostile YAML (anchors/aliases, huge files,
non-UTF-8 bytes, a list where a mapping belongs) becomes a finding, not a traceback or a hang.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from arena.findings import Finding, error
from arena.spec import TaskSpec, build_spec

TASK_MD_LIMIT = 1 << 20  # 1 MiB: larger task.md files are refused (prompts belong in seed data)
_FM_RE = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_ANCHOR_HINT = re.compile(r"(?:^|[\s\[{,:-])[&*][^\s,\[\]{}]")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class TaskPaths:
    root: Path

    @property
    def task_md(self) -> Path:
        return self.root / "task.md"

    @property
    def environment(self) -> Path:
        return self.root / "environment"

    @property
    def dockerfile(self) -> Path:
        return self.root / "environment" / "Dockerfile"

    @property
    def verifier(self) -> Path:
        return self.root / "verifier"

    @property
    def test_sh(self) -> Path:
        return self.root / "verifier" / "test.sh"

    @property
    def test_outputs(self) -> Path:
        return self.root / "verifier" / "test_outputs.py"

    @property
    def verifier_md(self) -> Path:
        return self.root / "verifier" / "verifier.md"

    @property
    def rubrics(self) -> Path:
        return self.root / "verifier" / "rubrics"

    @property
    def oracle(self) -> Path:
        return self.root / "oracle"

    @property
    def solve_sh(self) -> Path:
        return self.root / "oracle" / "solve.sh"


@dataclass(frozen=True)
class Task:
    """A loaded package.  ``id`` is the folder name; ``digest`` covers every file of the package."""

    paths: TaskPaths
    spec: TaskSpec
    findings: tuple[Finding, ...] = field(default=(), compare=False)

    @property
    def id(self) -> str:
        return self.paths.root.name

    @property
    def root(self) -> Path:
        return self.paths.root

    @property
    def domain(self) -> str | None:
        return self.spec.domain

    @cached_property
    def digest(self) -> str:
        return tree_digest(self.paths.root)

    @cached_property
    def env_digest(self) -> str:
        """Digest of ``environment/`` alone: the docker image cache key."""
        return tree_digest(self.paths.environment)


def tree_digest(root: Path) -> str:
    """sha256 over (relative path, mode bit x, content) of every regular file, in sorted order.

    Symlinks contribute their target string, not what they point to.
    """
    h = hashlib.sha256()
    root = Path(root)
    if not root.exists():
        return h.hexdigest()
    entries = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in filenames:
            entries.append(os.path.join(dirpath, name))
    for full in sorted(entries):
        rel = os.path.relpath(full, root).replace(os.sep, "/")
        h.update(rel.encode() + b"\0")
        if os.path.islink(full):
            h.update(b"L" + os.readlink(full).encode() + b"\0")
            continue
        st = os.stat(full)
        h.update(b"X" if st.st_mode & 0o111 else b"F")
        with open(full, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        h.update(b"\0")
    return h.hexdigest()


def split_frontmatter(text: str) -> tuple[str, str] | None:
    m = _FM_RE.match(text)
    if not m:
        return None
    return m.group(1), text[m.end() :]


def _has_alias(block: str) -> bool:
    """True when the YAML really uses anchors/aliases (checked with the event parser)."""
    if not _ANCHOR_HINT.search(block):
        return False
    try:
        for ev in yaml.parse(block, Loader=yaml.SafeLoader):
            if isinstance(ev, yaml.AliasEvent) or getattr(ev, "anchor", None):
                return True
    except yaml.YAMLError:
        return False
    return False


def _duplicate_keys(block: str) -> list[tuple[str, int, int]]:
    """(dotted key, first line, repeated line) for every mapping key given twice (task.md lines)."""
    try:
        root = yaml.compose(block, Loader=_Loader)
    except yaml.YAMLError:
        return []
    out: list[tuple[str, int, int]] = []
    stack = [(root, "")]
    while stack:
        node, prefix = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for k, v in node.value:
                name = f"{prefix}{k.value}" if isinstance(k, yaml.ScalarNode) else None
                if name is not None:
                    line = k.start_mark.line + 2  # + the opening `---` line, 1-based
                    if name in seen:
                        out.append((name, seen[name], line))
                    else:
                        seen[name] = line
                stack.append((v, f"{name}." if name else prefix))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, prefix) for item in node.value)
    return sorted(out, key=lambda d: d[2])


def read_task_md(path: Path) -> tuple[dict | None, str, list[Finding]]:
    """Read and YAML-parse ``task.md``: (frontmatter mapping or None, body, findings)."""
    rel = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, "", [error("structure.missing-file", rel, f"cannot read task.md: {exc.strerror}")]
    if size > TASK_MD_LIMIT:
        return None, "", [
            error(
                "task-md.too-large",
                rel,
                f"task.md is {size:,} bytes (limit {TASK_MD_LIMIT:,})",
                "keep task.md to frontmatter + prompt; move data into environment/ seed files",
            )
        ]
    raw = path.read_bytes()
    if b"\0" in raw:
        return None, "", [
            error("task-md.binary", rel, "task.md contains NUL bytes (binary file)", "save task.md as UTF-8 text")
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, "", [
            error(
                "task-md.encoding",
                rel,
                f"task.md is not valid UTF-8 (byte {exc.start}: {raw[exc.start:exc.start + 1]!r})",
                "re-save task.md with UTF-8 encoding",
            )
        ]
    parts = split_frontmatter(text)
    if parts is None:
        return None, text, [
            error(
                "task-md.frontmatter",
                rel,
                "task.md does not start with YAML frontmatter between `---` lines",
                "begin the file with `---`, the YAML keys, then a closing `---`",
            )
        ]
    block, body = parts
    if _has_alias(block):
        return None, body, [
            error(
                "task-md.yaml-alias",
                rel,
                "frontmatter uses YAML anchors/aliases (refused: they allow exponential 'YAML bomb' expansion)",
                "write every value out in full",
            )
        ]
    try:
        data = yaml.load(block, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, body, [
            error("task-md.yaml", rel, f"frontmatter is not valid YAML{where}: {problem}", "fix the YAML syntax")
        ]
    if isinstance(data, dict):
        dups = _duplicate_keys(block)
        if dups:
            return None, body, [
                error("task-md.duplicate-key", rel,
                      f"frontmatter key `{key}` appears twice (lines {first} and {second}); YAML keeps only the last, "
                      f"so the first value is silently lost", f"merge the two `{key.rsplit('.', 1)[-1]}:` entries into one")
                for key, first, second in dups
            ]  # fmt: skip
    if not isinstance(data, dict):
        return None, body, [
            error(
                "task-md.frontmatter-type",
                rel,
                f"frontmatter must be a mapping of keys, got {type(data).__name__}",
                "write `key: value` lines between the `---` markers",
            )
        ]
    return data, body, []


def load_task(root: str | Path) -> tuple[Task | None, list[Finding]]:
    """Load a package folder.  Returns (Task or None, findings about task.md)."""
    paths = TaskPaths(Path(root))
    if not paths.task_md.is_file():
        return None, [
            error(
                "structure.missing-file",
                str(paths.task_md),
                "package has no task.md",
                "add task.md (YAML frontmatter + `## prompt`), as in the starting-kit template",
            )
        ]
    data, body, findings = read_task_md(paths.task_md)
    if data is None:
        return None, findings
    spec, more = build_spec(data, body, str(paths.task_md))
    findings += more
    if spec is None:
        return None, findings
    return Task(paths, spec, tuple(findings)), findings


def is_task_dir(path: Path) -> bool:
    return (path / "task.md").is_file()
