"""Statistics of the evaluation: pass@k, pass rates, a team's Δ over the reference with a paired
domain-stratified bootstrap CI, the minimum detectable effect, and the leaderboard.

Counting rules (every function here applies them):

* a trial *counts* when its reward is not null and its status is not ``infra_error`` /
  ``verifier_error``: those trials say nothing about the model, so they are excluded, never
  scored 0.  A ``timeout`` keeps its reward (the agent ran out of time: a genuine failure).
* a trial *passes* when ``reward >= threshold`` (default 1.0: only full credit passes).
* metric ``"pass"`` scores a task by its pass rate c/n over its counted samples, ``"reward"`` by
  its mean reward (partial credit).  Every task weighs the same inside its domain.

A team's score is Δ = team − reference on the same held-out tasks.  Two rules turn the per-domain
Δs into one overall Δ (``rule=``):

* ``"organizers"`` (the default: the competition's published rule, :mod:`arena.scoring`) — each
  domain weighs its share of the paired tasks, water-filled so that no weight exceeds ``cap``
  (0.2); the interval is their percentile bootstrap over paired tasks (not stratified) on their
  own random stream, computed by the vectorized engine (``engine="fast"``, the default) or by the
  plain-Python replay (``engine="organizers"``, the reference): both give their interval exactly
  (up to floating-point summation order).
* ``"gain-share"`` (arena's earlier rule, kept as a named alternative) — the mean over domains of
  the per-domain Δ (``weighting="domain"``: each domain 1/D; ``"task"``: by paired tasks), and when
  the total is positive each domain's *contribution* is clipped to ``cap`` × the total; the
  interval is a domain-stratified percentile bootstrap (:func:`paired_bootstrap`).

``interval="clustered"`` replaces the bootstrap interval by Δ ± z·SE with a task-clustered paired
standard error (:func:`clustered_se`), the right one for K > 1 samples per task.  Every table says
which interval it shows in its ``interval`` column.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from arena.domains import DOMAIN_IDS
from arena.runfolder import counted

ORGANIZERS, GAIN_SHARE = "organizers", "gain-share"
RULES = (ORGANIZERS, GAIN_SHARE)
ENGINES = ("fast", "organizers")
INTERVALS = ("bootstrap", "clustered")
OVERALL = "overall"
_CHUNK = 2**15  # ~32k task draws per chunk: the working set stays in cache, BLAS calls stay small


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


@dataclass(frozen=True)
class Bootstrap:
    """Result of :func:`paired_bootstrap` for T rows (teams) over D domains and B resamples."""

    domains: tuple[str, ...]
    delta: np.ndarray  # (T,) overall point estimate (capped when cap is set)
    ci: np.ndarray  # (T, 2) percentile interval of the overall Δ
    domain_delta: np.ndarray  # (T, D) per-domain Δ (never capped)
    domain_ci: np.ndarray  # (T, D, 2)
    n: np.ndarray  # (T, D) paired tasks per domain
    replicates: np.ndarray  # (T, B) overall Δ in each resample
    domain_replicates: np.ndarray  # (T, D, B)


def domain_order(labels) -> list[str]:
    """Domain labels in DOMAIN_IDS order, unknown labels after them, sorted."""
    known = [d for d in DOMAIN_IDS if d in set(labels)]
    return known + sorted(set(labels) - set(known))


def _check_weighting(weighting: str) -> None:
    if weighting not in ("domain", "task"):
        raise ValueError(f"weighting must be 'domain' or 'task', not {weighting!r}")


def _combine(num, den, weighting, cap, present=None):
    """Domain means ``num/den`` (T, D, R) and the overall Δ (T, R) from per-domain sums of paired
    differences (num) and of pair counts (den).  A domain with no pair in the original suite
    (``present`` False) carries no weight; a resample that drew none of a present domain's pairs
    has no overall value (NaN, left out of the percentiles) rather than a silently reweighted one."""
    has = den > 0
    present = has if present is None else present
    if num.shape[1] == 1 and cap is None and has.all():  # one domain: the overall Δ is its Δ
        dom = num / den
        return dom, dom[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        dom = num / den
        share = present / present.sum(1, keepdims=True) if weighting == "domain" else den / den.sum(1, keepdims=True)
        contrib = share * (dom if has.all() else np.where(has, dom, 0.0))
        total = contrib.sum(1)
        if cap is not None:  # each domain's contribution at most cap × the (uncapped) positive total
            total = np.where(total > 0, np.minimum(contrib, cap * total[:, None]).sum(1), total)
    if not has.all():
        total = np.where((present & ~has).any(1), np.nan, total)
    return dom, total


def percentile_interval(reps: np.ndarray, confidence: float = 0.95) -> np.ndarray:
    """Percentile interval of bootstrap replicates along the last axis, on a trailing axis of 2:
    the (1 ± confidence)/2 quantiles with numpy's default linear interpolation (virtual index
    q·(n−1)), NaN replicates ignored.  One sort (SIMD, several times faster than np.quantile's
    partition here) serves both ends."""
    q = [(1 - confidence) / 2, (1 + confidence) / 2]
    s = np.sort(reps, axis=-1)  # NaN sorts last
    n = (~np.isnan(s)).sum(-1, keepdims=True)
    out = []
    for p in q:
        pos = p * (n - 1)
        lo = np.clip(np.floor(pos).astype(int), 0, None)
        a = np.take_along_axis(s, lo, -1)
        b = np.take_along_axis(s, np.clip(np.minimum(lo + 1, n - 1), 0, None), -1)
        out.append(np.where(n > 0, a + (pos - lo) * (b - a), np.nan))
    return np.concatenate(out, axis=-1)


def _domain_columns(domains: Sequence[str]) -> tuple[list[str], list[np.ndarray]]:
    order = domain_order(domains)
    labels = np.asarray(list(domains), dtype=object)
    return order, [np.flatnonzero(labels == d) for d in order]


def paired_bootstrap(diff, domains: Sequence[str], *, n_resamples: int = 10_000, seed: int = 0,
                     confidence: float = 0.95, weighting: str = "domain",
                     cap: float | None = None) -> Bootstrap:  # fmt: skip
    """Paired, domain-stratified percentile bootstrap of Δ for many teams at once.

    ``diff`` is (T, N): team − reference per task (the pair stays together because the pair *is*
    one number), NaN where either side has no counted sample; ``domains`` labels the N tasks.
    A resample draws, inside every domain of n_d tasks, n_d tasks with replacement.  Per domain
    that is one vectorized draw of a (B, n_d) index matrix (in row chunks), turned into per-task
    counts W (B, n_d) and shared by all T teams (every team sees the same resampled suites); the
    domain's Δ in each resample is ``(diff·Wᵀ) / (present·Wᵀ)``, one matrix product, so a team
    missing a task averages over the copies of the tasks it has (a resample that drew none of its
    pairs in some domain gives it no overall value and is left out of its percentiles).  Memory:
    the replicates are kept, T·D·B floats (32 MB for 50 teams, 8 domains, 10⁴ resamples).
    The interval is the (1 ± confidence)/2
    quantiles of the B replicates (linear interpolation, as scipy's percentile method; with one
    domain the draws are scipy's too: same seed, same interval).  The point estimate is the same
    computation on the original suite.

    ``cap`` (organizers: 0.20): when the overall Δ S is positive, each domain's contribution
    ``share_d · Δ_d`` is clipped to ``cap · S`` (a single pass, S the uncapped total; negative
    contributions are kept) and the clipped contributions are summed; the result is not clipped
    again, so a domain may still exceed cap × the capped total.  With fewer than 1/cap domains
    gaining, the cap always binds.  Applied to the point estimate and inside every replicate;
    domain Δs are never capped.  Resamples are drawn in
    cache-sized chunks whose size depends on N only: adding a team changes no other team's result.
    """
    _check_weighting(weighting)
    diff = np.atleast_2d(np.asarray(diff, dtype=float))
    if diff.shape[1] == 0 or diff.shape[1] != len(domains):
        raise ValueError(f"diff has {diff.shape[1]} task columns for {len(domains)} domain labels")
    order, cols = _domain_columns(domains)
    t_rows, n_dom = diff.shape[0], len(order)
    xs = [np.nan_to_num(diff[:, c]) for c in cols]
    ms = [(~np.isnan(diff[:, c])).astype(float) for c in cols]
    complete = all(m.all() for m in ms)  # then every resample of domain d holds n_d pairs
    point_num = np.stack([x.sum(1) for x in xs], 1)[..., None]
    point_den = np.stack([m.sum(1) for m in ms], 1)[..., None]
    point_dom, point = _combine(point_num, point_den, weighting, cap)
    rng = np.random.default_rng(seed)
    one = n_dom == 1 and cap is None  # then the overall Δ *is* the domain's Δ: one copy, one sort
    reps = np.empty((t_rows, n_resamples))
    dom_reps = reps[:, None, :] if one else np.empty((t_rows, n_dom, n_resamples))
    step = 2 * max(1, _CHUNK // max(diff.shape[1], 1))  # even: chunked draws = one big draw
    sizes = point_den.max(0, keepdims=True)  # (1, D, 1): a complete team's count in every resample
    for s in range(0, n_resamples, step):
        b = min(step, n_resamples - s)
        num = np.empty((t_rows, n_dom, b))
        den = sizes if complete else np.empty((t_rows, n_dom, b))
        for g, c in enumerate(cols):
            idx = rng.integers(0, len(c), size=(b, len(c)))
            w = np.zeros((b, len(c)))  # how many times each task is drawn in each resample
            np.add.at(w.reshape(-1), (np.arange(b)[:, None] * len(c) + idx).ravel(), 1.0)
            num[:, g] = xs[g] @ w.T
            if not complete:
                den[:, g] = ms[g] @ w.T
        dom, reps[:, s : s + b] = _combine(num, den, weighting, cap, point_den > 0)
        if not one:
            dom_reps[:, :, s : s + b] = dom
    ci = percentile_interval(reps, confidence)
    dom_ci = ci[:, None] if one else percentile_interval(dom_reps, confidence)
    n = point_den[..., 0].astype(int)
    return Bootstrap(tuple(order), point[:, 0], ci, point_dom[..., 0], dom_ci, n, reps, dom_reps)


def minimum_detectable_effect(diff, domains: Sequence[str], *, alpha: float = 0.05, power: float = 0.8,
                              weighting: str = "domain", weights=None) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Smallest true Δ the suite detects with probability ``power`` in a two-sided test at ``alpha``:

        MDE = (z_{1-α/2} + z_{power}) · SE,   SE² = Σ_d s_d² share_d² / n_d

    with s_d² the sample variance (ddof 1) of the paired per-task differences in domain d, n_d the
    paired tasks and share_d = 1/D (``weighting="domain"``) or n_d/N (``"task"``), or the given
    ``weights`` (T, D) in :func:`domain_order` (the organizers' water-filled weights); the normal
    approximation of the stratified mean (α=0.05, power 0.8 → 2.80·SE).  The gain-share cap is ignored.
    Returns (overall (T,), per-domain (T, D)); NaN for a domain with fewer than 2 paired tasks.
    """
    _check_weighting(weighting)
    diff = np.atleast_2d(np.asarray(diff, dtype=float))
    cols = _domain_columns(domains)[1]
    z = NormalDist().inv_cdf(1 - alpha / 2) + NormalDist().inv_cdf(power)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        n = np.stack([(~np.isnan(diff[:, c])).sum(1) for c in cols], 1)
        var = np.stack([np.nanvar(diff[:, c], axis=1, ddof=1) for c in cols], 1)
        has = n > 0
        share = has / has.sum(1, keepdims=True) if weighting == "domain" else n / n.sum(1, keepdims=True)
        if weights is not None:
            share = np.asarray(weights, float)
        se2 = np.where(has, share**2 * var / np.maximum(n, 1), 0.0).sum(1)
        return z * np.sqrt(se2), z * np.sqrt(var / n)


def interval_label(rule: str = ORGANIZERS, engine: str = "fast", interval: str = "bootstrap",
                   confidence: float = 0.95, n_resamples: int = 10_000) -> str:  # fmt: skip
    """Which interval a score table shows, in words (its ``interval`` column)."""
    conf = f"{confidence:.0%}"
    if interval == "clustered":
        return f"{conf} normal interval, task-clustered paired SE"
    if rule == GAIN_SHARE:
        return f"{conf} percentile bootstrap, {n_resamples:,} domain-stratified resamples (linear interpolation)"
    how = ("organizers' random stream, Python replay" if engine == "organizers"
           else "organizers' random stream, fast NumPy engine")  # fmt: skip
    return f"{conf} percentile bootstrap, {n_resamples:,} resamples of paired tasks ({how})"


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


def _reorder(values: np.ndarray, have: Sequence[str], want: Sequence[str], fill=np.nan) -> np.ndarray:
    """Columns of ``values`` (…, len(have), …last axis is domains) re-indexed to ``want`` on axis 1."""
    pos = {d: i for i, d in enumerate(have)}
    out = np.full(values.shape[:1] + (len(want),) + values.shape[2:], fill, dtype=float)
    for j, d in enumerate(want):
        if d in pos:
            out[:, j] = values[:, pos[d]]
    return out


def score_table(teams: Mapping[str, pd.DataFrame], reference: pd.DataFrame, *, metric: str = "pass",
                threshold: float = 1.0, n_resamples: int = 10_000, seed: int = 0, confidence: float = 0.95,
                weighting: str = "domain", cap: float | None = 0.2, alpha: float = 0.05,
                power: float = 0.8, rule: str = ORGANIZERS, engine: str = "fast",
                interval: str = "bootstrap") -> pd.DataFrame:  # fmt: skip
    """Tidy scores: one row per (team, domain) and per (team, ``overall``) with delta, ci_low,
    ci_high, n_tasks (paired), team_value and ref_value (levels on the paired tasks, weighted as
    the overall Δ is), mde, weight (the domain's weight in the overall Δ; 1 on the overall row) and
    interval (which interval the row shows, in words).  Tasks are the reference's; a task the team
    lacks is unpaired.  ``rule``, ``engine``, ``interval``: see the module docstring (``weighting``
    only applies to the gain-share rule).  Every team shares the same resampled suites, so the table
    is deterministic in seed."""
    if not teams:
        raise ValueError("no teams to score")
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, not {rule!r}")
    if engine not in ENGINES or interval not in INTERVALS:
        raise ValueError(f"engine must be one of {ENGINES} and interval one of {INTERVALS}")
    ref, doms = task_values({"reference": reference}, metric=metric, threshold=threshold)
    vals, _ = task_values(teams, metric=metric, threshold=threshold)
    vals = vals.reindex(index=ref.index, columns=list(teams))
    team_v = vals.to_numpy(float).T
    ref_v = np.broadcast_to(ref["reference"].to_numpy(float), team_v.shape)
    diff = team_v - ref_v
    labels = doms.tolist()
    order, cols = _domain_columns(labels)
    paired = ~np.isnan(diff)
    den = np.stack([paired[:, c].sum(1) for c in cols], 1)[..., None]
    if rule == GAIN_SHARE:
        bs = paired_bootstrap(diff, labels, n_resamples=n_resamples, seed=seed, confidence=confidence,
                              weighting=weighting, cap=cap)  # fmt: skip
        delta, ci, dom_delta, dom_ci = bs.delta, bs.ci, bs.domain_delta, bs.domain_ci
        share = den[..., 0] / den[..., 0].sum(1, keepdims=True) if weighting == "task" else \
            (den[..., 0] > 0) / (den[..., 0] > 0).sum(1, keepdims=True)  # fmt: skip
        weights = share
        mde, mde_dom = minimum_detectable_effect(diff, labels, alpha=alpha, power=power, weighting=weighting)
        levels = [_combine(np.stack([np.where(paired[:, c], v[:, c], 0.0).sum(1) for c in cols], 1)[..., None],
                           den, weighting, None) for v in (team_v, ref_v)]  # fmt: skip
        team_level, ref_level = levels[0][1][:, 0], levels[1][1][:, 0]
        team_dom, ref_dom = levels[0][0][..., 0], levels[1][0][..., 0]
    else:
        from arena import scoring

        fast = scoring.fast_bootstrap(np.where(paired, team_v, np.nan), ref_v, labels, cap=cap, n_boot=n_resamples,
                                      alpha=1 - confidence, seed=seed)  # fmt: skip
        delta, ci = fast.score, fast.ci
        dom_delta = _reorder(fast.domain_delta, fast.domains, order)
        dom_ci = _reorder(fast.domain_ci, fast.domains, order)
        weights = np.nan_to_num(_reorder(fast.weights, fast.domains, order))
        if engine == "organizers":
            for t in range(len(teams)):
                inst = scoring.instances_from_values(team_v[t], ref_v[t], labels, list(ref.index))
                ex = scoring.bootstrap_exact(inst, lambda xs: scoring.capped_score(xs, cap)["score"],
                                             n_boot=n_resamples, alpha=1 - confidence, seed=seed)  # fmt: skip
                delta[t], ci[t] = ex["point"], (ex["lo"], ex["hi"])
        mde, mde_dom = minimum_detectable_effect(diff, labels, alpha=alpha, power=power, weights=weights)
        means = [np.stack([np.where(paired[:, c], v[:, c], 0.0).sum(1) for c in cols], 1) / np.where(den[..., 0] > 0, den[..., 0], np.nan)
                 for v in (team_v, ref_v)]  # fmt: skip
        team_dom, ref_dom = means
        team_level, ref_level = (np.nansum(weights * m, 1) for m in means)
    if interval == "clustered":
        ci, dom_ci = _clustered_ci(teams, reference, metric, threshold, order, weights, confidence)

    def table(over, per):  # (T,) overall + (T, D) per-domain values -> one column, team-major
        return np.column_stack([over, per]).ravel()

    label = interval_label(rule, engine, interval, confidence, n_resamples)
    return pd.DataFrame({
        "team": np.repeat(list(teams), len(order) + 1), "domain": [OVERALL, *order] * len(teams),
        "delta": table(delta, dom_delta), "ci_low": table(ci[:, 0], dom_ci[..., 0]),
        "ci_high": table(ci[:, 1], dom_ci[..., 1]), "n_tasks": table(den[..., 0].sum(1), den[..., 0]),
        "team_value": table(team_level, team_dom), "ref_value": table(ref_level, ref_dom), "mde": table(mde, mde_dom),
        "weight": table(np.ones(len(teams)), weights), "interval": label,
    })  # fmt: skip


def _clustered_ci(teams, reference, metric, threshold, order, weights, confidence):
    """(overall (T, 2), per-domain (T, D, 2)) normal intervals from task-clustered SEs; the overall SE
    combines the domains' with the rule's weights (domains are independent clusters)."""
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    over, per = [], []
    for t, (name, trials) in enumerate(teams.items()):
        se = clustered_se(trials, reference, metric=metric, threshold=threshold).set_index("domain")
        se = se.reindex(order)
        d, s = se["delta"].to_numpy(float), se["se"].to_numpy(float)
        per.append(np.stack([d - z * s, d + z * s], -1))
        w = weights[t]
        tot = np.nansum(w * np.nan_to_num(d))
        tot_se = np.sqrt(np.nansum((w * s) ** 2))
        over.append((tot - z * tot_se, tot + z * tot_se))
    return np.array(over), np.array(per)


def tie_groups(ci_low, ci_high) -> np.ndarray:
    """Tie group (1 = best) of each interval: the connected components of the overlap graph
    (closed intervals; touching counts).  Transitive: A ~ B and B ~ C put A, B, C in one group even
    when A and C are separated.  Groups are disjoint stretches of the axis, numbered from the top.
    NaN intervals get group 0 (unranked)."""
    low, high = np.asarray(ci_low, float), np.asarray(ci_high, float)
    group = np.zeros(low.size, dtype=int)
    g, floor = 0, np.inf
    for i in sorted(np.flatnonzero(~np.isnan(low) & ~np.isnan(high)), key=lambda i: -high[i]):
        if high[i] < floor:  # entirely below everything seen so far: a new group starts
            g += 1
        floor = low[i] if high[i] < floor else min(floor, low[i])
        group[i] = g
    return group


def leaderboard(scores: pd.DataFrame) -> pd.DataFrame:
    """Teams ranked from a :func:`score_table`: team, delta, ci_low, ci_high, rank, tie_group,
    n_better, n_tasks, mde and ``delta_<domain>`` columns.

    Teams whose intervals overlap share a tie group (see :func:`tie_groups`) and a rank: rank is
    1 + the number of teams in better groups (1, 1, 1, 4, …), so no team is ranked above another
    on noise.  ``n_better`` is the non-transitive view: how many teams' intervals lie entirely
    above this team's.  Rows are sorted by tie group, then delta; teams without a score come last.
    """
    top = scores[scores["domain"] == OVERALL].set_index("team")
    wide = scores[scores["domain"] != OVERALL].pivot(index="team", columns="domain", values="delta")
    wide = wide[domain_order(wide.columns)].add_prefix("delta_")
    board = top[["delta", "ci_low", "ci_high", "n_tasks", "mde"]].copy()
    board["tie_group"] = tie_groups(board["ci_low"], board["ci_high"])
    sizes = board.loc[board["tie_group"] > 0].groupby("tie_group").size()
    better = sizes.cumsum() - sizes
    board["rank"] = [better[g] + 1 if g else pd.NA for g in board["tie_group"]]
    low, high = board["ci_low"].to_numpy(), board["ci_high"].to_numpy()
    board["n_better"] = (low[None, :] > high[:, None]).sum(1)
    board["_last"] = board["tie_group"] == 0
    board = board.join(wide).rename_axis("team").reset_index()
    board = board.sort_values(["_last", "tie_group", "delta", "team"], ascending=[True, True, False, True])
    board["rank"] = board["rank"].astype("Int64")
    first = ["team", "delta", "ci_low", "ci_high", "rank", "tie_group", "n_better", "n_tasks", "mde"]
    return board[first + list(wide.columns)].reset_index(drop=True)
