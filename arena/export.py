"""A corpus as a Hugging Face dataset (parquet + dataset card), and back, byte for byte.

One row per task package: id, team, domain, category, difficulty, tags, family, prompt, the
frontmatter as JSON, the package digest (:func:`arena.task.tree_digest`), licence, file count and
size, and ``files``: the whole package as a deterministic tar (sorted paths, mtime 0, uid/gid 0,
mode 0644 or 0755 from the executable bit, symlinks kept as links) — the same tree gives the same
bytes.  ``import_dataset`` unpacks each ``files`` cell and checks that the rebuilt package has the
row's digest, so a round trip is verified, not assumed.  Empty folders are not stored (the digest
does not cover them either).

Layout written: ``DIR/data/train-00000-of-00001.parquet`` and ``DIR/README.md`` (the card: YAML
header with licences, configs and tags, then domains, counts and how the packages were checked),
which ``datasets.load_dataset(DIR)`` or ``load_dataset("parquet", data_files=...)`` reads offline.
pyarrow and yaml are imported inside the functions: importing this module costs nothing.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from arena.findings import Finding, error
from arena.release import LICENSE, LICENSE_CODE, LICENSE_TEXT, Gate

DATA_FILE = "data/train-00000-of-00001.parquet"
COLUMNS = ("id", "team", "domain", "category", "difficulty", "tags", "family", "prompt", "frontmatter", "digest",
           "license", "n_files", "n_bytes", "files")  # fmt: skip


# -- deterministic package archives -------------------------------------------------------------------


def pack(root: str | Path) -> bytes:
    """The package under ``root`` as tar bytes that depend only on what the digest covers."""
    root = Path(root)
    entries = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        entries += [os.path.join(dirpath, n) for n in filenames]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for full in sorted(entries, key=lambda p: os.path.relpath(p, root).replace(os.sep, "/")):
            info = tarfile.TarInfo(os.path.relpath(full, root).replace(os.sep, "/"))
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            if os.path.islink(full):
                info.type, info.linkname, info.mode = tarfile.SYMTYPE, os.readlink(full), 0o777
                tar.addfile(info)
                continue
            st = os.stat(full)
            info.mode = 0o755 if st.st_mode & 0o111 else 0o644
            info.size = st.st_size
            with open(full, "rb") as fh:
                tar.addfile(info, fh)
    return buf.getvalue()


def _safe_name(name: str) -> bool:
    parts = name.split("/")
    return (
        bool(name) and not name.startswith("/") and ".." not in parts and "" not in parts and "\\" not in name
    )


def unpack(data: bytes, dest: str | Path) -> list[str]:
    """Write the archive's files under ``dest``; returns the problems (unsafe or unknown members,
    which are skipped).  Only regular files and symlinks are written, never outside ``dest``."""
    dest = Path(dest)
    problems = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        for m in tar.getmembers():
            if not _safe_name(m.name):
                problems.append(f"{m.name}: unsafe path in the archive (absolute or with ..), skipped")
                continue
            target = dest / m.name
            if m.issym():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.symlink(m.linkname, target)
            elif m.isfile():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(tar.extractfile(m).read())
                os.chmod(target, 0o755 if m.mode & 0o111 else 0o644)
            elif not m.isdir():
                problems.append(f"{m.name}: not a regular file or symlink (tar type {m.type!r}), skipped")
    return problems


# -- export ---------------------------------------------------------------------------------------


@dataclass
class Exported:
    out: Path
    rows: int
    gate: Gate
    by_domain: dict[str, int] = field(default_factory=dict)


def task_row(path: Path, team: str | None) -> dict:
    """One dataset row of a package that passed the gate."""
    from arena.task import load_task, read_task_md, tree_digest

    task, _ = load_task(path)
    fm, _, _ = read_task_md(task.paths.task_md)
    data = pack(path)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = tar.getmembers()
    md = task.spec.metadata
    return {
        "id": task.id, "team": team, "domain": task.domain, "category": md.category, "difficulty": md.difficulty,
        "tags": list(md.tags), "family": md.family, "prompt": task.spec.prompt,
        "frontmatter": json.dumps(fm, ensure_ascii=False, default=str), "digest": tree_digest(path),
        "license": LICENSE, "n_files": len(members), "n_bytes": sum(m.size for m in members), "files": data,
    }  # fmt: skip


def _schema():
    import pyarrow as pa

    s, i = pa.string(), pa.int64()
    return pa.schema([("id", s), ("team", s), ("domain", s), ("category", s), ("difficulty", s),
                      ("tags", pa.list_(s)), ("family", s), ("prompt", s), ("frontmatter", s), ("digest", s),
                      ("license", s), ("n_files", i), ("n_bytes", i), ("files", pa.binary())])  # fmt: skip


def export_dataset(paths: list[str | Path], out: str | Path, *, gate_result: Gate | None = None,
                   name: str | None = None) -> Exported:  # fmt: skip
    """Write the dataset of every package under ``paths`` that passes ``arena check``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from arena.release import gate

    g = gate_result or gate(paths)
    rows = [task_row(a.path, a.team) for a in sorted(g.accepted, key=lambda a: a.task_id)]
    out = Path(out)
    (out / "data").mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist(rows, schema=_schema())
    pq.write_table(table, out / DATA_FILE, compression="zstd", row_group_size=256)
    by_domain = dict(sorted(Counter(r["domain"] for r in rows).items()))
    name = name or "-".join(Path(p).resolve().name for p in paths)
    (out / "README.md").write_text(dataset_card(rows, g, name), encoding="utf-8")
    return Exported(out, len(rows), g, by_domain)


def dataset_card(rows: list[dict], g: Gate, name: str) -> str:
    """README.md of the dataset: YAML header (licences, configs, tags) + what it holds."""
    import yaml

    n = len(rows)
    size = "n<1K" if n < 1000 else "1K<n<10K" if n < 10_000 else "10K<n<100K"
    header = {
        "pretty_name": f"arena corpus {name}", "license": [LICENSE_TEXT.lower(), LICENSE_CODE.lower()],
        "tags": ["reinforcement-learning", "agents", "rl-environments", "posttrain-arena"],
        "size_categories": [size],
        "configs": [{"config_name": "default", "data_files": [{"split": "train", "path": "data/train-*.parquet"}]}],
    }  # fmt: skip
    doms = Counter(r["domain"] for r in rows)
    diff = Counter(r["difficulty"] for r in rows)
    teams = Counter(r["team"] for r in rows if r["team"])
    lines = [
        "---", yaml.safe_dump(header, sort_keys=False).rstrip(), "---", "", f"# {name}", "",
        f"{n} RL task packages in the PostTrain Arena format (`task.md` frontmatter + `## prompt`, "
        "`environment/Dockerfile` + seed data, `verifier/test.sh` writing `/logs/verifier/reward.txt`, "
        "`oracle/solve.sh`), one row per package.", "",
        "## Licences", "",
        f"- **{LICENSE_TEXT}** for text and data: prompts, frontmatter, rubrics, seed and verifier data files.",
        f"- **{LICENSE_CODE}** for code: Dockerfiles, shell and Python scripts (verifiers, oracles, generators).",
        f"- Each row's `license` column holds the SPDX expression `{LICENSE}`.", "",
        "## Domains", "", "| domain | tasks |", "| --- | ---: |",
        *[f"| {d} | {c} |" for d, c in sorted(doms.items())], f"| **total** | {n} |", "",
        "## Difficulty", "", "| difficulty | tasks |", "| --- | ---: |",
        *[f"| {d} | {diff[d]} |" for d in ("easy", "medium", "hard") if diff[d]], "",
    ]  # fmt: skip
    if teams:
        lines += ["## Teams", "", *[f"- {t}: {c} tasks" for t, c in sorted(teams.items())], ""]
    lines += [
        "## How it was validated", "",
        f"Every package passed `arena check` with no error finding (required files, typed frontmatter, domain "
        f"category, non-empty prompt, Dockerfile starts with FROM, no symlink leaving the package, size limits, "
        f"no oracle or verifier content visible to the agent); {g.n_warnings} warning(s) remain across the "
        f"exported packages. {len(g.refused)} package(s) failed the check and are not in the dataset.",
        "The dynamic ladder (`arena validate`: the oracle scores 1.0, the empty agent does not) is a separate "
        "step and is not implied by this dataset.", "",
        "## Columns", "",
        "`id`, `team`, `domain` (one of the eight competition domains), `category` (as written), `difficulty`, "
        "`tags`, `family` (procedural generator, if any), `prompt`, `frontmatter` (JSON), `digest` "
        "(sha256 over path, executable bit and content of every file: `arena.task.tree_digest`), `license`, "
        "`n_files`, `n_bytes`, `files` (the package as a deterministic tar).", "",
        "## Use", "", "```python", "from datasets import load_dataset",
        'ds = load_dataset("parquet", data_files="data/train-*.parquet")["train"]', "```", "",
        "`arena import dataset DIR --out CORPUS` rebuilds the package folders and checks every digest.", "",
    ]  # fmt: skip
    return "\n".join(lines)


# -- import ------------------------------------------------------------------------------------------


@dataclass
class Imported:
    written: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


def read_rows(src: str | Path) -> list[dict]:
    """Rows of a dataset folder (every ``*.parquet`` under it, sorted) or of one parquet file."""
    import pyarrow.parquet as pq

    src = Path(src)
    files = [src] if src.is_file() else sorted(src.rglob("*.parquet"))
    if not files:
        raise FileNotFoundError(f"no parquet file under {src} (expected {DATA_FILE})")
    rows = []
    for f in files:
        rows += pq.read_table(f).to_pylist()
    return rows


def import_dataset(src: str | Path, out: str | Path, *, overwrite: bool = False) -> Imported:
    """Rebuild ``out/<id>/`` for every row and check each digest against the row's."""
    import shutil

    from arena.task import tree_digest

    res = Imported()
    out = Path(out)
    for row in read_rows(src):
        tid = str(row.get("id") or "")
        dest = out / tid
        if not _safe_name(tid) or "/" in tid:
            res.findings.append(
                error("import.bad-id", str(src), f"row id {tid!r} is not a folder name", "fix the id column")
            )
            continue
        if dest.exists():
            if not overwrite:
                res.findings.append(error("import.exists", str(dest), "the folder already exists",
                                          "choose an empty --out or pass --overwrite"))  # fmt: skip
                continue
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        for p in unpack(row["files"], dest):
            res.findings.append(error("import.archive", str(dest), p))
        got = tree_digest(dest)
        if row.get("digest") and got != row["digest"]:
            res.findings.append(error("import.digest", str(dest), f"rebuilt digest {got[:12]} differs from the row's "
                                      f"{str(row['digest'])[:12]}", "the files column was altered; re-export"))  # fmt: skip
        res.written.append(tid)
    return res
