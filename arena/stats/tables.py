"""Per-task and per-domain tables of one run (pass@k, pass rate, mean reward, excluded trials) and
per-task values of several runs side by side, under the counting rule of :mod:`arena.runfolder`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from arena.domains import DOMAIN_IDS
from arena.runfolder import counted

OVERALL = "overall"


def pass_at_k(n, c, k: int) -> np.ndarray:
    """Unbiased pass@k of Chen et al. 2021, vectorized over tasks: ``1 - C(n-c, k) / C(n, k)``.

    ``n`` samples per task, ``c`` of them passed.  The binomial ratio is the product
    ``prod_{i=n-c+1..n} (1 - k/i)`` (no huge factorials); it is 0 as soon as ``n - c < k`` (every
    k-subset holds a pass), so pass@k = 1 there.  NaN where ``k > n`` (not estimable).
    Closed forms: c = 0 → 0, c = n → 1, k = 1 → c/n.
    """
    n, c = np.broadcast_arrays(np.asarray(n, dtype=np.int64), np.asarray(c, dtype=np.int64))
    if k < 1 or np.any(c < 0) or np.any(c > n):
        raise ValueError("need k >= 1 and 0 <= c <= n")
    i = np.arange(1, max(int(n.max(initial=0)), 1) + 1)
    in_prod = (i > (n - c)[..., None]) & (i <= n[..., None])
    miss_all = np.where(in_prod, 1.0 - k / i, 1.0).prod(axis=-1)
    out = np.where(n - c < k, 1.0, 1.0 - miss_all)
    return np.where(n >= k, out, np.nan)


def select_agent(trials: pd.DataFrame, agent: str | None, run: str = "trials") -> pd.DataFrame:
    """The trials of ``agent``; with None, all of them, which must then be one agent's."""
    if agent is not None:
        return trials[trials["agent"] == agent]
    if "agent" in trials and trials["agent"].nunique() > 1:
        raise ValueError(f"{run} hold several agents {sorted(trials['agent'].unique())}: select one")
    return trials


def _per_task(trials: pd.DataFrame, threshold: float, by: list[str]) -> pd.DataFrame:
    if trials["domain"].isna().any():
        raise ValueError(f"{int(trials['domain'].isna().sum())} trials have no domain (map slugs with arena.domains)")
    ok = counted(trials)
    t = trials[by].assign(ok=ok, passed=ok & (trials["reward"] >= threshold), r=trials["reward"].where(ok))
    out = t.groupby(by, sort=True, dropna=False).agg(
        n=("ok", "sum"), n_trials=("ok", "size"), c=("passed", "sum"), mean_reward=("r", "mean")
    ).reset_index()  # fmt: skip
    out["n_excluded"] = out.pop("n_trials") - out["n"]
    out["pass_rate"] = out["c"] / out["n"].where(out["n"] > 0)
    return out


def task_table(trials: pd.DataFrame, *, threshold: float = 1.0, ks: Sequence[int] = (1,),
               agent: str | None = None) -> pd.DataFrame:  # fmt: skip
    """One row per task: domain, task_id, n (counted samples), c (passes), mean_reward,
    n_excluded, pass_rate and ``pass@k`` for each k in ``ks``.  ``agent`` selects one agent; a
    table holding several agents without it is an error (their samples must not be pooled)."""
    out = _per_task(select_agent(trials, agent), threshold, ["domain", "task_id"])
    for k in ks:
        out[f"pass@{k}"] = pass_at_k(out["n"].to_numpy(), out["c"].to_numpy(), k)
    return out


def domain_table(trials: pd.DataFrame, *, threshold: float = 1.0, ks: Sequence[int] = (1,),
                 agent: str | None = None, weighting: str = "domain") -> pd.DataFrame:  # fmt: skip
    """Per-domain means of the task table (tasks with no counted sample are left out of the means,
    their trials show in n_excluded) plus an ``overall`` row: the mean of the domain rows
    (``weighting="domain"``) or of all tasks (``"task"``)."""
    _check_weighting(weighting)
    tt = task_table(trials, threshold=threshold, ks=ks, agent=agent)
    cols = ["pass_rate", "mean_reward", *(f"pass@{k}" for k in ks)]
    scored = tt[tt["n"] > 0]
    per = scored.groupby("domain")[cols].mean()
    per.insert(0, "n_tasks", scored.groupby("domain").size())
    per.insert(1, "n_trials", tt.groupby("domain")["n"].sum())
    per.insert(2, "n_excluded", tt.groupby("domain")["n_excluded"].sum())
    per = per.reindex(domain_order(per.index))
    overall = per[cols].mean() if weighting == "domain" else scored[cols].mean()
    overall = pd.concat([per[["n_tasks", "n_trials", "n_excluded"]].sum(), overall])
    per.loc[OVERALL] = overall
    return per.rename_axis("domain").reset_index()


def task_values(runs: Mapping[str, pd.DataFrame], *, metric: str = "pass",
                threshold: float = 1.0) -> tuple[pd.DataFrame, pd.Series]:  # fmt: skip
    """Per-task scores of several runs side by side: (values, domains).  ``values`` is indexed by
    task_id with one column per run (NaN: no counted sample), ``domains`` gives each task's
    domain; a task filed under two domains is an error.  One groupby over all runs."""
    if metric not in ("pass", "reward"):
        raise ValueError(f"metric must be 'pass' or 'reward', not {metric!r}")
    col = {"pass": "pass_rate", "reward": "mean_reward"}[metric]
    cols = ["task_id", "domain", "reward", "status"]
    frames = [select_agent(df, None, f"run {name!r}")[cols].assign(run=name) for name, df in runs.items()]
    if not frames:
        return pd.DataFrame(index=pd.Index([], name="task_id")), pd.Series(dtype=object, name="domain")
    t = _per_task(pd.concat(frames, ignore_index=True), threshold, ["run", "domain", "task_id"])
    doms = t.groupby("task_id")["domain"]
    if (doms.nunique() > 1).any():
        raise ValueError(f"tasks filed under several domains: {list(doms.nunique()[lambda v: v > 1].index)}")
    values = t.pivot(index="task_id", columns="run", values=col).reindex(columns=list(runs))
    return values.rename_axis(columns=None), doms.first().reindex(values.index)


def domain_order(labels) -> list[str]:
    """Domain labels in DOMAIN_IDS order, unknown labels after them, sorted."""
    known = [d for d in DOMAIN_IDS if d in set(labels)]
    return known + sorted(set(labels) - set(known))


def _check_weighting(weighting: str) -> None:
    if weighting not in ("domain", "task"):
        raise ValueError(f"weighting must be 'domain' or 'task', not {weighting!r}")
