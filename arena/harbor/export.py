"""Export: an arena package -> a Harbor task folder (``task.toml``, ``instruction.md``, ``tests/``,
``solution/``), arena-only fields kept under ``[metadata.arena]``."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from arena.harbor.mounts import _script_notes
from arena.harbor.notes import _ENV_KEYS, _FM_KNOWN, FOLDERS, Converted, Note, _copy_tree
from arena.harbor.tomlwriter import dump_toml


def _nulls(d, path: str = "") -> list[str]:
    out = []
    for k, v in d.items():
        if v is None:
            out.append(f"{path}{k}")
        elif isinstance(v, dict):
            out += _nulls(v, f"{path}{k}.")
    return out


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
