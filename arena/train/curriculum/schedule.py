"""What the curriculum draws and when: the skill list (own and reasoning-gym's), the copy-heavy →
full-mix weights and the difficulty levels over training, the examples of a step (``batch``), fresh
evaluation instances, the mixed sample, and the recipe with its digest."""

from __future__ import annotations

import hashlib
import json
import random
from functools import cache, lru_cache

from arena.train.curriculum.entities import dictionary
from arena.train.curriculum.skills import GENERATORS, Example, _instruction, _kv
from arena.train.curriculum.wording import DOC_NOUNS, FILE, FORMAT, INTROS, PATHS, PLACES, _assemble

RG_DATASETS: dict[str, dict] = {
    "chain_sum": {"min_terms": 2, "max_terms": 3, "min_digits": 1, "max_digits": 2},
    "basic_arithmetic": {"min_terms": 2, "max_terms": 2, "min_digits": 1, "max_digits": 2,
                         "operators": ["+", "-"], "allow_parentheses": False, "allow_negation": False},
    "word_sequence_reversal": {"min_words": 2, "max_words": 4},
    "word_sorting": {"min_words": 2, "max_words": 4, "min_word_length": 2, "max_word_length": 7},
    "letter_counting": {"min_words": 1, "max_words": 3},
    "spell_backward": {"min_word_len": 3, "max_word_len": 5},
}  # fmt: skip
RG_BLOCK = 256  # items per reasoning-gym block (one block per 200 training steps and dataset)

OWN_SKILLS = ("copy", "field", "record", "count", "filter", "sum", "diff", "compare", "argmax", "sort", "kv",
              "instruction")  # fmt: skip
SKILLS = OWN_SKILLS + tuple(f"rg_{n}" for n in RG_DATASETS)
#: each skill's nominal answer format (``Example.fmt`` is the instance's own: a field or a record
#: value may be an int, a count-per-tag ``kv`` answer is ints; reasoning-gym items keep their own)
FORMAT_OF = {"copy": "token", "field": "token", "record": "token", "count": "int", "filter": "list", "sum": "int",
             "diff": "int", "compare": "token", "argmax": "token", "sort": "list", "kv": "kv",
             "instruction": "token"} | {f"rg_{n}": "rg" for n in RG_DATASETS}  # fmt: skip

#: sampling weights at the start (copy-heavy) and from WARM onwards (the full mix); linear between
EARLY = {"copy": 6, "field": 5, "instruction": 3, "record": 2, "compare": 2, "count": 1, "filter": 1, "sum": 1,
         "diff": 1, "argmax": 1, "sort": 0.5, "kv": 1} | {f"rg_{n}": 0.25 for n in RG_DATASETS}  # fmt: skip
LATE = {"copy": 2, "field": 2, "instruction": 1, "record": 2, "compare": 1.5, "count": 2, "filter": 2, "sum": 2,
        "diff": 1.5, "argmax": 2, "sort": 1.5, "kv": 2} | {f"rg_{n}": 0.5 for n in RG_DATASETS}  # fmt: skip
WARM = 0.3


@lru_cache(maxsize=64)
def _rg_block(name: str, block_seed: int) -> tuple[tuple[str, str], ...]:
    import reasoning_gym

    ds = reasoning_gym.create_dataset(name, seed=block_seed, size=RG_BLOCK, **RG_DATASETS[name])
    return tuple((str(ds[i]["question"]).strip(), str(ds[i]["answer"]).strip()) for i in range(RG_BLOCK))


def _block_seed(tag: str) -> int:
    return int.from_bytes(hashlib.sha256(tag.encode()).digest()[:4], "big")


def make(rng: random.Random, skill: str, level: int, block: str = "0") -> Example:
    """One example of ``skill`` at ``level`` (0 easy … 2 hard); ``block`` names the reasoning-gym block."""
    if skill.startswith("rg_"):
        name = skill[3:]
        q, a = rng.choice(_rg_block(name, _block_seed(f"{block}:{name}")))
        return Example(skill, "rg", f"{q}\n{rng.choice(FILE).format(p=rng.choice(PATHS))}", a)
    if skill == "instruction":
        text, ans = _instruction(rng, level)
        return Example(skill, "token", text, ans)
    if skill == "kv":
        body, q, keys, vals = _kv(rng, level)
        return Example(skill, "kv", _assemble(rng, body, q, "kv", keys), "\n".join(f"{k}={v}" for k, v in zip(keys, vals)))
    out = GENERATORS[skill](rng, level)
    body, q, ans = out[:3]
    fmt = out[3] if len(out) > 3 else FORMAT_OF[skill]
    if fmt == "list" and skill == "sort" and rng.random() < 0.5:
        q += " " + rng.choice(("Highest first." if "largest to" in q else "Lowest first.", ""))
        q = q.rstrip()
    return Example(skill, fmt, _assemble(rng, body, q, fmt), ans)


def weights(progress: float) -> dict[str, float]:
    """Skill sampling weights at ``progress`` in [0, 1] of the run (EARLY → LATE over the first WARM)."""
    t = min(1.0, max(0.0, progress / WARM))
    return {s: (1 - t) * EARLY[s] + t * LATE[s] for s in SKILLS}


def level_at(rng: random.Random, progress: float) -> int:
    """Difficulty level: mostly 0 early, a mix of 0-2 later."""
    top = 0 if progress < 0.1 else (1 if progress < 0.35 else 2)
    return rng.randint(0, top)


def batch(seed: int, step: int, total: int, size: int) -> list[Example]:
    """The training examples of ``step`` (of ``total``): a pure function of its arguments."""
    rng = random.Random(f"arena-curriculum:{seed}:{step}")
    progress = step / max(1, total)
    w = weights(progress)
    skills = rng.choices(SKILLS, weights=[w[s] for s in SKILLS], k=size)
    block = f"{seed}:{step // 200}"
    return [make(rng, s, level_at(rng, progress), block) for s in skills]


def fresh(skill: str, n: int, seed: int = 0) -> list[Example]:
    """``n`` fresh instances of one skill (levels 0-2), from a namespace training never draws from."""
    rng = random.Random(f"arena-curriculum-eval:{seed}:{skill}")
    return [make(rng, skill, rng.randint(0, 2), f"eval:{seed}") for _ in range(n)]


def sample(n: int, seed: int = 0) -> list[Example]:
    """A mixed sample of ``n`` examples across the whole schedule (tokenizer text, the guard)."""
    rng = random.Random(f"arena-curriculum-sample:{seed}")
    out = []
    for i in range(n):
        progress = i / max(1, n)
        w = weights(progress)
        s = rng.choices(SKILLS, weights=[w[k] for k in SKILLS])[0]
        out.append(make(rng, s, level_at(rng, progress), f"sample:{seed}:{i // 200}"))
    return out


def recipe() -> dict:
    """What the curriculum is (skills, weights, schedule, reasoning-gym version and settings)."""
    try:
        from importlib.metadata import version

        rg_version = version("reasoning-gym")
    except Exception:  # pragma: no cover - not installed
        rg_version = None
    return {
        "skills": list(SKILLS),
        "formats": {s: FORMAT_OF[s] for s in SKILLS},
        "weights_early": EARLY,
        "weights_late": LATE,
        "warm_fraction": WARM,
        "levels": "0 until 10% of the steps, 0-1 until 35%, then 0-2",
        "reasoning_gym": {"version": rg_version, "datasets": RG_DATASETS, "block": RG_BLOCK},
        "entities": "reasoning-gym dictionary words (3-8 letters) and made-up pseudo-words, codes, ids, paths; "
                    "family pool names (both halves) rejected",
        "dictionary_words": len(dictionary()),
        "wording": {"format_lines": sum(len(v) for v in FORMAT.values()), "file_lines": len(FILE),
                    "intros": len(INTROS) + len(DOC_NOUNS) * len(PLACES)},  # fmt: skip
    }


def recipe_digest(doc: dict | None = None) -> str:
    """sha256 of the canonical JSON of ``recipe()`` plus a fixed sample's text (so code changes show)."""
    return _digest(json.dumps(doc or recipe(), sort_keys=True))


@cache
def _digest(recipe_json: str) -> str:
    h = hashlib.sha256(recipe_json.encode())
    for ex in sample(64, seed=12345):
        h.update(f"{ex.skill}\0{ex.prompt}\0{ex.answer}\0".encode())
    return h.hexdigest()
