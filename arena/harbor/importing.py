"""Import: Harbor task folders -> arena packages (``arena import harbor``); a task exported by
arena comes back byte for byte."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from arena.harbor.frontmatter import frontmatter_from_harbor
from arena.harbor.mounts import _script_notes
from arena.harbor.needs import (
    _compose_note,
    _entrypoint_service,
    _named_rewards,
    _service_start,
    _verifier_notes,
)
from arena.harbor.notes import _ENV_KEYS, FOLDERS, Converted, Note, _copy_tree


def _prompt_body(instruction: str) -> tuple[str, bool]:
    """``## prompt`` + the instruction; level-2 headings inside it would end arena's prompt section,
    so they become level 3 (returns whether any was demoted)."""
    text, n = re.subn(r"^##(?=[ \t])", "###", instruction.strip(), flags=re.MULTILINE)
    return f"\n## prompt\n\n{text}\n", n > 0


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
