"""Task-clustered paired standard errors (the right ones for K > 1 samples per task) and the normal
intervals built from them."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from arena.runfolder import counted
from arena.stats.tables import domain_order, task_values


def clustered_se(trials_team: pd.DataFrame, trials_ref: pd.DataFrame, *, metric: str = "pass",
                 threshold: float = 1.0) -> pd.DataFrame:  # fmt: skip
    """Task-clustered paired standard errors, one row per domain: domain, n_tasks, k (mean counted
    samples per task and arm), delta, se, se_naive.

    With K samples per task the K trials of a task are not independent draws of the suite: they
    share the task.  The paired difference of task i is ``d_i = team_i − ref_i`` (each side its
    mean over its samples); Δ_d is their mean and the task-clustered SE is ``sd(d_i) / √n_d``
    (ddof 1: the cluster-robust SE of a mean of cluster means).  ``se_naive`` treats every trial as
    independent (√(var_team/N_team + var_ref/N_ref) over trials): it is too small when samples of a
    task agree, which is what clustering corrects."""
    vals, doms = task_values({"team": trials_team, "reference": trials_ref}, metric=metric, threshold=threshold)
    d = (vals["team"] - vals["reference"]).dropna()
    doms = doms.reindex(d.index)
    ok_t, ok_r = counted(trials_team), counted(trials_ref)

    def trial_values(t, ok):
        x = t.loc[ok, ["task_id", "reward"]].copy()
        x["v"] = (x["reward"] >= threshold).astype(float) if metric == "pass" else x["reward"].astype(float)
        return x[x["task_id"].isin(d.index)]

    tv, rv = trial_values(trials_team, ok_t), trial_values(trials_ref, ok_r)
    rows = []
    for dom in domain_order(doms.unique()):
        ids = doms.index[doms == dom]
        di = d.reindex(ids)
        a, b = tv[tv["task_id"].isin(ids)]["v"], rv[rv["task_id"].isin(ids)]["v"]
        n = len(di)
        se = float(di.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
        naive = float(np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))) if len(a) > 1 and len(b) > 1 else np.nan
        rows.append({"domain": dom, "n_tasks": n, "k": (len(a) + len(b)) / (2 * n) if n else np.nan,
                     "delta": float(di.mean()) if n else np.nan, "se": se, "se_naive": naive})  # fmt: skip
    return pd.DataFrame(rows, columns=["domain", "n_tasks", "k", "delta", "se", "se_naive"])


def _clustered_ci(teams, reference, metric, threshold, order, weights, confidence):
    """(overall (T, 2), per-domain (T, D, 2)) normal intervals from task-clustered SEs; the overall SE
    combines the domains' with the rule's weights (domains are independent clusters)."""
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    over, per = [], []
    for t, (_name, trials) in enumerate(teams.items()):
        se = clustered_se(trials, reference, metric=metric, threshold=threshold).set_index("domain")
        se = se.reindex(order)
        d, s = se["delta"].to_numpy(float), se["se"].to_numpy(float)
        per.append(np.stack([d - z * s, d + z * s], -1))
        w = weights[t]
        tot = np.nansum(w * np.nan_to_num(d))
        tot_se = np.sqrt(np.nansum((w * s) ** 2))
        over.append((tot - z * tot_se, tot + z * tot_se))
    return np.array(over), np.array(per)
