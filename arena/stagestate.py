"""Resumable stage bookkeeping: what ``--resume`` reads, shared by ``arena train`` and ``arena showcase``.

    state = StageState.load(out / "state.json", {"stages": {}, "attempts": 0})   # the file, or a new one
    if not state.done("sft"):
        ...
        state.finish("sft", checkpoint="sft/final")       # status "done" + the stage's facts, saved
    state.mark_item("eval", "baseline")                 # one finished item of a stage under way

The document is a JSON object whose ``stages`` maps a stage name to its facts: ``status`` ("done"
once the stage finished) and ``items_done`` (the finished items of a stage made of many: runs,
evaluations, notebooks).  Every change is written at once, atomically (a killed process leaves the
previous document, never half of one), and under a lock (the showcase's background thread marks
items too).  Deciding whether a document may be resumed (same recipe, same settings) is the
caller's: it knows what must match.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path


def write_json(path: Path, doc) -> None:
    """``doc`` as indented JSON (UTF-8, a final newline), replacing ``path`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(doc, indent=1, default=str, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> dict | None:
    """The document at ``path``, or None when there is none."""
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


class StageState:
    """The stage document ``doc``, kept at ``path`` (:meth:`load` reads it from there)."""

    def __init__(self, path: str | Path, doc: dict):
        self.path = Path(path)
        self.doc = doc
        self.doc.setdefault("stages", {})
        self.lock = threading.RLock()

    @classmethod
    def load(cls, path: str | Path, default: dict | None = None) -> StageState:
        """The document at ``path`` when there is one, else a copy of ``default``."""
        found = read_json(Path(path))
        return cls(path, found if found is not None else dict(default or {}))

    def save(self) -> None:
        with self.lock:
            write_json(self.path, self.doc)

    def done(self, stage: str, item: str | None = None) -> bool:
        """Whether ``stage`` finished (``item``: whether that item of it did)."""
        st = self.doc["stages"].get(stage, {})
        if item is None:
            return st.get("status") == "done"
        return item in st.get("items_done", [])

    def mark(self, stage: str, **info) -> None:
        """Record facts of ``stage`` (merged into what it holds) and save."""
        with self.lock:
            self.doc["stages"].setdefault(stage, {}).update(info)
            self.save()

    def finish(self, stage: str, **info) -> None:
        """``stage`` is done; ``info``: its facts."""
        self.mark(stage, status="done", **info)

    def mark_item(self, stage: str, item: str) -> None:
        """One item of ``stage`` is done (kept once, in the order they finished)."""
        with self.lock:
            items = self.doc["stages"].setdefault(stage, {}).setdefault("items_done", [])
            if item not in items:
                items.append(item)
            self.save()


__all__ = ["StageState", "read_json", "write_json"]
