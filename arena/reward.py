"""The reward contract: ``/logs/verifier/reward.txt`` (a float) and optional ``reward.json``.

``reward.json`` holds ``reward`` plus any other keys: numeric ones become metrics, the rest side
info.  When both files exist they must agree.  No file, an unparsable or non-finite value, or a
disagreement is a verifier error with its reason — never a silent 0.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

AGREE_TOL = 1e-6


@dataclass(frozen=True)
class RewardReading:
    reward: float | None
    error: str | None = None  # why there is no usable reward
    metrics: dict[str, float] = field(default_factory=dict)
    side_info: dict = field(default_factory=dict)


def _num(value) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


#: how ``verifier.reward_key`` combines named rewards when it names none of them
COMBINATIONS = {"mean": lambda v: sum(v) / len(v), "min": min}


def parse_reward(txt: bytes | None, js: bytes | None, primary: str | None = None) -> RewardReading:
    """The reward of one verifier run: reward.txt, else reward.json's ``reward``, else (a file of
    named rewards, as Harbor's multi-reward tasks write) the one ``primary`` names
    (``verifier.reward_key``: a key, or ``mean`` / ``min`` of every named reward)."""
    if txt is None and js is None:
        return RewardReading(None, "the verifier wrote no /logs/verifier/reward.txt (nor reward.json)")
    r_txt = None
    if txt is not None:
        s = txt.decode("utf-8", errors="replace").strip()
        r_txt = _num(s) if s else None
        if r_txt is None:
            return RewardReading(None, f"reward.txt is not a number: {s[:60]!r}")
        if not math.isfinite(r_txt):
            return RewardReading(None, f"reward.txt is not finite: {s[:60]!r}")
    metrics: dict[str, float] = {}
    side: dict = {}
    r_js = None
    if js is not None:
        try:
            data = json.loads(js.decode("utf-8", errors="replace"))
        except ValueError as exc:
            if r_txt is None:
                return RewardReading(None, f"reward.json is not valid JSON ({exc.msg})")
            side["reward_json_error"] = f"not valid JSON ({exc.msg})"
            data = None
        if data is not None and not isinstance(data, dict):
            if r_txt is None:
                return RewardReading(None, f"reward.json must be an object, got {type(data).__name__}")
            side["reward_json_error"] = "not an object"
        elif isinstance(data, dict):
            if "reward" in data:
                r_js = _num(data["reward"])
                if r_js is None or not math.isfinite(r_js):
                    return RewardReading(None, f"reward.json `reward` is not a finite number: {data['reward']!r:.60}")
            for k, v in data.items():
                if k == "reward":
                    continue
                n = _num(v) if not isinstance(v, str) else None
                if n is not None and math.isfinite(n):
                    metrics[k] = n
                else:
                    side[k] = v
    if r_txt is not None and r_js is not None and abs(r_txt - r_js) > AGREE_TOL:
        return RewardReading(
            None, f"reward.txt says {r_txt} but reward.json says {r_js}", metrics, side
        )
    reward = r_txt if r_txt is not None else r_js
    if reward is None and primary is not None:
        if primary in metrics:
            reward = metrics[primary]
        elif primary in COMBINATIONS and metrics:
            reward = float(COMBINATIONS[primary](list(metrics.values())))
        else:
            return RewardReading(None, f"verifier.reward_key is {primary!r} but reward.json has no such named reward "
                                       f"(it has: {', '.join(sorted(metrics)) or 'none'})", metrics, side)  # fmt: skip
    if reward is None:
        return RewardReading(None, "reward.json has no `reward` key and there is no reward.txt (a file of named "
                                   "rewards needs verifier.reward_key: NAME, mean or min)", metrics, side)  # fmt: skip
    return RewardReading(reward, None, metrics, side)
