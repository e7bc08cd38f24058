"""Static checks of one task package: every rule returns findings, none stops at the first error.

Rule families: ``structure.*`` (required files), ``task-md.*`` / ``frontmatter.*`` / ``body.*``
(the typed task.md), ``metadata.*``, ``prompt.*``, ``dockerfile.*``, ``package.*`` (symlinks,
sizes), ``leak.*`` (oracle/verifier content visible to the agent), ``verifier.*``.
The starting-kit structural check is a subset of these rules.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from pathlib import Path

from arena import dockerfile, domains, imagealias
from arena.findings import Finding, error, info, warning
from arena.task import Task, TaskPaths, load_task

FILE_WARN_BYTES = 5 * 1024 * 1024
FILE_MAX_BYTES = 20 * 1024 * 1024
PACKAGE_MAX_BYTES = 200 * 1024 * 1024
MAX_FILES = 5000
_DOWNLOAD_RE = re.compile(
    r"^(?!\s*#).*?\b(curl|wget|pip3? install|uvx?\b|apt-get install|apt install|npm install|git clone)\b",
    re.MULTILINE,
)


def _walk(root: Path) -> tuple[list[tuple[str, os.stat_result]], list[tuple[str, str]]]:
    """(regular files with their stat, symlinks with their target) under root, relative paths."""
    files, links = [], []
    stack = [root]
    while stack and len(files) <= MAX_FILES:
        d = stack.pop()
        try:
            it = os.scandir(d)
        except OSError:
            continue
        with it:
            for e in it:
                if e.is_symlink():
                    links.append((os.path.relpath(e.path, root), os.readlink(e.path)))
                elif e.is_dir(follow_symlinks=False):
                    stack.append(Path(e.path))
                elif e.is_file(follow_symlinks=False):
                    files.append((os.path.relpath(e.path, root), e.stat(follow_symlinks=False)))
    return files, links


def check_structure(p: TaskPaths) -> list[Finding]:
    out = []
    required = (
        (p.dockerfile, "environment/Dockerfile", "add environment/Dockerfile starting with `FROM <base image>`"),
        (p.test_sh, "verifier/test.sh", "add verifier/test.sh that writes /logs/verifier/reward.txt"),
        (p.solve_sh, "oracle/solve.sh", "add oracle/solve.sh, a reference solution that scores 1.0"),
    )
    for path, rel, fix in required:
        if not path.is_file():
            out.append(error("structure.missing-file", str(path), f"missing required file {rel}", fix))
    extras = (
        (p.test_outputs, "verifier/test_outputs.py", "the organizers' verifier shim runs pytest on it"),
        (p.verifier_md, "verifier/verifier.md", "describe what the verifier checks"),
    )
    for path, rel, why in extras:
        if not path.is_file():
            out.append(warning("structure.organizer-file", str(path), f"no {rel} ({why})", f"add {rel}"))
    if not (p.rubrics.is_dir() and any(x.suffix == ".md" for x in p.rubrics.iterdir())):
        out.append(
            warning(
                "structure.organizer-file",
                str(p.rubrics),
                "verifier/rubrics/ has no *.md rubric",
                "add verifier/rubrics/<name>.md describing the scoring",
            )
        )
    return out


def check_dockerfile(p: TaskPaths, task: Task | None) -> list[Finding]:
    if not p.dockerfile.is_file():
        return []
    try:
        text = p.dockerfile.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError) as exc:
        return [error("dockerfile.unreadable", str(p.dockerfile), f"cannot read Dockerfile: {exc}")]
    instrs = dockerfile.parse(text)
    out = []
    if not dockerfile.first_instruction_ok(instrs):
        first = next((i for i in instrs if i.cmd != "ARG"), None)
        got = f"`{first.cmd}` at line {first.line}" if first else "nothing"
        out.append(
            error(
                "dockerfile.first-instruction",
                str(p.dockerfile),
                f"first instruction must be FROM (only ARG may precede it), got {got}",
                "start the Dockerfile with `FROM <shared base image>`",
            )
        )
    for ins in instrs:
        if ins.cmd in ("COPY", "ADD") and not ins.args.startswith("--from"):
            for w in ins.args.split()[:-1]:
                if w.startswith("--"):
                    continue
                norm = os.path.normpath(w)
                if norm.startswith("..") or norm.startswith("/"):
                    out.append(
                        error(
                            "leak.copy-outside-context",
                            str(p.dockerfile),
                            f"line {ins.line}: {ins.cmd} {w} reaches outside environment/",
                            "copy only files that live inside environment/ (never oracle/ or verifier/)",
                        )
                    )
                elif re.search(r"(^|/)(oracle|verifier|solve\.sh|test_outputs\.py)(/|$)", norm):
                    out.append(
                        error(
                            "leak.copy-solution",
                            str(p.dockerfile),
                            f"line {ins.line}: {ins.cmd} {w} copies solution or verifier files into the image",
                            "the agent must never see the oracle or the verifier; remove this COPY",
                        )
                    )
    base = dockerfile.plan(instrs).base if instrs else None
    stand_in = _offline_stand_in(base)
    if stand_in:
        out.append(info("dockerfile.image-alias", str(p.dockerfile), stand_in,
                        f"to use another image, map it in a YAML file named by ${imagealias.ENV_VAR}"))  # fmt: skip
    if task is not None and task.spec.environment.base_image:
        if base and base != task.spec.environment.base_image:
            out.append(
                warning(
                    "dockerfile.base-mismatch",
                    str(p.dockerfile),
                    f"FROM {base} differs from environment.base_image = {task.spec.environment.base_image}",
                    "make both name the same image",
                )
            )
    return out


@functools.lru_cache(maxsize=8)
def _aliases(env_value: str | None):
    try:
        return imagealias.load_aliases()
    except Exception:  # noqa: BLE001 - a broken alias file is reported by the runtime that reads it
        return imagealias.AliasMap()


def _offline_stand_in(base: str | None) -> str | None:
    """What the Docker runtime builds instead of ``base`` when the engine lacks it (None: itself)."""
    if not base or "$" in base or base.startswith("-"):
        return None
    target = _aliases(os.environ.get(imagealias.ENV_VAR)).lookup(base)
    if target is None or target == base:
        return None
    return (f"offline, FROM {base} is built on {target} ({imagealias.stands_in(base, target)}) "
            "unless the Docker engine already has it")


def _digest(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha1(fh.read()).hexdigest()


def check_files(p: TaskPaths) -> list[Finding]:
    """Symlinks that leave the package, oversized files, oracle/verifier content in environment/."""
    out = []
    files, links = _walk(p.root)
    root_real = os.path.realpath(p.root)
    for rel, target in links:
        resolved = os.path.realpath(os.path.join(p.root, os.path.dirname(rel), target))
        if not (resolved == root_real or resolved.startswith(root_real + os.sep)):
            out.append(
                error(
                    "package.symlink-escape",
                    str(p.root / rel),
                    f"symlink points outside the package ({target})",
                    "replace the link with the file itself",
                )
            )
    if len(files) > MAX_FILES:
        out.append(error("package.too-many-files", str(p.root), f"more than {MAX_FILES} files"))
    total = 0
    sizes: dict[int, list[str]] = {}
    for rel, st in files:
        total += st.st_size
        if st.st_size > FILE_MAX_BYTES:
            out.append(
                error(
                    "package.file-too-large",
                    str(p.root / rel),
                    f"{st.st_size / 2**20:.1f} MiB (limit {FILE_MAX_BYTES // 2**20} MiB)",
                    "generate large seed data at build time with a script kept in environment/",
                )
            )
        elif st.st_size > FILE_WARN_BYTES:
            out.append(
                warning(
                    "package.file-large",
                    str(p.root / rel),
                    f"{st.st_size / 2**20:.1f} MiB (consider generating it)",
                    "generate large seed data with a script kept beside it",
                )
            )
        sizes.setdefault(st.st_size, []).append(rel)
    if total > PACKAGE_MAX_BYTES:
        out.append(error("package.too-large", str(p.root), f"package is {total / 2**20:.0f} MiB"))
    # leak: a file under environment/ identical to an oracle file or a verifier file that is not
    # pristine seed data (verifier/data/ holds the verifier's own copy of the agent's inputs)
    env_prefix = "environment" + os.sep
    secret = [
        r
        for r, st in files
        if (r.startswith("oracle" + os.sep) or (r.startswith("verifier" + os.sep) and os.sep + "data" + os.sep not in r))
        and st.st_size > 16
        and st.st_size <= FILE_MAX_BYTES
    ]
    candidates = {}
    for r in secret:
        size = os.stat(p.root / r).st_size
        for e in sizes.get(size, []):
            if e.startswith(env_prefix):
                candidates.setdefault(e, []).append(r)
    for env_file, secrets in candidates.items():
        d = _digest(p.root / env_file)
        for s in secrets:
            if _digest(p.root / s) == d:
                kind = "oracle" if s.startswith("oracle") else "verifier"
                out.append(
                    error(
                        f"leak.{kind}-in-environment",
                        str(p.root / env_file),
                        f"identical to {s}: the agent could read the {kind}'s content",
                        f"remove it from environment/ (the {kind} is mounted only when it runs)",
                    )
                )
    for rel, _ in files:
        name = os.path.basename(rel)
        if rel.startswith(env_prefix) and name in ("solve.sh", "test_outputs.py", "expected.json", "reward.txt"):
            out.append(
                warning(
                    "leak.suspicious-name",
                    str(p.root / rel),
                    f"environment/ ships a file named {name}",
                    "make sure it reveals nothing the verifier checks",
                )
            )
    return out


def downloads(text: str) -> list[tuple[int, str]]:
    """(line, tool) of every command in a script that fetches something when it runs (curl, wget,
    pip/apt/npm installs, uv/uvx, git clone), comment lines left out."""
    return [(text[: m.start()].count("\n") + 1, m.group(1)) for m in _DOWNLOAD_RE.finditer(text)]


def in_team_entry(root: Path) -> bool:
    """Whether a package sits in a team entry (``<entry>/envs/<task>`` with ``<entry>/submission.yaml``)."""
    root = Path(root).resolve()
    return root.parent.name == "envs" and (root.parent.parent / "submission.yaml").is_file()


def check_spec(task: Task) -> list[Finding]:
    out = []
    md = str(task.paths.task_md)
    cat = task.spec.metadata.category
    if domains.resolve(cat) is None:
        # inside a team entry the category decides which domain a task counts for: an error; a loose
        # task (an imported Harbor task, a scratch package) still validates and runs
        make = error if in_team_entry(task.paths.root) else warning
        where = "" if make is error else " (a warning outside a team entry; an error inside one)"
        out.append(make("metadata.category", md, f"unknown category {cat!r}{where}", domains.hint(cat)))
    sec = task.spec.metadata.secondary_category
    if sec and domains.resolve(sec) is None:
        out.append(
            warning(
                "metadata.secondary-category",
                md,
                f"unknown secondary_category {sec!r}",
                domains.hint(sec),
            )
        )
    if "## prompt" not in task.spec.body and not re.search(r"^##\s+prompt\s*$", task.spec.body, re.MULTILINE | re.IGNORECASE):
        out.append(error("prompt.missing", md, "body has no `## prompt` section", "add `## prompt` and the task text"))
    elif not task.spec.prompt.strip():
        out.append(error("prompt.empty", md, "the `## prompt` section is empty", "write the task for the agent"))
    test_sh = task.paths.test_sh
    if test_sh.is_file() and not task.spec.environment.allow_internet:
        try:
            text = test_sh.read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        found = downloads(text)
        if found:
            line, tool = found[0]
            guarded = "BENCHFLOW_SKIP_VERIFIER_DEPS" in text or "command -v" in text
            make = info if guarded else warning
            out.append(
                make(
                    "verifier.downloads",
                    str(test_sh),
                    f"line {line}: the verifier fetches tools at verify time (`{tool}`) but "
                    "allow_internet is false" + (" (only on a fallback path)" if guarded else ""),
                    "preinstall verifier dependencies (pytest…) in environment/Dockerfile",
                )
            )
    return out


def check_task(root: str | Path) -> tuple[Task | None, list[Finding]]:
    """All static findings for one package folder."""
    p = TaskPaths(Path(root))
    task, findings = load_task(p.root)
    findings = list(findings)
    if not p.task_md.is_file():
        pass  # already reported by load_task
    findings += check_structure(p)
    findings += check_dockerfile(p, task)
    findings += check_files(p)
    if task is not None:
        findings += check_spec(task)
    return task, findings
