"""Verifier-backed GRPO rewards: every completion is scored by a real trial in the sandbox.

``VerifierReward`` (answer mode) is a TRL reward function: for each completion it runs a trial
(``TextAgent`` writes the completion to the task's answer file, then the task's verifier runs) in
parallel across ``workers`` through ``arena.batch.run_batch`` (infrastructure failures retried).
``SandboxToolEnv`` (tool mode) is a TRL ``environment_factory`` environment: ``reset`` starts the
task's sandbox, its ``bash`` tool runs the model's commands there, and ``tool_reward`` ends the
episode by running the verifier in that same sandbox.

``reward.isolation`` chooses how answer-mode completions meet their verifier: ``trial`` (default)
runs each one as a full trial in its own fresh sandbox; ``group`` scores the completions of one
GRPO group in one fresh sandbox, one verifier run per completion with /logs/verifier emptied and
the answer file replaced in between (the agent runs no code in answer mode, so nothing of one
completion can reach the next but the verifier's own leftovers).  ``bench/bench_rewards.py``
measures both against the bare verifier scripts.

A completion the verifier could not judge (verifier crash, timeout, no or garbage reward file) or
that the infrastructure could not run returns ``None``: TRL 1.16 marks such a row unscorable
(NaN reward, excluded from the group baseline, advantage 0).  It is never scored 0, never crashes
training, and is counted (``masked/<kind>``) and kept in ``rollouts.parquet`` with its status.

Logged per batch (TensorBoard, through TRL's ``log_metric``): ``reward/<domain>`` means, the
share of zero-variance groups, the masked share and counts per kind, reward seconds.

Modules: ``rollouts`` (what GRPO sees of a trial, the rollout log, the counters and metrics both
modes share), ``answer_mode`` (``VerifierReward``), ``group`` (isolation=group: one sandbox per GRPO
group), ``tool_mode`` (``SandboxToolEnv``, ``ToolReward``).
"""

from arena.train.rewards.answer_mode import VerifierReward
from arena.train.rewards.group import GROUP_DIR, group_trial, score_group
from arena.train.rewards.rollouts import (
    RewardStats,
    RolloutLog,
    completion_text,
    log_batch,
    mask_kind,
    reward_of,
    with_verifier_timeout,
)
from arena.train.rewards.tool_mode import SandboxToolEnv, ToolReward, make_tool_env

__all__ = ["GROUP_DIR", "RewardStats", "RolloutLog", "SandboxToolEnv", "ToolReward", "VerifierReward",
           "completion_text", "group_trial", "log_batch", "make_tool_env", "mask_kind", "reward_of", "score_group",
           "with_verifier_timeout"]  # fmt: skip
