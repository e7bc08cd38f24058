"""The family machinery: a seeded instance generator plus the package writer shared by all families.

A *family* (``Family`` subclass) knows one kind of small, single-turn task: its domain, the skills
it exercises, its answer format, entity pools split into train/held-out halves, and prompt
templates split the same way.  ``Family.make(rng, level, split)`` draws one ``Instance`` (the data
shown to the model and the canonical answer); everything else — the prompt wording, the task
package files, the verifier — is assembled here, identically for every family, so the 24 families
differ only in what they ask.

Answer formats are shared on purpose: a tiny model transfers a skill across domains only when the
answer looks the same, so every family answers in one of ``FORMATS``:

  int    a bare integer                          42
  kv     key=value lines, keys in a stated order C=2 / H=8 / O=6
  list   comma-separated items, no spaces        10.0.3.7,10.0.9.1
  token  one name from the data or the question  run-fox

Determinism: one ``random.Random`` per (family, split, difficulty, seed, index), seeded with a
string (stable across processes and PYTHONHASHSEED); files are written with fixed bytes and modes.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DIFFICULTIES = ("easy", "medium", "hard")
SPLITS = ("train", "heldout")
FORMATS = ("int", "kv", "list", "token")
ANSWER_FILE = "/root/answer.txt"
AUTHOR_NAME = "arena generator"
AUTHOR_EMAIL = "generator@example.org"
BASE_IMAGE = "arena-base:py3.11"
ASSETS = Path(__file__).resolve().parent / "assets"

#: the answer contract: how each format is stated, and where the answer goes.  The same wording in
#: both splits: a suite publishes its answer format with its task format, so a held-out task words
#: its question differently (intro and ask are paraphrased) but not the contract.  (Until
#: 2026-11-29 the held-out split paraphrased these two lines too; the tiny showcase model, which
#: reads the answer's shape off the lines just before it, then answered held-out tasks at chance
#: whatever it had learned: bench/calibrate_heldout.py.)
FORMAT_LINES = {
    "int": "Answer format: a bare integer (digits only, no units or words).",
    "kv": "Answer format: one key=value line per key, in the order listed above. No spaces, nothing else.",
    "list": "Answer format: the items separated by commas, no spaces, in order of first appearance.",
    "token": "Answer format: the name only, exactly as written above.",
}
FILE_LINE = f"Write only the answer to {ANSWER_FILE}."
#: kv tasks name their keys on a line of their own, before the (then constant) format line
KEYS_LINE = "Keys, in this order: {keys}"
#: reward dimensions per format (see assets/verify.py), for verifier.md and the rubric
DIMENSIONS = {
    "int": (("format", 0.1, "a bare integer"), ("correctness", 0.9, "the exact value")),
    "token": (("format", 0.1, "a single name"), ("correctness", 0.9, "the exact name")),
    "kv": (
        ("format", 0.1, "exactly the asked keys, in the asked order"),
        ("fields", 0.9, "share of keys with the right value"),
    ),
    "list": (
        ("format", 0.1, "one comma-separated line without repeats"),
        ("items", 0.5, "right items minus wrong items, over the expected count"),
        ("order", 0.4, "the exact list in order of first appearance"),
    ),
}


@dataclass(frozen=True)
class Pool:
    """Entity names, split in two disjoint halves: train prompts never show a held-out name."""

    train: tuple[str, ...]
    heldout: tuple[str, ...]

    def __post_init__(self) -> None:
        both = set(self.train) & set(self.heldout)
        if both:
            raise ValueError(f"pool halves overlap: {sorted(both)}")

    def get(self, split: str) -> tuple[str, ...]:
        return self.train if split == "train" else self.heldout


def pool(train: str | list[str] | tuple[str, ...], heldout: str | list[str] | tuple[str, ...]) -> Pool:
    """A Pool from two lists (or two whitespace-separated strings)."""
    t = tuple(train.split()) if isinstance(train, str) else tuple(train)
    h = tuple(heldout.split()) if isinstance(heldout, str) else tuple(heldout)
    return Pool(t, h)


@dataclass
class Instance:
    """One drawn task: the data shown, the canonical answer, and what the tests need to probe it."""

    data: str  # the instance data, shown verbatim in the prompt
    answer: str  # canonical answer text in the family's format
    slots: dict[str, str] = field(default_factory=dict)  # values for the ask/intro templates
    mode: str = "main"  # which ask template set applies
    keys: tuple[str, ...] = ()  # kv: the keys, in order
    candidates: tuple[str, ...] = ()  # entities visible in the data (shortcut probes pick from them)
    entities: tuple[str, ...] = ()  # pool entities this instance used (train/held-out disjointness)
    shortcuts: dict[str, str] = field(default_factory=dict)  # family-specific shortcut answers


@dataclass(frozen=True)
class Generated:
    """An instance placed in a task: id, difficulty, split and the full prompt."""

    task_id: str
    family: Family
    difficulty: str
    split: str
    seed: int
    index: int
    instance: Instance
    prompt: str

    @property
    def answer(self) -> str:
        return self.instance.answer


class Family:
    """Base class: subclasses set the class attributes and implement ``make``."""

    name: str = ""
    domain: str = ""
    description: str = ""
    fmt: str = "int"
    skills: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    #: reserved for far-transfer evaluation: never used in training corpora
    reserved: bool = False
    pools: dict[str, Pool] = {}
    intros: dict[str, tuple[str, ...]] = {}  # split -> templates
    asks: dict[str, dict[str, tuple[str, ...]]] = {}  # mode -> split -> templates

    def make(self, rng: random.Random, level: int, split: str) -> Instance:  # pragma: no cover
        raise NotImplementedError

    def pool(self, key: str, split: str) -> tuple[str, ...]:
        return self.pools[key].get(split)

    def task_id(self, seed: int, index: int, split: str) -> str:
        return f"{self.name}-{split}-s{seed}-{index:04d}"

    def generate_one(
        self, seed: int, index: int, difficulty: str = "medium", split: str = "train"
    ) -> Generated:
        if difficulty not in DIFFICULTIES:
            raise ValueError(f"difficulty must be one of {', '.join(DIFFICULTIES)}, got {difficulty!r}")
        if split not in SPLITS:
            raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
        rng = random.Random(f"arena-family:{self.name}:{split}:{difficulty}:{seed}:{index}")
        inst = self.make(rng, DIFFICULTIES.index(difficulty), split)
        prompt = self.prompt(inst, rng, split)
        return Generated(self.task_id(seed, index, split), self, difficulty, split, seed, index, inst, prompt)

    def prompt(self, inst: Instance, rng: random.Random, split: str) -> str:
        intro = rng.choice(self.intros[split]).format(**inst.slots)
        ask = rng.choice(self.asks[inst.mode][split]).format(**inst.slots)
        keys = KEYS_LINE.format(keys=", ".join(inst.keys)) + "\n" if inst.keys else ""
        return f"{intro}\n\n{inst.data}\n\n{ask}\n{keys}{FORMAT_LINES[self.fmt]}\n{FILE_LINE}"


# --------------------------------------------------------------------------- package files


def _yaml_list(items: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def task_md(g: Generated) -> str:
    f = g.family
    tags = ("generated", f.name, f"format-{f.fmt}", g.split)
    return (
        "---\n"
        'version: "1.0"\n'
        "metadata:\n"
        f"  author_name: {AUTHOR_NAME}\n"
        f"  author_email: {AUTHOR_EMAIL}\n"
        f"  category: {f.domain}\n"
        f"  difficulty: {g.difficulty}\n"
        f"  tags: {_yaml_list(tags + f.tags)}\n"
        f"  family: {f.name}\n"
        f"  skills: {_yaml_list(f.skills)}\n"
        "agent:\n"
        "  timeout_sec: 60\n"
        f"  answer_file: {ANSWER_FILE}\n"
        "verifier:\n"
        "  timeout_sec: 30\n"
        "environment:\n"
        "  build_timeout_sec: 300\n"
        "  cpus: 1\n"
        "  memory_mb: 512\n"
        "  storage_mb: 1024\n"
        "  allow_internet: false\n"
        "---\n\n"
        "## prompt\n\n"
        f"{g.prompt}\n"
    )


DOCKERFILE = f"""FROM {BASE_IMAGE}
# Answer-mode task: the prompt carries all the data, so the image adds nothing to the base.
WORKDIR /root
"""


def solve_sh(g: Generated) -> str:
    return (
        "#!/bin/bash\n"
        f"# Reference solution for {g.task_id}: writes the expected answer to the answer file.\n"
        "set -e\n"
        'WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"\n'
        'mkdir -p "$WORKSPACE"\n'
        "cat > \"$WORKSPACE/answer.txt\" <<'ANSWER'\n"
        f"{g.answer}\n"
        "ANSWER\n"
    )


def expected_json(g: Generated) -> str:
    inst = g.instance
    doc = {
        "task": g.task_id,
        "family": g.family.name,
        "domain": g.family.domain,
        "split": g.split,
        "difficulty": g.difficulty,
        "format": g.family.fmt,
        "answer": inst.answer,
        "keys": list(inst.keys),
        "entities": sorted(set(inst.entities)),
    }
    return json.dumps(doc, indent=1, sort_keys=True) + "\n"


def verifier_md(g: Generated) -> str:
    dims = DIMENSIONS[g.family.fmt]
    lines = [
        "---",
        'document_version: "0.3"',
        "verifier:",
        f"  name: {g.task_id}-verifier",
        "  default_strategy: script",
        "  strategies:",
        "    script:",
        "      type: script",
        "      command: ./test.sh",
        "    pytest:",
        "      type: script",
        "      command: pytest test_outputs.py",
        "  rubric:",
        "    combine: weighted_sum",
        "    dimensions:",
    ]
    for name, weight, _ in dims:
        lines += [f"      {name}:", f"        weight: {weight}", "        source: verify.py"]
    lines += [
        "  outputs:",
        "    reward_text: /logs/verifier/reward.txt",
        "    reward_json: /logs/verifier/reward.json",
        "---",
        "",
        "## role:reviewer",
        "",
        f"The agent answers in one turn by writing `{ANSWER_FILE}`. `verify.py` trims surrounding",
        f"whitespace, parses the text strictly as a `{g.family.fmt}` answer and compares it with",
        "`expected.json`, the verifier's own copy of the truth, which the agent never sees. Text",
        "around the answer (a sentence, a label, a code fence) makes it unparseable and scores 0.",
        "`test_outputs.py` runs the same scoring as pytest tests that all pass only at reward 1.0.",
        "",
    ]
    return "\n".join(lines)


_RUBRIC_RULES = {
    "int": [
        "0.0 — no answer file, empty, or anything but a bare integer (`-?digits`, no leading zeros).",
        "0.1 — a bare integer that is not the right value.",
        "1.0 — exactly the right integer.",
    ],
    "token": [
        "0.0 — no answer file, empty, or more than one word (spaces, punctuation around it).",
        "0.1 — one name that is not the right one.",
        "1.0 — exactly the right name (case-sensitive).",
    ],
    "kv": [
        "0.0 — no answer file, empty, or any line that is not `key=value` without spaces.",
        "+0.1 — the keys are exactly the asked keys, each once, in the asked order.",
        "+0.9 × (keys with the right value ÷ keys asked) — each key counts only when it appears once.",
        "1.0 — only when every key is present once, in order, with the right value.",
    ],
    "list": [
        "0.0 — no answer file, empty, several lines, spaces, or empty items.",
        "+0.1 — no item is repeated.",
        "+0.5 × max(0, right items − wrong or repeated items) ÷ expected items — listing every",
        "  candidate gains nothing, because the instances hold at least as many distractors as answers.",
        "+0.4 — the exact list, in order of first appearance.",
    ],
}


def rubric_md(g: Generated) -> str:
    f = g.family
    body = "\n".join(f"- {r}" for r in _RUBRIC_RULES[f.fmt])
    return (
        f"# Scoring: {f.name} ({f.fmt} answer)\n\n"
        f"Family `{f.name}` ({f.domain}): {f.description}. Skills: {', '.join(f.skills)}.\n\n"
        "The answer file is whitespace-trimmed, then scored:\n\n"
        f"{body}\n\n"
        "A right answer wrapped in extra words is not parseable and never earns full credit.\n"
    )


@cache
def asset(name: str) -> bytes:
    """A verifier file shared verbatim by every generated package (arena/families/assets/)."""
    return (ASSETS / name).read_bytes()


def package_files(g: Generated) -> dict[str, tuple[bytes, int]]:
    """relative path -> (bytes, mode) for every file of the package."""
    text = {
        "task.md": (task_md(g), 0o644),
        "environment/Dockerfile": (DOCKERFILE, 0o644),
        "verifier/expected.json": (expected_json(g), 0o644),
        "verifier/verifier.md": (verifier_md(g), 0o644),
        "verifier/rubrics/scoring.md": (rubric_md(g), 0o644),
        "oracle/solve.sh": (solve_sh(g), 0o755),
    }
    out = {k: (v.encode("utf-8"), m) for k, (v, m) in text.items()}
    out["verifier/verify.py"] = (asset("verify.py"), 0o755)
    out["verifier/test_outputs.py"] = (asset("test_outputs.py"), 0o644)
    out["verifier/test.sh"] = (asset("test.sh"), 0o755)
    return out


def write_package(root: Path, files: dict[str, tuple[bytes, int]]) -> None:
    for rel, (data, mode) in sorted(files.items()):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(mode)


def write_generated(g: Generated, out: Path, *, force: bool = False) -> Path:
    root = Path(out) / g.task_id
    if root.exists():
        if not force:
            raise FileExistsError(f"{root} already exists (use --force to replace it)")
        shutil.rmtree(root)
    write_package(root, package_files(g))
    return root
