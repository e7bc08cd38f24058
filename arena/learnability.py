"""Learnability profile: which tasks can teach the base model anything under GRPO-style training.

GRPO scores each rollout against the other rollouts of its group (same task, G samples): the
advantage is the reward minus the group mean.  A group whose rewards are all equal has zero
advantage everywhere and contributes no gradient, so a task the base model *always* fails or
*always* solves spends its rollouts for nothing.  From base-model trials sampled K times per task
this module reports each task's pass rate, whether its K samples were all equal (a zero-variance
task), whether its rate lies outside a useful band, and, for a training group size G, the
probability that a group of G rollouts is flat, estimated without bias from the K samples.

Counting rules are :mod:`arena.stats`'s: infra/verifier errors and null rewards are excluded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from arena.stats import OVERALL, counted, domain_order, select_agent, task_table


def choose_ratio(c, n, g: int) -> np.ndarray:
    """``C(c, g) / C(n, g)`` elementwise, as the product ``Π_{i<g} (c - i) / (n - i)``: the chance
    that g of n samples drawn without replacement all come from a subset of c.  NaN where n < g.

    Summed over a task's distinct rewards v (c = c_v) it is the probability that a GRPO group of
    g rollouts is flat, an unbiased estimate of ``Σ_v p_v^g`` (for pass/fail: ``2 - pass@g(n, c)
    - pass@g(n, n - c)``, the same hypergeometric trick as pass@k)."""
    c, n = np.broadcast_arrays(np.asarray(c, dtype=float), np.asarray(n, dtype=float))
    i = np.arange(g)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.prod(np.clip(c[..., None] - i, 0, None) / (n[..., None] - i), axis=-1)
    return np.where(n >= g, r, np.nan)


def task_learnability(trials: pd.DataFrame, *, threshold: float = 1.0, metric: str = "pass",
                      band: tuple[float, float] = (0.0, 1.0), group_size: int | None = None,
                      agent: str | None = None) -> pd.DataFrame:  # fmt: skip
    """One row per task: domain, task_id, n (counted samples), value (pass rate, or mean reward
    with ``metric="reward"``), all_fail / all_pass (every counted sample below / at or above
    ``threshold``), zero_variance (every counted sample got the same reward: the pass indicator
    for ``"pass"``, the raw reward for ``"reward"``), outside_band (``value <= band[0]`` or
    ``value >= band[1]``; the default (0, 1) band flags exactly the always-0 and always-1 tasks)
    and, when ``group_size`` is given, p_flat_group: the probability that a group of that many
    rollouts is flat (see :func:`choose_ratio`).
    Tasks with no counted sample keep a row with n = 0 and NaN flags."""
    if metric not in ("pass", "reward"):
        raise ValueError(f"metric must be 'pass' or 'reward', not {metric!r}")
    trials = select_agent(trials, agent)
    tt = task_table(trials, threshold=threshold, ks=())
    out = tt[["domain", "task_id", "n"]].copy()
    out["value"] = tt["pass_rate"] if metric == "pass" else tt["mean_reward"]
    scored = tt["n"] > 0
    out["all_fail"] = (tt["c"] == 0).astype("boolean").where(scored)
    out["all_pass"] = (tt["c"] == tt["n"]).astype("boolean").where(scored)
    ok = trials[counted(trials)]
    v = (ok["reward"] >= threshold).astype(float) if metric == "pass" else ok["reward"].astype(float)
    per_value = ok[["domain", "task_id"]].assign(v=v).groupby(["domain", "task_id", "v"]).size()
    distinct = per_value.groupby(level=["domain", "task_id"]).size()
    key = pd.MultiIndex.from_frame(out[["domain", "task_id"]])
    out["zero_variance"] = pd.array(distinct.reindex(key).to_numpy() == 1, dtype="boolean")
    out["zero_variance"] = out["zero_variance"].where(scored)
    out["outside_band"] = ((out["value"] <= band[0]) | (out["value"] >= band[1])).astype("boolean").where(scored)
    if group_size is not None:
        n_task = per_value.groupby(level=["domain", "task_id"]).transform("sum")
        p = pd.Series(choose_ratio(per_value, n_task, group_size), index=per_value.index)
        out["p_flat_group"] = p.groupby(level=["domain", "task_id"]).sum(min_count=1).reindex(key).to_numpy()
    return out


def learnability_profile(trials: pd.DataFrame, *, threshold: float = 1.0, metric: str = "pass",
                         band: tuple[float, float] = (0.0, 1.0), group_size: int | None = None,
                         agent: str | None = None) -> pd.DataFrame:  # fmt: skip
    """Per domain (and ``overall``, over all tasks): n_tasks (with a counted sample), mean_value,
    share_all_fail, share_all_pass, share_zero_variance, share_outside_band, share_in_band
    (= 1 - share_outside_band: the tasks worth training on) and, with ``group_size``,
    mean_p_flat_group: the expected share of training groups with no gradient."""
    t = task_learnability(trials, threshold=threshold, metric=metric, band=band, group_size=group_size,
                          agent=agent)  # fmt: skip
    t = t[t["n"] > 0]
    flags = ["all_fail", "all_pass", "zero_variance", "outside_band"]
    t = t.astype({f: float for f in flags})
    agg = {"n_tasks": ("task_id", "size"), "mean_value": ("value", "mean"),
           **{f"share_{f}": (f, "mean") for f in flags}}  # fmt: skip
    if group_size is not None:
        agg["mean_p_flat_group"] = ("p_flat_group", "mean")
    per = t.groupby("domain").agg(**agg)
    per = per.reindex(domain_order(per.index))
    per.loc[OVERALL] = t.assign(domain=OVERALL).groupby("domain").agg(**agg).iloc[0]
    per["share_in_band"] = 1.0 - per["share_outside_band"]
    per["n_tasks"] = per["n_tasks"].astype(int)
    return per.rename_axis("domain").reset_index()
