"""Completions generated on the training thread before their trials go to the background: the
torch RNG then sees the same calls in every run (same seed, same tables)."""

from __future__ import annotations

import json
from pathlib import Path

from arena.engines import Engine
from arena.showcase.plan import ShowcaseError


def _conv_key(conv: list[dict]) -> str:
    return json.dumps(conv, sort_keys=True, ensure_ascii=False)


class PrecomputedEngine(Engine):
    """Completions generated ahead of time by another engine, handed out by conversation.

    ``PrecomputedEngine(inner, conversations, max_new_tokens=…, temperature=…, n=…, seed=…)`` calls
    ``inner.chat`` once, on the calling thread, with exactly the batch ``arena.evaluate`` would
    send; a later ``chat`` with the same settings returns those completions (any subset of the
    conversations, in the order asked).  Asking for anything else is an error, never a silent
    fresh generation on another thread."""

    def __init__(self, inner: Engine, conversations: list[list[dict]], **settings):
        self.settings = {
            "tools": None,
            "max_new_tokens": 64,
            "temperature": 0.0,
            "n": 1,
            "seed": None,
            **settings,
        }
        outs = inner.chat(conversations, **self.settings)
        n = self.settings["n"]
        self.by_conv = {_conv_key(c): outs[i * n : (i + 1) * n] for i, c in enumerate(conversations)}
        self.name = inner.name
        self._describe = inner.describe()

    def describe(self) -> dict:
        return {**self._describe, "precomputed": True}

    def chat(self, conversations, *, tools=None, max_new_tokens=64, temperature=0.0, n=1, seed=None):
        asked = {
            "tools": tools,
            "max_new_tokens": max_new_tokens,
            "temperature": temperature,
            "n": n,
            "seed": seed,
        }
        if asked != self.settings:
            raise ShowcaseError(f"precomputed completions were made with {self.settings}, asked for {asked}")
        out = []
        for c in conversations:
            got = self.by_conv.get(_conv_key(c))
            if got is None:
                raise ShowcaseError(
                    "a conversation was not precomputed (the suite changed under the showcase?)"
                )
            out += got
        return out


def precompute_for_eval(checkpoint: Path, suite: Path, *, samples: int, seed: int, max_new_tokens: int = 64):
    """The engine ``evaluate(checkpoint, suite=suite, samples=samples, seed=seed)`` would build,
    with every completion generated now (fresh evaluation: all tasks, suite order)."""
    from arena.agents.model import task_messages
    from arena.corpus import load_tasks
    from arena.engines import TransformersEngine
    from arena.evaluate import resolve_checkpoint

    tasks, _ = load_tasks([suite])
    inner = TransformersEngine(resolve_checkpoint(checkpoint).model_path, device="cpu")
    temp = 0.0 if samples == 1 else 1.0
    convs = [task_messages(t) for t in tasks]
    return PrecomputedEngine(
        inner, convs, max_new_tokens=max_new_tokens, temperature=temp, n=samples, seed=seed
    )
