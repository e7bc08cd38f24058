"""Entities made up here (pseudo-words from letters, codes, ids, paths, dictionary words) and numbers;
any name that occurs in an arena family pool, either half, is rejected (``family_entities``)."""

from __future__ import annotations

import random
from functools import cache

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
