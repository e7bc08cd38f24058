"""One generator per own skill of the curriculum: each returns (data, question, answer[, format])
from a seeded ``random.Random`` and a difficulty level (0 easy … 2 hard)."""

from __future__ import annotations

from dataclasses import dataclass

from arena.train.curriculum.entities import _distinct_nums, _num, _word, entities, entity
from arena.train.curriculum.wording import HIGH, LOW, ORDER_SEEN, ORDINALS, PATHS, TAGS, THINGS, _sep


@dataclass(frozen=True)
class Example:
    skill: str
    fmt: str
    prompt: str
    answer: str


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
