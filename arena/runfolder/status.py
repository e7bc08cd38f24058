"""A trial's typed status and failure kind (str enums: the values written are the same strings) and
the one counting rule: which trials say something about the model."""

from __future__ import annotations

import math
from enum import StrEnum

from arena.diagnose import VERIFIER_BROKEN


class Status(StrEnum):
    """A trial's status (the ``status`` column)."""

    OK = "ok"
    VERIFIER_ERROR = "verifier_error"  # the verifier could not judge: a task defect, not counted
    INFRA_ERROR = "infra_error"  # the sandbox or the harness failed: not counted, retried
    TIMEOUT = "timeout"  # the agent ran out of time: counted (reward as the verifier gave it, else 0)


#: the statuses whose trials say nothing about the model: excluded from every statistic, never a 0
EXCLUDED_STATUSES = (Status.INFRA_ERROR.value, Status.VERIFIER_ERROR.value)


class FailureKind(StrEnum):
    """Why a trial is not a plain ``ok`` (the ``failure_kind`` column); ``verifier_<diagnosis>``
    names each :data:`arena.diagnose.VERIFIER_BROKEN` diagnosis (see :meth:`verifier_broken`)."""

    BUILD = "build"
    SANDBOX_START = "sandbox_start"
    AGENT_SANDBOX = "agent_sandbox"
    AGENT_CRASH = "agent_crash"
    AGENT_EXIT = "agent_exit"
    AGENT_OOM = "agent_oom"
    AGENT_TIMEOUT = "agent_timeout"
    AGENT_BROKE_VERIFIER = "agent_broke_verifier"  # counted 0: the agent left the sandbox unjudgeable
    VERIFIER_SANDBOX = "verifier_sandbox"
    VERIFIER_TIMEOUT = "verifier_timeout"
    NO_REWARD = "no_reward"
    GROUP_EXEC = "group_exec"
    HARNESS = "harness"
    UNSUPPORTED = "unsupported"  # the task declares what this runtime cannot honour (keep_services on local, a multi-turn key)
    USER_MODEL = "user_model"  # a multi-turn trial's simulated user could not be loaded or answer

    @staticmethod
    def verifier_broken(diagnosis: str) -> str:
        if diagnosis not in VERIFIER_BROKEN:
            raise ValueError(f"{diagnosis!r} is not a verifier-broken diagnosis ({sorted(VERIFIER_BROKEN)})")
        return f"verifier_{diagnosis}"


def counts(status: str, reward: float | None) -> bool:
    """The counting rule: a trial counts when it has a reward and its status is not excluded."""
    return reward is not None and not (isinstance(reward, float) and math.isnan(reward)) and \
        status not in EXCLUDED_STATUSES  # fmt: skip


def counted(trials):
    """Boolean mask of the rows of a trials table that count (:func:`counts`, vectorized; a table
    without a status column counts every row with a reward)."""
    ok = trials["reward"].notna()
    if "status" in trials:
        ok &= ~trials["status"].isin(EXCLUDED_STATUSES)
    return ok
