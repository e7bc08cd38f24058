"""The showcase's resume bookkeeping: ``showcase.json`` as an :class:`arena.stagestate.StageState`
(the settings it was made with, each stage done or not, the items of a stage already done) and
the stage clock (busy seconds and window per stage, for the summary)."""

from __future__ import annotations

import threading
from pathlib import Path

from arena.showcase.plan import ShowcaseError
from arena.stagestate import StageState, read_json


def open_state(out: Path, config: dict, *, resume: bool) -> StageState:
    """``out/showcase.json`` to continue (``resume``, the same ``config``) or a new one; refuses a
    showcase made with other settings and a non-empty folder that holds none (unless ``resume``)."""
    path = out / "showcase.json"
    old = read_json(path)
    doc: dict = {}
    if old is not None:
        if not resume:
            raise ShowcaseError(f"{out} already holds a showcase (showcase.json); pass --resume to continue "
                                "it, or choose another --out / remove the folder")  # fmt: skip
        if old.get("config") != config:
            raise ShowcaseError(f"{out} holds a showcase made with other settings "
                                f"(seed {old.get('config', {}).get('seed')}, mode "
                                f"{old.get('config', {}).get('plan', {}).get('mode')}); --resume needs the same "
                                "--seed and --quick, or choose another --out")  # fmt: skip
        doc = old
    elif out.exists() and any(out.iterdir()) and not resume:
        raise ShowcaseError(f"{out} exists and is not empty; choose another --out, remove it, or pass "
                            "--resume to continue a showcase that was killed before its first stage ended")  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    doc.setdefault("config", config)
    state = StageState(path, doc)
    state.doc["complete"] = False
    state.save()
    return state


class StageClock:
    """Per stage: busy seconds (summed over its pieces, on any thread) and its window (first start
    to last end).  Thread-safe: the background thread's jobs report too."""

    def __init__(self):
        self.stages: dict[str, dict] = {}
        self.lock = threading.Lock()

    def window(self, stage: str, t: float, now: float) -> None:
        """A piece of ``stage`` ran from ``t`` to ``now`` (perf_counter seconds)."""
        with self.lock:
            w = self.stages.setdefault(stage, {"seconds": 0.0, "start": None, "end": None})
            w["start"] = t if w["start"] is None else min(w["start"], t)
            w["end"] = now if w["end"] is None else max(w["end"], now)
            w["seconds"] += now - t

    def to_dict(self) -> dict:
        """showcase.json's ``stage_times``: busy_sec and window_sec per stage, by name."""
        return {name: {"busy_sec": round(w["seconds"], 2),
                       "window_sec": round(w["end"] - w["start"], 2) if w["start"] is not None else None}
                for name, w in sorted(self.stages.items())}  # fmt: skip


__all__ = ["StageClock", "open_state"]
