"""The score table: every team's Δ over the reference per domain and overall, with its interval, the
paired levels, the minimum detectable effect and each domain's weight, under the organizers' rule
(:mod:`arena.scoring`) or the gain-share rule (see :mod:`arena.stats`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from arena.stats.bootstrap import _combine, _domain_columns, minimum_detectable_effect, paired_bootstrap
from arena.stats.clustered import _clustered_ci
from arena.stats.tables import OVERALL, task_values

ORGANIZERS, GAIN_SHARE = "organizers", "gain-share"
RULES = (ORGANIZERS, GAIN_SHARE)
ENGINES = ("fast", "organizers")
INTERVALS = ("bootstrap", "clustered")


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
