"""Convert task packages to and from the Harbor / Terminal-Bench task layout.

==================  ================================================================
arena package       Harbor task
==================  ================================================================
task.md frontmatter ``task.toml`` ([metadata], [agent], [verifier], [environment])
task.md ``## prompt`` ``instruction.md``
environment/        environment/ (Dockerfile + build context, unchanged)
verifier/           tests/ (``test.sh`` writes ``/logs/verifier/reward.txt`` in both)
oracle/             solution/ (``solve.sh``)
==================  ================================================================

Nothing that cannot be mapped is dropped silently: every such field comes back as a
:class:`Note` (field, why, where it was kept).  Export keeps the verbatim ``task.md``, the package
digest and the arena-only fields (``agent.answer_file``, ``environment.base_image``, fractional
cpus) under ``[metadata.arena]`` (Harbor's metadata table is free-form), so export → import
rebuilds the same bytes (same digest) unless the Harbor copy was edited; then ``task.md`` is
regenerated from ``task.toml`` + ``instruction.md`` and a note says so.  Import of a foreign Harbor
task keeps Harbor-only settings (env vars, users, network allowlists, healthchecks…) under
``metadata.harbor`` in the frontmatter, and export puts them back in their TOML sections.

Defaults differ between the two formats (Harbor: internet allowed, verifier 600 s, no agent
limit; arena: no internet, verifier 180 s, agent 900 s), so import writes every limit explicitly
with Harbor's meaning.
"""

from __future__ import annotations

import math
import os
import re
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


# -- a small TOML writer (tables of strings, numbers, booleans, lists, nested tables) -----------------


def _toml_str(s: str, multiline: bool = False) -> str:
    def esc(ch: str) -> str:
        if ch == "\\":
            return "\\\\"
        if ch == '"':
            return '\\"'
        if ch == "\n" and multiline:
            return ch
        if ch in "\b\t\n\f\r":
            return {
                "\b": "\\b",
                "\t": "\\t" if not multiline else "\t",
                "\n": "\\n",
                "\f": "\\f",
                "\r": "\\r",
            }[ch]
        if ord(ch) < 0x20 or ord(ch) == 0x7F:
            return f"\\u{ord(ch):04x}"
        return ch

    body = "".join(map(esc, s))
    return f'"""\n{body}"""' if multiline else f'"{body}"'


def _toml_key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else _toml_str(k)


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
    if isinstance(v, str):
        return _toml_str(v, multiline="\n" in v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"
    return _toml_str(str(v))


def dump_toml(doc: dict, prefix: str = "") -> str:
    """TOML text of a mapping: scalars first, then one [table] per nested mapping.  None is skipped
    (TOML has no null; callers report it)."""
    lines, tables = [], []
    for k, v in doc.items():
        if v is None:
            continue
        if isinstance(v, dict):
            tables.append((k, v))
        else:
            lines.append(f"{_toml_key(k)} = {_toml_value(v)}")
    out = "\n".join(lines)
    for k, v in tables:
        name = f"{prefix}.{_toml_key(k)}" if prefix else _toml_key(k)
        out += f"\n\n[{name}]\n" + dump_toml(v, name)
    return out.strip("\n") + ("\n" if not prefix else "")


# -- export: arena -> Harbor ----------------------------------------------------------------------------


def _nulls(d, path: str = "") -> list[str]:
    out = []
    for k, v in d.items():
        if v is None:
            out.append(f"{path}{k}")
        elif isinstance(v, dict):
            out += _nulls(v, f"{path}{k}.")
    return out


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


def _copy_tree(src: Path, dst: Path) -> None:
    if src.is_symlink() or src.is_file():
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst, follow_symlinks=False)
    elif src.is_dir():
        shutil.copytree(src, dst, symlinks=True)


def harbor_config(task, fm: dict, digest: str, task_md: str) -> tuple[dict, list[Note]]:
    """The task.toml mapping of one package and the notes on what did not map."""
    tid, spec, notes = task.id, task.spec, []
    arena: dict = {"id": tid, "digest": digest, "domain": task.domain}
    meta = {k: v for k, v in (fm.get("metadata") or {}).items() if k != "harbor"}
    harbor_extra = (fm.get("metadata") or {}).get("harbor") or {}
    for key in _nulls(fm):
        notes.append(
            Note(
                tid,
                key,
                "is null (TOML has no null): left out of task.toml, kept in metadata.arena.task_md",
                "info",
            )
        )
    agent = {"timeout_sec": spec.agent.timeout_sec, "user": spec.agent.user}
    if spec.agent.answer_file:
        arena["answer_file"] = spec.agent.answer_file
        notes.append(Note(tid, "agent.answer_file", "Harbor has no answer-file field (agents act in the container); "
                                                     "kept as metadata.arena.answer_file", "info"))  # fmt: skip
    env = {k: getattr(spec.environment, k) for k in _ENV_KEYS}
    if env["cpus"] != int(env["cpus"]):
        arena["cpus"] = env["cpus"]
        notes.append(Note(tid, "environment.cpus", f"Harbor wants whole cpus: {env['cpus']} rounded up to "
                                                    f"{math.ceil(env['cpus'])} (exact value in metadata.arena.cpus)"))  # fmt: skip
    env["cpus"] = math.ceil(env["cpus"])
    if spec.environment.base_image:
        arena["base_image"] = spec.environment.base_image
        notes.append(Note(tid, "environment.base_image", "Harbor's docker_image means a prebuilt image that replaces "
                                                          "the Dockerfile, not a FROM check: kept as metadata.arena.base_image", "info"))  # fmt: skip
    for key in sorted(set(fm) - _FM_KNOWN):
        notes.append(Note(tid, key, "no Harbor equivalent (kept only in metadata.arena.task_md)"))
    for sec in ("agent", "verifier", "environment"):
        extra = sorted(
            set(fm.get(sec) or {}) - set(_ENV_KEYS) - {"timeout_sec", "user", "answer_file", "base_image"}
        )
        notes += [
            Note(tid, f"{sec}.{k}", "no Harbor equivalent (kept only in metadata.arena.task_md)")
            for k in extra
        ]
    rest = re.sub(r"^##[ \t]+prompt[ \t]*$", "", spec.body, count=1, flags=re.MULTILINE | re.IGNORECASE)
    if rest.replace(spec.prompt, "", 1).strip():
        notes.append(Note(tid, "task.md body", "sections besides `## prompt` (roles, scenes, persona, notes) are not "
                                               "part of instruction.md; kept in metadata.arena.task_md"))  # fmt: skip
    arena["task_md"] = task_md
    meta["arena"] = arena
    doc = {"version": str(fm.get("version", "1.0")), "metadata": meta,
           "verifier": {"timeout_sec": spec.verifier.timeout_sec}, "agent": agent, "environment": env}  # fmt: skip
    for sec, values in harbor_extra.items():  # Harbor-only settings an import kept aside go back in place
        if isinstance(values, dict) and isinstance(doc.get(sec), dict):
            doc[sec].update(values)
        else:
            doc[sec] = values
    return doc, notes


def export_task(task, out_dir: Path) -> list[Note]:
    """Write one package as a Harbor task folder ``out_dir``."""
    from arena.task import read_task_md, tree_digest

    root, tid = task.root, task.id
    fm, _, _ = read_task_md(task.paths.task_md)
    task_md = task.paths.task_md.read_text(encoding="utf-8")
    doc, notes = harbor_config(task, fm, tree_digest(root), task_md)
    out_dir.mkdir(parents=True)
    (out_dir / "task.toml").write_text(dump_toml(doc), encoding="utf-8")
    (out_dir / "instruction.md").write_text(task.spec.prompt.strip() + "\n", encoding="utf-8")
    for name in sorted(os.listdir(root)):
        if name == "task.md":
            continue
        target = FOLDERS.get(name)
        if target is None:
            notes.append(Note(tid, name, f"not part of the arena layout's mapped folders: copied as {name} "
                                         "(Harbor ignores it)", "info"))  # fmt: skip
        _copy_tree(root / name, out_dir / (target or name))
    notes += _script_notes(tid, task.paths.test_sh, "verifier", "verifier/test.sh", direction="export")
    notes += _script_notes(tid, task.paths.solve_sh, "oracle", "oracle/solve.sh", direction="export")
    dockerfile = (
        task.paths.dockerfile.read_text(encoding="utf-8", errors="replace")
        if task.paths.dockerfile.is_file()
        else ""
    )
    m = re.search(r"^\s*FROM\s+(arena-base\S*)", dockerfile, re.MULTILINE | re.IGNORECASE)
    if m:
        notes.append(Note(tid, "environment/Dockerfile", f"FROM {m.group(1)} is arena's local base image: build it "
                                                          "where Harbor runs (`arena base build`) or change FROM"))  # fmt: skip
    return notes


def export_harbor(paths: list[str | Path], out: str | Path, *, gate_result=None) -> tuple[Converted, object]:
    """Every package under ``paths`` that passes ``arena check`` → ``out/<id>/`` (Harbor layout)."""
    from arena.release import gate
    from arena.task import load_task

    g = gate_result or gate(paths)
    res = Converted()
    out = Path(out)
    for a in sorted(g.accepted, key=lambda a: a.task_id):
        task, _ = load_task(a.path)
        dest = out / task.id
        if dest.exists():
            res.notes.append(Note(task.id, str(dest), "the folder already exists: not overwritten", "error"))
            continue
        res.notes += export_task(task, dest)
        res.written.append(task.id)
    return res, g


# -- import: Harbor -> arena -------------------------------------------------------------------------


def _size_mb(v) -> int | None:
    m = re.fullmatch(r"\s*([\d.]+)\s*([KMG])?B?\s*", str(v), re.IGNORECASE)
    if not m:
        return None
    n, unit = float(m.group(1)), (m.group(2) or "M").upper()
    return int(n * {"K": 1 / 1024, "M": 1, "G": 1024}[unit])


def _prompt_body(instruction: str) -> tuple[str, bool]:
    """``## prompt`` + the instruction; level-2 headings inside it would end arena's prompt section,
    so they become level 3 (returns whether any was demoted)."""
    text, n = re.subn(r"^##(?=[ \t])", "###", instruction.strip(), flags=re.MULTILINE)
    return f"\n## prompt\n\n{text}\n", n > 0


def frontmatter_from_harbor(tid: str, cfg: dict, *, domain: str | None = None,
                            domain_map: dict[str, str] | None = None) -> tuple[dict, list[Note]]:  # fmt: skip
    """The arena frontmatter mapping of a Harbor task.toml, and the notes on what did not map.

    A Harbor category is rarely one of the eight domains.  ``domain_map`` (Harbor category →
    domain, any spelling) is tried first, then the category itself, then ``domain`` (the default for
    the whole import); the Harbor category is kept as ``metadata.legacy_category``.  With none of
    them the category stays as written and the note says it is not a domain."""
    from arena import domains

    notes: list[Note] = []
    kept: dict = {}  # Harbor-only settings, under metadata.harbor
    meta = dict(cfg.get("metadata") or {})
    meta.pop("arena", None)
    pkg = cfg.get("task") or {}
    authors = pkg.get("authors") or []
    first = authors[0] if authors and isinstance(authors[0], dict) else {}
    if not meta.get("author_name"):
        meta["author_name"] = first.get("name") or "unknown"
        if not first.get("name"):
            notes.append(Note(tid, "metadata.author_name", "missing in task.toml: placeholder `unknown` written"))
    if not meta.get("author_email"):
        meta["author_email"] = first.get("email") or "unknown@example.invalid"
        if not first.get("email"):
            notes.append(
                Note(
                    tid,
                    "metadata.author_email",
                    "missing in task.toml: placeholder unknown@example.invalid written",
                )
            )
    if meta.get("difficulty") not in ("easy", "medium", "hard"):
        notes.append(
            Note(
                tid,
                "metadata.difficulty",
                (f"{meta.get('difficulty')!r} is not easy/medium/hard: written as medium"
                 if meta.get("difficulty") is not None else "missing in task.toml: written as medium"),
            )
        )
        if meta.get("difficulty") is not None:
            kept.setdefault("metadata", {})["difficulty"] = meta["difficulty"]
        meta["difficulty"] = "medium"
    cat = meta.get("category")
    mapped = None
    if cat is not None and domain_map:
        hit = next((v for k, v in domain_map.items() if domains.words(k) == domains.words(str(cat))), None)
        if hit is not None:
            mapped = (domains.resolve(hit), f"--domain-map maps {str(cat)!r} to {hit!r}")
    if mapped is None and cat is not None and domains.resolve(str(cat)) is not None:
        mapped = (domains.resolve(str(cat)), None)
    if mapped is None and domain is not None:
        mapped = (domains.resolve(domain), f"--domain {domain}")
    if mapped is not None and mapped[0] is not None:
        d, how = mapped
        if cat is not None and str(cat) != d.id:
            meta["legacy_category"] = str(cat)
        meta["category"] = d.id
        if how:
            notes.append(Note(tid, "metadata.category", f"{cat!r} → {d.id} ({how}); Harbor's category kept as "
                                                        "metadata.legacy_category" if cat is not None else
                                                        f"none in task.toml → {d.id} ({how})", "info"))  # fmt: skip
    else:
        what = (domains.hint(str(cat)) if cat is not None
                else "missing in task.toml: placeholder `unknown` written")  # fmt: skip
        notes.append(Note(tid, "metadata.category", f"{what}; pass --domain or --domain-map: outside a team entry "
                                                    "the task still validates and runs (a warning), inside one "
                                                    "`arena check` refuses it", "warning"))  # fmt: skip
        meta["category"] = str(cat) if cat is not None else "unknown"
    if not meta.get("tags") and pkg.get("keywords"):
        meta["tags"] = list(pkg["keywords"])
    for k in ("name", "description"):
        if pkg.get(k):
            kept.setdefault("task", {})[k] = pkg[k]
    if len(authors) > 1:
        kept.setdefault("task", {})["authors"] = authors
        notes.append(
            Note(
                tid,
                "task.authors",
                "arena has one author: the first is the author, all kept in metadata.harbor",
                "info",
            )
        )
    agent_cfg, ver_cfg, env_cfg = (dict(cfg.get(s) or {}) for s in ("agent", "verifier", "environment"))
    agent_t = agent_cfg.pop("timeout_sec", None)
    if agent_t is None:
        notes.append(
            Note(
                tid,
                "agent.timeout_sec",
                f"not set (no limit in Harbor): arena needs one, {ARENA_AGENT_TIMEOUT:g} s written",
            )
        )
    agent = {"timeout_sec": float(agent_t or ARENA_AGENT_TIMEOUT)}
    if agent_cfg.get("user") is not None:
        agent["user"] = str(agent_cfg.pop("user"))
    verifier = {"timeout_sec": float(ver_cfg.pop("timeout_sec", HARBOR_DEFAULTS["verifier.timeout_sec"]))}
    env = {k: env_cfg.pop(k, HARBOR_DEFAULTS[f"environment.{k}"]) for k in _ENV_KEYS}
    for old, new in (("memory", "memory_mb"), ("storage", "storage_mb")):
        if old in env_cfg:
            env[new] = _size_mb(env_cfg.pop(old)) or env[new]
    mode = env_cfg.pop("network_mode", None)
    if mode is not None:
        env["allow_internet"] = mode != "no-network"
        if mode == "allowlist":
            kept.setdefault("environment", {})["network_mode"] = mode
            notes.append(Note(tid, "environment.network_mode", "allowlist: arena has no host allowlist; internet "
                                                               "allowed in full (hosts kept in metadata.harbor)"))  # fmt: skip
    for sec, rest in (("agent", agent_cfg), ("verifier", ver_cfg), ("environment", env_cfg),
                      ("solution", dict(cfg.get("solution") or {}))):  # fmt: skip
        for k, v in rest.items():
            if v in (None, {}, []):
                continue
            kept.setdefault(sec, {})[k] = v
            if (sec, k, v) == ("environment", "skills_dir", "/skills"):  # arena's own skills mount point
                notes.append(Note(tid, f"{sec}.{k}", "/skills: arena mounts the package's environment/skills folder "
                                                     "there read-only for the agent (kept in metadata.harbor)", "info"))  # fmt: skip
                continue
            notes.append(
                Note(tid, f"{sec}.{k}", "no arena equivalent: kept in metadata.harbor, not applied by arena")
            )
    for k in sorted(
        set(cfg)
        - {"version", "schema_version", "task", "metadata", "agent", "verifier", "environment", "solution"}
    ):
        kept[k] = cfg[k]
        notes.append(Note(tid, k, "no arena equivalent: kept in metadata.harbor, not applied by arena"))
    if kept:
        meta["harbor"] = kept
    version = str(cfg.get("version") or cfg.get("schema_version") or "1.0")
    return {
        "version": version,
        "metadata": meta,
        "agent": agent,
        "verifier": verifier,
        "environment": env,
    }, notes


def _lossless_task_md(cfg: dict, instruction: str) -> str | None:
    """The verbatim task.md an export kept, if task.toml and instruction.md still agree with it."""
    import yaml

    from arena.spec import build_spec
    from arena.task import TASK_MD_LIMIT, _has_alias, split_frontmatter

    text = ((cfg.get("metadata") or {}).get("arena") or {}).get("task_md")
    if not isinstance(text, str) or len(text) > TASK_MD_LIMIT:
        return None
    parts = split_frontmatter(text)
    if parts is None or _has_alias(parts[0]):  # the same guards as load_task (no YAML bombs)
        return None
    try:
        data = yaml.safe_load(parts[0])
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict):
        return None
    spec, _ = build_spec(data, parts[1], "task.md")
    if spec is None or spec.prompt.strip() != instruction.strip():
        return None
    env = cfg.get("environment") or {}
    same = (spec.agent.timeout_sec == (cfg.get("agent") or {}).get("timeout_sec")
            and spec.verifier.timeout_sec == (cfg.get("verifier") or {}).get("timeout_sec")
            and all(env.get(k) == (math.ceil(getattr(spec.environment, k)) if k == "cpus" else getattr(spec.environment, k))
                    for k in _ENV_KEYS)
            and all((cfg.get("metadata") or {}).get(k) == getattr(spec.metadata, k) for k in ("category", "difficulty")))  # fmt: skip
    return text if same else None


def import_task(src: Path, dest: Path, *, domain: str | None = None,
                domain_map: dict[str, str] | None = None) -> tuple[list[Note], bool]:  # fmt: skip
    """One Harbor task folder → an arena package at ``dest``: (notes, rebuilt byte for byte)."""
    import tomllib

    import yaml

    tid = dest.name
    try:
        cfg = tomllib.loads((src / "task.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return [Note(tid, "task.toml", f"unreadable: {exc}", "error")], False
    ipath = src / "instruction.md"
    instruction = ipath.read_text(encoding="utf-8") if ipath.is_file() else ""
    steps = sorted(p.name for p in (src / "steps").iterdir() if p.is_dir()) if (src / "steps").is_dir() else []
    if steps and not instruction.strip():
        return [Note(tid, "steps/", f"a multi-step Harbor task ({', '.join(steps)}: one instruction, solution and "
                                    "test per step): arena runs one prompt, one oracle and one verifier per task, so "
                                    "it is not imported; import each step as its own task", "error")], False  # fmt: skip
    notes = (
        []
        if instruction.strip()
        else [Note(tid, "instruction.md", "missing or empty: the prompt is empty", "error")]
    )
    task_md = _lossless_task_md(cfg, instruction)
    if task_md is None:
        fm, more = frontmatter_from_harbor(tid, cfg, domain=domain, domain_map=domain_map)
        body, demoted = _prompt_body(instruction)
        notes += more
        if demoted:
            notes.append(Note(tid, "instruction.md", "level-2 headings (##) became level 3 (###): in task.md a `## ` "
                                                     "heading ends the prompt section", "info"))  # fmt: skip
        if (cfg.get("metadata") or {}).get("arena"):
            notes.append(Note(tid, "task.md", "task.toml or instruction.md changed since export: task.md regenerated "
                                              "from them (not byte-identical)", "info"))  # fmt: skip
        named = _named_rewards(src / "tests" / "test.sh")
        if named and not (fm.get("verifier") or {}).get("reward_key"):
            fm.setdefault("verifier", {})["reward_key"] = "mean"
            notes.append(Note(tid, "verifier.reward_key", f"set to `mean`: tests/test.sh writes {named} (named rewards) "
                                                          f"and no reward.txt, so arena scores the mean of the named "
                                                          f"rewards; set verifier.reward_key to one name to score "
                                                          f"that one instead", "info"))  # fmt: skip
        service, who = _service_start(src / "solution" / "solve.sh"), "the reference solution"
        if not service:
            service, who = _entrypoint_service(src / "environment"), "the image's ENTRYPOINT"
        if service:
            fm.setdefault("verifier", {})["keep_services"] = True
            notes.append(Note(tid, "verifier.keep_services", f"set: {who} starts a service "
                                                             f"({service!r}) its verifier may check; the agent's "
                                                             f"processes then keep running and the verifier runs in "
                                                             f"the agent's machine (docker only; weaker isolation)",
                              "info"))  # fmt: skip
        task_md = "---\n" + yaml.safe_dump(fm, sort_keys=False, allow_unicode=True) + "---\n" + body
    dest.mkdir(parents=True)
    (dest / "task.md").write_text(task_md, encoding="utf-8")
    back = {v: k for k, v in FOLDERS.items()}
    for name in sorted(os.listdir(src)):
        if name in ("task.toml", "instruction.md"):
            continue
        _copy_tree(src / name, dest / back.get(name, name))
    if not (src / "environment" / "Dockerfile").is_file():
        what = (
            "docker-compose.yaml (multi-container)"
            if (src / "environment" / "docker-compose.yaml").is_file()
            else "nothing"
        )
        notes.append(
            Note(
                tid, "environment/Dockerfile", f"missing (found {what}): arena builds one Dockerfile", "error"
            )
        )
    if not (src / "solution" / "solve.sh").is_file():
        notes.append(
            Note(
                tid,
                "solution/solve.sh",
                "missing: arena requires oracle/solve.sh (a reference solution)",
                "error",
            )
        )
    notes += _script_notes(tid, dest / "verifier" / "test.sh", "verifier", "tests/test.sh", direction="import")
    notes += _script_notes(tid, dest / "oracle" / "solve.sh", "oracle", "solution/solve.sh", direction="import")
    notes += _verifier_notes(tid, dest / "verifier" / "test.sh")
    notes += _compose_note(tid, src / "environment")
    digest = ((cfg.get("metadata") or {}).get("arena") or {}).get("digest")
    from arena.task import tree_digest

    return notes, bool(digest) and tree_digest(dest) == digest


_SERVICE = re.compile(r"\b(supervisord|supervisorctl\s+(re)?start|service\s+\S+\s+(re)?start|systemctl\s+(re)?start|"
                      r"nohup|start-stop-daemon|daemonize|redis-server|nginx|httpd|apachectl|mysqld|pg_ctl|"
                      r"gunicorn|uvicorn|flask\s+run|http\.server)\b|(?<![&|])&\s*$")  # fmt: skip


def _service_start(solve_sh: Path) -> str | None:
    """The first line of a reference solution that leaves a process running (a service, a
    backgrounded command), or None."""
    try:
        text = solve_sh.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        code = line.split("#", 1)[0].rstrip()
        if code and _SERVICE.search(code):
            return code.strip()[:80]
    return None


def _entrypoint_service(env_dir: Path) -> str | None:
    """A service the image's ENTRYPOINT / CMD starts (in the instruction itself or in a script of the
    build context it names), which runs before the agent and which the verifier may check."""
    try:
        dockerfile = (env_dir / "Dockerfile").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for m in re.finditer(r"^\s*(?:ENTRYPOINT|CMD)\s+(.+)$", dockerfile, re.MULTILINE | re.IGNORECASE):
        line = m.group(1)
        if hit := _SERVICE.search(line.replace('"', " ").replace(",", " ")):
            return hit.group(0).strip() or line.strip()[:80]
        for name in re.findall(r"[\w./-]+", line):
            script = env_dir / Path(name).name
            if Path(name).name and script.is_file() and script.stat().st_size <= 1 << 20:
                if hit := _service_start(script):
                    return hit
    return None


def _compose_note(tid: str, env_dir: Path) -> list[Note]:
    """Sidecar containers of environment/docker-compose.yaml that arena does not start."""
    import yaml

    p = next((env_dir / n for n in ("docker-compose.yaml", "docker-compose.yml") if (env_dir / n).is_file()), None)
    if p is None or not (env_dir / "Dockerfile").is_file():
        return []
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        doc = {}
    services = [str(k) for k in ((doc.get("services") if isinstance(doc, dict) else None) or {}) if k != "main"]
    if not services:
        return []
    return [Note(tid, f"environment/{p.name}", f"declares other containers ({', '.join(services)}) that arena does not "
                                               "start: arena builds environment/Dockerfile only, so a task that talks "
                                               "to them cannot pass here (validate says which host was unreachable)")]  # fmt: skip


def _verifier_notes(tid: str, test_sh: Path) -> list[Note]:
    """What an imported verifier needs at verify time that an offline sandbox may not give it:
    downloads (Harbor's canonical test.sh installs curl and uv and runs pytest through uvx).  Named
    rewards without a ``reward`` (Harbor's multi-reward files) get ``verifier.reward_key`` at import."""
    from arena.checks import downloads

    if not test_sh.is_file():
        return []
    text = test_sh.read_text(encoding="utf-8", errors="replace")
    out = []
    tools = list(dict.fromkeys(tool for _line, tool in downloads(text)))
    if not tools:
        return out
    wanted = sorted({re.split(r"[=<>~!@\[ ]", w)[0].lower() for w in re.findall(r"--with[= ]+([^\s\\]+)", text)})
    extra = [w for w in wanted if w not in ("pytest", "pytest-json-ctrf")]
    if not {"uv", "uvx"} & set(tools) or not set(tools) <= {"uv", "uvx", "curl", "apt-get install"}:
        out.append(Note(tid, "tests/test.sh", f"downloads when it runs ({', '.join(tools)}): without network (arena's "
                                              "default, and hosts a sandbox cannot reach) that step fails; install "
                                              "what it fetches in environment/Dockerfile or set "
                                              "environment.allow_internet where a network exists"))  # fmt: skip
    elif not extra:
        out.append(Note(tid, "tests/test.sh", f"downloads when it runs ({', '.join(tools)}): offline the download "
                                              "fails and arena's uv/uvx stand-in (arena.uvshim) runs "
                                              f"{' + '.join(wanted) or 'the tool'} from the image (arena's base image "
                                              "has pytest 8.4.1 + pytest-json-ctrf 0.3.5)", "info"))  # fmt: skip
    else:
        out.append(Note(tid, "tests/test.sh", f"downloads when it runs ({', '.join(tools)}; packages "
                                              f"{', '.join(extra)}): offline arena's uv/uvx stand-in runs only what the "
                                              "image has installed; install them in environment/Dockerfile or run "
                                              "where the internet is reachable"))  # fmt: skip
    return out


def _named_rewards(test_sh: Path) -> str | None:
    """``reward.json`` / ``rewards.json`` when a verifier writes named rewards and no reward.txt."""
    try:
        text = test_sh.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    named = re.search(r"rewards?\.json", text)
    return named.group(0) if named and "reward.txt" not in text else None


def is_harbor_task(path: Path) -> bool:
    return (path / "task.toml").is_file()


def import_harbor(src: str | Path, out: str | Path, *, domain: str | None = None,
                  domain_map: dict[str, str] | None = None) -> Converted:  # fmt: skip
    """Every Harbor task folder under ``src`` (or ``src`` itself) → ``out/<name>/``; ``domain`` /
    ``domain_map`` give the arena domain of tasks whose Harbor category is not one (see
    :func:`frontmatter_from_harbor`)."""
    src, out = Path(src), Path(out)
    found = [src] if is_harbor_task(src) else sorted(p.parent for p in src.rglob("task.toml"))
    res = Converted()
    if not found:
        res.notes.append(
            Note(src.name, str(src), "no task.toml found: not a Harbor task or dataset folder", "error")
        )
    for p in found:
        dest = out / p.name
        if dest.exists():
            res.notes.append(Note(p.name, str(dest), "the folder already exists: not overwritten", "error"))
            continue
        notes, lossless = import_task(p, dest, domain=domain, domain_map=domain_map)
        res.notes += notes
        if dest.is_dir():
            res.written.append(p.name)
        if lossless:
            res.lossless.append(p.name)
    return res


def summary(res: Converted) -> dict:
    return {"written": len(res.written), "lossless": len(res.lossless),
            "notes": [n.__dict__ for n in res.notes]}  # fmt: skip
