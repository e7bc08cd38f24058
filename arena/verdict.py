"""A trial's verdict, decided once: the verifier's reading, the phases' precedence, attribution.

Used by every path that turns a verifier run into a row (``arena.trial`` for trials, validation
and ``arena eval``; ``arena.train.rewards`` for GRPO groups), so a verifier fix lands once.

1. **Reading** (``read_verifier``): the verifier's exit, output and reward files become a reward
   or a verifier failure (timeout, no reward, a broken toolchain that wrote 0 anyway).
2. **Precedence** (``settle``): what the agent phase decided first is kept.  An agent timeout
   stays ``timeout / agent_timeout`` whatever the verifier reads afterwards; the verifier's reading
   is side information, and its reward (partial credit for what the agent left) counts, else 0.
3. **Attribution** (``settle``): a verifier that fails after an agent, on a task whose verifier
   works on the oracle's output, failed because of what *that agent* did (deleted python3,
   filled the disk, planted a FIFO as the answer…).  That is the agent's failure: reward 0,
   status ``ok`` (counted), failure kind ``agent_broke_verifier``.  Only a verifier that also
   fails for the oracle is a task defect (``verifier_error``, excluded from statistics).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from arena import uvshim
from arena.diagnose import VERIFIER_BROKEN, diagnose, tail
from arena.reward import parse_reward
from arena.runfolder import FailureKind

#: the failure kind of a counted 0 when the agent left the sandbox so the verifier could not judge
AGENT_BROKE_VERIFIER = FailureKind.AGENT_BROKE_VERIFIER.value


@dataclass
class VerifierOutcome:
    reward: float | None = None
    status: str = "ok"  # ok | verifier_error
    failure_kind: str | None = None
    reason: str | None = None
    metrics: dict = field(default_factory=dict)
    side_info: dict = field(default_factory=dict)
    reported_reward: float | None = None


def read_verifier(*, timed_out: bool, timeout_sec: float, stdout: str, stderr: str,
                  reward_txt: bytes | None, reward_json: bytes | None,
                  reward_key: str | None = None) -> VerifierOutcome:  # fmt: skip
    """What one verifier run says: a reward, or why it could not give one (``reward_key``: the
    task's ``verifier.reward_key`` for a file of named rewards)."""
    if timed_out:
        return VerifierOutcome(status="verifier_error", failure_kind="verifier_timeout",
                               reason=f"verifier exceeded verifier.timeout_sec = {timeout_sec:g}s")  # fmt: skip
    reading = parse_reward(reward_txt, reward_json, reward_key)
    out = VerifierOutcome(metrics=reading.metrics, side_info=dict(reading.side_info or {}))
    # pytest run by arena's offline uv stand-in reached a verdict: the failed downloads before it are moot
    broken = None if uvshim.judged(stderr) else diagnose(stderr + "\n" + stdout)
    if reading.error:
        out.status, out.failure_kind = "verifier_error", "no_reward"
        out.reason = reading.error + (f"; cause: {broken[1]}" if broken else f"; log: {tail(stderr or stdout)}")
    elif broken and broken[0] in VERIFIER_BROKEN and reading.reward == 0.0:
        # the verifier could not judge (e.g. `pytest: command not found`) and wrote a 0 anyway
        out.status, out.failure_kind = "verifier_error", FailureKind.verifier_broken(broken[0])
        out.reason = f"verifier could not run: {broken[1]}"
        out.reported_reward = reading.reward
    else:
        out.reward = reading.reward
    return out


def settle(res, v: VerifierOutcome, *, agent_timed_out: bool = False,
           oracle_verifier_works: Callable[[], bool] | None = None) -> None:  # fmt: skip
    """Fold the verifier's outcome into the trial row ``res`` by the precedence and attribution rules.

    ``oracle_verifier_works`` is asked only when the verifier failed: True when the same verifier
    gives a reward on the task's oracle output (None for the oracle itself: its failure is the task's).
    """
    res.metrics = v.metrics
    if v.side_info:
        res.side_info["verifier"] = v.side_info
    if v.reported_reward is not None:
        res.side_info["reported_reward"] = v.reported_reward
    if agent_timed_out:  # the agent's verdict stands; the verifier's reading is side information
        res.status, res.failure_kind = "timeout", "agent_timeout"
        res.reward = v.reward if v.reward is not None else 0.0
        if v.status != "ok":
            res.side_info["verifier_after_timeout"] = {"failure_kind": v.failure_kind, "reason": v.reason}
        return
    if v.status == "ok":
        res.reward = v.reward
        return
    if oracle_verifier_works is not None and oracle_verifier_works():
        res.status, res.failure_kind, res.reward = "ok", AGENT_BROKE_VERIFIER, 0.0
        res.side_info["verifier_failure"] = {"failure_kind": v.failure_kind, "reason": v.reason}
        res.reason = (f"the agent left the sandbox so its verifier could not judge ({v.failure_kind}: {v.reason}); "
                      "the same verifier scores the oracle's output, so this counts as the agent's failure")  # fmt: skip
        return
    res.status, res.failure_kind, res.reason = v.status, v.failure_kind, v.reason
