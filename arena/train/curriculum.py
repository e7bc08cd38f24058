"""The generic skill curriculum the CPU arena's base model is pretrained on (``arena model base``).

Procedurally generated documents with one question each, exercising the generic skills the
eight domains' tasks are made of — not any domain's task:

  copy         copy a span: an entity named in the text, the n-th word of a line
  field        find a field in a key/value record and copy its value
  record       find a row by name and read one of its columns
  count        count the lines carrying a tag / the times an entity occurs
  filter       list the entries carrying a tag, in order of first appearance
  sum          add up 2-6 amounts
  diff         subtract: a change from a start to an end value, a gap between two values
  compare      which of two or three named values is larger / smaller
  argmax       the row of a table with the highest / lowest value in a column
  sort         names ordered by their values, numbers in order
  kv           several fields (or per-tag counts) as ``key=value`` lines in a stated order
  instruction  obey an answer-file instruction (write exactly what it says)
  rg_*         items from reasoning-gym's procedural generators (``RG_DATASETS``), verbatim

Every prompt reads data + question + an answer-format line + an answer-file line, each drawn from
many paraphrases; the four answer shapes (int, key=value lines, comma list, one token) are the
ones arena's tasks use, but the wording is this module's own.  **Nothing here comes from the arena
families** (``arena/families``): not their templates, and not their entity pools — entities are
made up here (pseudo-words from letters, codes, ids, paths, addresses) and any name that occurs
in a family pool, either half, is rejected (``family_entities``).  ``guard`` checks a sample
against the families' training tasks and the held-out suite with ``arena.contamination`` and
raises ``CurriculumOverlapError`` on any flagged pair.

Determinism: the examples of training step ``s`` come from ``random.Random`` seeded with the
string ``arena-curriculum:{seed}:{s}`` (reasoning-gym items from blocks seeded the same way), so a
resumed build sees exactly the examples an uninterrupted one does.  ``schedule`` is copy-heavy
early (copy, field, instruction) and moves to the full mix, with harder levels (more lines,
bigger numbers) as training progresses.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

#: reasoning-gym generators used, with the settings that keep their items short
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

# --------------------------------------------------------------------------- wording (our own)

FORMAT = {
    "int": ("Reply with a whole number only.", "Answer with digits only, no words or units.", "Output: one integer.",
            "Respond with just the number.", "Give the result as a plain integer.",
            "The reply is a single integer and nothing else.", "Answer format: an integer written in digits.",
            "Format: digits only.", "Only the number, please."),
    "token": ("Reply with the name only, spelled exactly as above.", "Answer with that one entry, copied exactly.",
              "Output: the single name, nothing else.", "Give just the name.",
              "Answer format: one name, copied verbatim.", "Format: the exact name, no other words.",
              "Respond with the entry itself, nothing around it.", "Only the name, as it is written."),
    "list": ("Reply with the items joined by commas, no spaces.", "Output: a comma-separated list without spaces.",
             "Answer format: item,item,item (commas, no spaces).", "Give the items comma-separated, no blanks.",
             "Format: one line, items split by commas, no spaces.", "List them with commas between, no spaces."),
    "kv": ("Reply with one key=value line per key, in the order given, no spaces.",
           "Output: key=value lines, one per key, in the stated order.",
           "Answer format: lines of key=value, keys in the order requested.",
           "Format: each key on its own line as key=value, nothing else.",
           "Give one line per key, written key=value, in that order."),
}  # fmt: skip
ORDER_SEEN = ("in the order they appear", "in order of appearance", "keeping the order of the text", "first seen first")
KEYS = ("Keys wanted, in order: {keys}", "Report these, in order: {keys}", "Fields (in this order): {keys}",
        "Order of keys: {keys}", "In this order: {keys}")  # fmt: skip
FILE = ("Put just the answer in {p}.", "Save the answer, and nothing else, to {p}.",
        "Your answer goes in {p}; write nothing else there.", "Store only the result in the file {p}.",
        "Answer file: {p} (the answer alone).", "Write the answer alone into {p}.",
        "The file {p} must contain only the answer.", "Record only the answer in {p}.")  # fmt: skip
PATHS = ("/root/answer.txt", "/root/answer.txt", "/root/out.txt", "/tmp/result.txt", "/work/answer", "answer.txt",
         "/root/reply.txt", "/srv/out/answer.txt")  # fmt: skip
INTROS = ("Data:", "Here is the input:", "Input follows.", "Consider these lines:", "Read the text below.", "Records:",
          "The following was logged:", "Source text:", "Below is a listing.", "Snapshot:", "Extract:", "From the file:",
          "Look at this:", "Given:", "Context:", "Dump:")  # fmt: skip
DOC_NOUNS = ("listing", "export", "dump", "summary", "sheet", "log", "register", "inventory", "report", "table",
             "roster", "digest", "printout", "ledger", "tally", "readout", "catalogue", "index")  # fmt: skip
PLACES = ("archive", "batch", "unit", "station", "desk", "group", "project", "site", "lab", "crew", "board",
          "depot", "node", "shift", "branch", "cell", "yard", "cluster")  # fmt: skip
THINGS = ("code", "label", "word", "tag", "identifier", "key", "handle", "token", "name", "marker", "password", "ref")
TAGS = ("OK", "FAIL", "WARN", "DONE", "TODO", "LATE", "HOLD", "NEW", "OPEN", "SHUT", "HIGH", "LOW", "ON", "OFF",
        "MISS", "HIT", "KEEP", "DROP", "RED", "GREEN", "BLUE", "GOLD", "ALPHA", "BETA")  # fmt: skip
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")
HIGH = ("highest", "largest", "biggest", "greatest", "top", "maximum")
LOW = ("lowest", "smallest", "least", "minimum", "bottom", "tiniest")

# --------------------------------------------------------------------------- entities (made up here)

CONS = "bcdfghjklmnprstvwz"
VOWS = "aeiou"


@cache
def family_entities() -> frozenset[str]:
    """Every entity of every arena family pool, both halves: the curriculum never uses them."""
    from arena import families

    out: set[str] = set()
    for name in families.names():
        for p in families.get(name).pools.values():
            out |= set(p.train) | set(p.heldout)
    return frozenset(x.lower() for x in out)


def _syl(rng: random.Random) -> str:
    s = rng.choice(CONS) + rng.choice(VOWS)
    return s + rng.choice(CONS) if rng.random() < 0.3 else s


def _word(rng: random.Random, lo: int = 1, hi: int = 2) -> str:
    return "".join(_syl(rng) for _ in range(rng.randint(lo, hi)))


@cache
def dictionary() -> tuple[str, ...]:
    """English words of 3-8 letters from reasoning-gym's word list (family pool names removed)."""
    from importlib.resources import files

    banned = family_entities()
    text = files("reasoning_gym.data").joinpath("words3to10.txt").read_text()
    return tuple(sorted({w for w in text.split() if w.isascii() and w.isalpha() and w.islower() and 3 <= len(w) <= 8}
                        - banned))  # fmt: skip


def entity(rng: random.Random, level: int = 1) -> str:
    """A fresh entity name: a dictionary word (45%) or a made-up one; short shapes at level 0,
    more varied ones (codes, ids, dashed and underscored names, paths) later."""
    banned = family_entities()
    words = dictionary()
    while True:
        r = rng.random() if level else rng.random() * 0.7
        if r < 0.3:
            e = rng.choice(words)
        elif r < 0.4:
            e = rng.choice(words).capitalize()
        elif r < 0.55:
            e = _word(rng)
        elif r < 0.65:
            e = _word(rng).capitalize()
        elif r < 0.7:
            e = "".join(rng.choice(CONS + VOWS).upper() for _ in range(rng.randint(2, 4)))
        elif r < 0.78:
            e = f"{rng.choice(words) if rng.random() < 0.5 else _word(rng, 1, 1)}-{_word(rng, 1, 2)}"
        elif r < 0.86:
            e = f"{rng.choice(CONS).upper()}-{rng.randint(10, 999)}"
        elif r < 0.93:
            e = f"{rng.choice(words)}_{_word(rng, 1, 2)}"
        else:
            e = f"{_word(rng, 1, 1)}/{rng.choice(words)}.{rng.choice(('py', 'txt', 'log', 'csv', 'md'))}"
        if e.lower() not in banned:
            return e


def entities(rng: random.Random, n: int, level: int = 1) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        e = entity(rng, level)
        if e not in out:
            out.append(e)
    return out


def _num(rng: random.Random, level: int) -> int:
    return rng.randint(0, (9, 99, 999)[min(level, 2)] if rng.random() < 0.8 else 99)


def _distinct_nums(rng: random.Random, n: int, level: int) -> list[int]:
    hi = max((20, 99, 999)[min(level, 2)], 2 * n)
    return rng.sample(range(1, hi + 1), n)


# --------------------------------------------------------------------------- skills


@dataclass(frozen=True)
class Example:
    skill: str
    fmt: str
    prompt: str
    answer: str


def _intro(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(INTROS)
    return f"{rng.choice(DOC_NOUNS).capitalize()} of the {_word(rng)} {rng.choice(PLACES)}:"


def _sep(rng: random.Random) -> str:
    return rng.choice((": ", " = ", " -> ", "\t", " is ", ": "))


def _copy(rng, level):
    kind = rng.randrange(4)
    if kind == 0:
        e = entity(rng, level)
        thing = rng.choice(THINGS)
        fill = [f"The {rng.choice(THINGS)} of {_word(rng)} is {entity(rng, level)}." for _ in range(rng.randint(0, level + 1))]
        lines = fill + [f"The {thing} is {e}."]
        rng.shuffle(lines)
        return "\n".join(lines), rng.choice((f"What is the {thing}?", f"Which {thing} is given?", f"State the {thing}.",
                                             f"Copy the {thing}.")), e  # fmt: skip
    if kind == 1:
        words = entities(rng, rng.randint(2, 3 + level), level)
        i = rng.randrange(len(words))
        last = i == len(words) - 1 and rng.random() < 0.5
        which = "last" if last else ORDINALS[i]
        return " ".join(words), rng.choice((f"What is the {which} word on the line?", f"Copy the {which} item.",
                                            f"Which entry comes {which}?" if not last else "Which entry comes last?",
                                            f"Give the {which} name shown.")), words[i]  # fmt: skip
    if kind == 2:
        e = entity(rng, level)
        return e, rng.choice(("Repeat the text above exactly.", "Copy it exactly.", "Echo the input.",
                              "What does the input say?", "Write the same thing back.")), e  # fmt: skip
    a, b = entities(rng, 2, level)
    rel = rng.choice(("owns", "sent", "holds", "follows", "reports to", "replaced", "signed", "tested"))
    return f"{a} {rel} {b}.", rng.choice((f"Who {rel} {b}?", f"Which name {rel} {b}?",
                                          f"Name the one that {rel} {b}.")), a


def _record_lines(rng, level, numeric_share=0.5):
    keys = entities(rng, rng.randint(2, 3 + 2 * level), level)
    vals = [str(_num(rng, level)) if rng.random() < numeric_share else entity(rng, level) for _ in keys]
    return keys, vals


def _field(rng, level):
    keys, vals = _record_lines(rng, level)
    sep = _sep(rng)
    i = rng.randrange(len(keys))
    k = keys[i]
    q = rng.choice((f"What is the value of {k}?", f"What does {k} say?", f"Read off {k}.", f"Look up {k}.",
                    f"Which value is listed for {k}?", f"{k}?", f"What is recorded against {k}?", f"Give {k}."))  # fmt: skip
    fmt = "int" if vals[i].isdigit() else "token"
    return "\n".join(f"{a}{sep}{b}" for a, b in zip(keys, vals)), q, vals[i], fmt


def _table(rng, level, ncols=None):
    cols = list(dict.fromkeys(_word(rng) for _ in range(ncols or rng.randint(1, 2 + min(level, 1)))))
    names = entities(rng, rng.randint(2, 3 + level), level)
    rows = {n: _distinct_nums(rng, len(cols), level) for n in names}
    # distinct values per column, so max/min are unique
    for c in range(len(cols)):
        vals = rng.sample(range(1, (30, 99, 999)[min(level, 2)] + 1), len(names))
        for n, v in zip(names, vals):
            rows[n][c] = v
    head = rng.choice(("name", "id", "item", "who", "entry"))
    if rng.random() < 0.7:
        body = f"{head} " + " ".join(cols) + "\n" + "\n".join(f"{n} " + " ".join(map(str, rows[n])) for n in names)
    else:
        body = "\n".join(f"{n}: " + ", ".join(f"{c} {v}" for c, v in zip(cols, rows[n])) for n in names)
    return cols, names, rows, body


def _record(rng, level):
    cols, names, rows, body = _table(rng, level)
    n, c = rng.choice(names), rng.randrange(len(cols))
    q = rng.choice((f"What is the {cols[c]} of {n}?", f"Give {n}'s {cols[c]}.", f"Which {cols[c]} does {n} have?",
                    f"Read the {cols[c]} for {n}.", f"{n}: what {cols[c]}?"))  # fmt: skip
    return body, q, str(rows[n][c]), "int"


def _tagged(rng, level):
    tags = rng.sample(TAGS, rng.randint(2, 3))
    lines = [(rng.choice(tags), entity(rng, level)) for _ in range(rng.randint(2, 4 + 2 * level))]
    style = rng.randrange(3)
    fmt_line = {0: "{t} {e}", 1: "{e} {t}", 2: "[{t}] {e}"}[style]
    return tags, lines, "\n".join(fmt_line.format(t=t, e=e) for t, e in lines)


def _count(rng, level):
    if rng.random() < 0.3:
        pool = entities(rng, rng.randint(2, 3), level)
        seq = [rng.choice(pool) for _ in range(rng.randint(3, 5 + 3 * level))]
        e = rng.choice(pool)
        q = rng.choice((f"How many times does {e} occur?", f"Count the occurrences of {e}.", f"How often is {e} listed?"))
        sep = rng.choice((" ", ", ", "\n"))
        return sep.join(seq), q, str(seq.count(e)), "int"
    tags, lines, body = _tagged(rng, level)
    t = rng.choice(tags)
    q = rng.choice((f"How many lines are marked {t}?", f"Count the entries tagged {t}.", f"How many {t} lines are there?",
                    f"Number of rows with {t}?", f"How many times does {t} appear?", f"Tally the {t} entries."))  # fmt: skip
    return body, q, str(sum(g == t for g, _ in lines)), "int"


def _filter(rng, level):
    while True:
        tags, lines, body = _tagged(rng, level)
        t = rng.choice(tags)
        items = list(dict.fromkeys(e for g, e in lines if g == t))
        if items:
            break
    q = rng.choice((f"Which entries are marked {t}?", f"List every item tagged {t}.", f"What appears with {t}?",
                    f"Name all the {t} entries.", f"Which ones carry {t}?"))  # fmt: skip
    return body, q + " " + rng.choice(ORDER_SEEN).capitalize() + ".", ",".join(items), "list"


def _sum(rng, level):
    k = rng.randint(2, 3 + level)
    vals = [rng.randint(1, (9, 30, 200)[min(level, 2)]) for _ in range(k)]
    if rng.random() < 0.25:
        expr = " + ".join(map(str, vals))
        return expr, rng.choice(("What is the sum?", "Compute it.", "What does it add up to?")), str(sum(vals)), "int"
    names = entities(rng, k, level)
    sep = _sep(rng)
    q = rng.choice(("What is the total?", "Add up all the amounts.", "What do the numbers sum to?",
                    "Sum the values.", "How much is it altogether?", "Give the combined total."))  # fmt: skip
    return "\n".join(f"{n}{sep}{v}" for n, v in zip(names, vals)), q, str(sum(vals)), "int"


def _diff(rng, level):
    hi = (20, 99, 999)[min(level, 2)]
    a, b = sorted(rng.sample(range(0, hi + 1), 2), reverse=True)
    x, y = entities(rng, 2, level)
    kind = rng.randrange(3)
    if kind == 0:
        body = f"{x}{_sep(rng)}{a}\n{y}{_sep(rng)}{b}"
        q = rng.choice((f"How much larger is {x} than {y}?", f"What is {x} minus {y}?", f"By how much does {x} exceed {y}?",
                        f"Gap between {x} and {y}?"))  # fmt: skip
        return body, q, str(a - b), "int"
    if kind == 1:
        lo_first = rng.random() < 0.5
        s, e = (b, a) if lo_first else (a, b)
        body = f"{x}: start {s}, end {e}" if rng.random() < 0.5 else f"{x} went from {s} to {e}"
        q = rng.choice((f"By how much did {x} change? Give the size of the change.", f"How big was the change in {x}?",
                        f"What is the difference between the start and end of {x}?"))  # fmt: skip
        return body, q, str(a - b), "int"
    return f"{a} - {b}", rng.choice(("What is the result?", "Compute it.", "Subtract.")), str(a - b), "int"


def _compare(rng, level):
    k = rng.randint(2, 2 + min(level, 1))
    names = entities(rng, k, level)
    vals = _distinct_nums(rng, k, level)
    hi = rng.random() < 0.5
    sep = _sep(rng)
    pick = names[vals.index(max(vals) if hi else min(vals))]
    opts = " or ".join(names)
    q = rng.choice((f"Which is {'larger' if hi else 'smaller'}, {opts}?", f"Which has the {rng.choice(HIGH if hi else LOW)} value?",
                    f"Who is {'ahead' if hi else 'behind'}: {opts}?", f"Pick the {'bigger' if hi else 'smaller'} one."))  # fmt: skip
    return "\n".join(f"{n}{sep}{v}" for n, v in zip(names, vals)), q, pick, "token"


def _argmax(rng, level):
    cols, names, rows, body = _table(rng, level)
    c = rng.randrange(len(cols))
    hi = rng.random() < 0.5
    best = (max if hi else min)(names, key=lambda n: rows[n][c])
    w = rng.choice(HIGH if hi else LOW)
    q = rng.choice((f"Which row has the {w} {cols[c]}?", f"Pick the entry whose {cols[c]} is {w}.",
                    f"Name the one with the {w} {cols[c]}.", f"Who has the {w} {cols[c]}?",
                    f"Find the {w} {cols[c]}; which entry is it?"))  # fmt: skip
    return body, q, best, "token"


def _sort(rng, level):
    k = rng.randint(2, 3 + level)
    vals = _distinct_nums(rng, k, level)
    up = rng.random() < 0.5
    order = "from smallest to largest" if up else "from largest to smallest"
    if rng.random() < 0.35:
        q = rng.choice((f"Sort these numbers {order}.", f"Order the numbers {order}.", f"Arrange them {order}."))
        return ", ".join(map(str, vals)), q, ",".join(map(str, sorted(vals, reverse=not up))), "list"
    names = entities(rng, k, level)
    sep = _sep(rng)
    ranked = [n for _, n in sorted(zip(vals, names), reverse=not up)]
    q = rng.choice((f"List the names {order} value.", f"Order the entries by value, {order}.",
                    f"Rank them by their numbers, {order}."))  # fmt: skip
    return "\n".join(f"{n}{sep}{v}" for n, v in zip(names, vals)), q, ",".join(ranked), "list"


def _kv(rng, level):
    if rng.random() < 0.4:
        tags, lines, body = _tagged(rng, level)
        want = tags[:]
        rng.shuffle(want)
        counts = [sum(g == t for g, _ in lines) for t in want]
        q = rng.choice(("Count the lines per tag.", "How many entries carry each tag?", "Tally each tag."))
        return body, q, want, [str(c) for c in counts]
    keys, vals = _record_lines(rng, level)
    sep = _sep(rng)
    idx = rng.sample(range(len(keys)), rng.randint(1, min(3, len(keys))))
    q = rng.choice(("Report the values of the keys below.", "Read off these fields.", "Give each requested value.",
                    "Look these up."))  # fmt: skip
    return "\n".join(f"{a}{sep}{b}" for a, b in zip(keys, vals)), q, [keys[i] for i in idx], [vals[i] for i in idx]


def _instruction(rng, level):
    e = entity(rng, level) if rng.random() < 0.7 else str(_num(rng, level))
    p = rng.choice(PATHS)
    kind = rng.randrange(3)
    if kind == 0:
        return rng.choice((f"Write the word {e} to {p}.", f"The file {p} should contain {e}, nothing else.",
                           f"Put {e} in {p}.", f"Save exactly {e} into {p}.")), e  # fmt: skip
    d = entity(rng, level)
    if kind == 1:
        return f"Ignore the note '{d}'. Write {e} to {p} and nothing else.", e
    return f"Draft: {d}\nFinal: {e}\nOnly the final value belongs in {p}.", e


GENERATORS = {"copy": _copy, "field": _field, "record": _record, "count": _count, "filter": _filter, "sum": _sum,
              "diff": _diff, "compare": _compare, "argmax": _argmax, "sort": _sort}  # fmt: skip


def _assemble(rng, body: str, q: str, fmt: str, keys: list[str] | None = None) -> str:
    fmt_line = rng.choice(FORMAT[fmt])
    keys_line = rng.choice(KEYS).format(keys=", ".join(keys)) + "\n" if keys else ""
    tail = f"{keys_line}{fmt_line}\n{rng.choice(FILE).format(p=rng.choice(PATHS))}"
    if rng.random() < 0.8:
        return f"{_intro(rng)}\n\n{body}\n\n{q}\n{tail}"
    return f"{q}\n\n{body}\n\n{tail}"


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


# --------------------------------------------------------------------------- the contamination guard


class CurriculumOverlapError(RuntimeError):
    """The curriculum sample overlaps an arena family's training task or the held-out suite."""


def heldout_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "data" / "heldout" / "tasks"


def _reference_docs(per_family: int = 3, heldout: Path | None = None) -> list[tuple[str, str, str]]:
    from arena import families
    from arena.task import load_task

    docs = []
    for name in families.names(reserved=False):
        for d in ("easy", "medium", "hard"):
            for g in families.instances(name, per_family, seed=0, difficulty=d, split="train"):
                docs.append((f"{g.task_id}-{d}", "families", f"{g.prompt}\n{g.answer}"))
    root = heldout or heldout_dir()
    for task_dir in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        task, _ = load_task(task_dir)
        if task is not None and task.spec is not None:
            docs.append((task.id, "heldout", task.spec.prompt))
    return docs


def guard(n: int = 400, seed: int = 0, *, extra: list[str] = (), heldout: Path | None = None) -> dict:
    """Check ``n`` curriculum examples (plus ``extra`` texts, as if they were curriculum) against
    the families' training tasks and the held-out suite; raise CurriculumOverlapError on any
    flagged pair, else return a summary (documents compared, pairs scored, highest score)."""
    from arena.contamination import overlap_pairs

    ref = _reference_docs(heldout=heldout)
    if not any(src == "heldout" for _, src, _ in ref):
        raise CurriculumOverlapError(f"no held-out suite found under {heldout or heldout_dir()}: cannot check")
    mine = [(f"curriculum-{i:05d}", "curriculum", f"{ex.prompt}\n{ex.answer}") for i, ex in enumerate(sample(n, seed))]
    mine += [(f"curriculum-extra-{i}", "curriculum", t) for i, t in enumerate(extra)]
    pairs = overlap_pairs(mine + ref, heldout="heldout")
    ours = pairs[(pairs["source_a"] == "curriculum") | (pairs["source_b"] == "curriculum")]
    bad = ours[ours["flagged"]]
    if len(bad):
        show = [f"{r.task_id_a} ~ {r.task_id_b} ({r.source_b if r.source_a == 'curriculum' else r.source_a}: "
                f"{r.reason}; ngram13 {r.ngram13:.2f}, ngram8 {r.ngram8:.2f}, jaccard {r.jaccard:.2f})"
                for r in bad.head(5).itertuples()]  # fmt: skip
        raise CurriculumOverlapError(
            f"the curriculum overlaps {len(bad)} arena task(s) (families' training tasks or the held-out suite); "
            "refusing to build: " + "; ".join(show)
        )
    score = ours[["ngram13", "ngram8", "jaccard"]].max(axis=1)
    return {"curriculum_docs": len(mine), "reference_docs": len(ref),
            "heldout_docs": sum(src == "heldout" for _, src, _ in ref), "pairs_scored": int(len(ours)),
            "max_score": round(float(score.max()) if len(score) else 0.0, 4), "flagged": 0}  # fmt: skip
