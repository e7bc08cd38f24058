"""Transfer: what training on one domain (or a subset, or one environment family) does to every
eval domain, with paired bootstrap CIs from :func:`arena.stats.paired_bootstrap`.

Inputs (every function here takes the same two):

``runs``: ``Mapping[str, DataFrame]`` — run name → the trials of that checkpoint on the held-out
suite (the same suite for every run; trials as in :mod:`arena.stats`, one agent per run).

``meta``: ``DataFrame`` with one row per run:

* ``run`` — the key into ``runs``;
* ``train_domains`` — the training corpus's domains: a list/tuple of ids or aliases, or a
  string ``"sciences+finance"`` / ``"sciences,finance"``; empty (None, ``""``, ``[]``) marks the
  untrained model, the default baseline;
* ``family`` (optional) — the environment family the corpus was generated from;
* ``start`` — ``"base"`` (or empty) when training started from the untrained model, otherwise
  the name of the run whose checkpoint it started from (a warm start);
* ``control`` (optional) — for a warm-start row, the run trained on the same corpus from the
  untrained model for the same number of steps; by default the unique ``start == "base"`` run
  with the same train_domains.

Every cell is Δ = (run − baseline) on one eval domain's tasks, paired per task, resampled within
that domain (10,000 resamples, seed 0, 95% percentile interval by default).  Runs that share a
label (seeds of one recipe) are averaged per task first (``n_runs`` says how many).  All cells
share one set of resampled suites, so joint summaries (diagonal vs off-diagonal) get CIs too.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from arena.domains import DOMAIN_IDS, get
from arena.stats import paired_bootstrap, percentile_interval, task_values

BASE = "base"


def train_set(value) -> tuple[str, ...]:
    """Canonical domain ids of a ``train_domains`` entry, in DOMAIN_IDS order (() = untrained)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ()
    parts = value.replace(",", "+").split("+") if isinstance(value, str) else list(value)
    ids = {get(p.strip()).id for p in parts if str(p).strip()}
    return tuple(d for d in DOMAIN_IDS if d in ids)


def _meta(meta: pd.DataFrame, runs: Mapping) -> pd.DataFrame:
    m = meta.copy().reset_index(drop=True)
    missing = set(m["run"]) - set(runs)
    if missing:
        raise ValueError(f"meta names runs with no trials: {sorted(missing)}")
    m["train"] = m["train_domains"].map(train_set)
    m["label"] = m["train"].map("+".join)
    start = m["start"] if "start" in m else pd.Series(BASE, index=m.index)
    m["start"] = start.fillna(BASE).replace("", BASE)
    return m


def _baseline(m: pd.DataFrame, baseline: str | None) -> str:
    if baseline is not None:
        return baseline
    untrained = m.loc[m["train"].map(len) == 0, "run"].tolist()
    if len(untrained) != 1:
        raise ValueError(f"need exactly one untrained run in meta (or baseline=), found {untrained}")
    return untrained[0]


def _cells(runs, rows, *, metric, threshold, **boot):
    """Bootstrap Δ per eval domain for ``rows`` = [(label, [runs], reference run)]: returns the
    :class:`arena.stats.Bootstrap` (one row per label) of the per-task mean of run − reference."""
    names = sorted({r for _, group, ref in rows for r in [*group, ref]})
    values, doms = task_values({r: runs[r] for r in names}, metric=metric, threshold=threshold)
    with warnings.catch_warnings():  # a task no run of a group has stays NaN (unpaired)
        warnings.simplefilter("ignore", RuntimeWarning)
        diff = np.stack([np.nanmean([(values[r] - values[ref]).to_numpy() for r in group], axis=0)
                         for _, group, ref in rows])  # fmt: skip
    return paired_bootstrap(diff, doms.tolist(), **boot)


def _tidy(bs, labels, key: str, value: str = "delta") -> pd.DataFrame:
    g, d = len(labels), len(bs.domains)
    return pd.DataFrame({key: np.repeat(labels, d), "eval_domain": list(bs.domains) * g,
                         value: bs.domain_delta.ravel(), "ci_low": bs.domain_ci[..., 0].ravel(),
                         "ci_high": bs.domain_ci[..., 1].ravel(), "n": bs.n.ravel()})  # fmt: skip


def _zero_shot(runs, meta, key, baseline, metric, threshold, boot):
    m = _meta(meta, runs)
    ref = _baseline(m, baseline)
    m = m[(m["start"] == BASE) & (m["run"] != ref) & (m["train"].map(len) > 0)]
    if key == "family":
        m = m[m["family"].notna()] if "family" in m else m.iloc[0:0]
    if m.empty:
        raise ValueError(f"no run trained from the base model to tabulate by {key}")
    groups = m.groupby(key if key == "family" else "label", sort=False)["run"].apply(list)
    if key == "label":
        order = {lab: tuple(DOMAIN_IDS.index(x) for x in t) for lab, t in zip(m["label"], m["train"])}
        groups = groups[sorted(groups.index, key=lambda lab: (len(order[lab]), order[lab]))]
    bs = _cells(runs, [(lab, grp, ref) for lab, grp in groups.items()], metric=metric, threshold=threshold, **boot)
    return bs, list(groups.index), groups.map(len).to_numpy()


def transfer_table(runs: Mapping[str, pd.DataFrame], meta: pd.DataFrame, *, baseline: str | None = None,
                   metric: str = "pass", threshold: float = 1.0, n_resamples: int = 10_000, seed: int = 0,
                   confidence: float = 0.95) -> pd.DataFrame:  # fmt: skip
    """Zero-shot transfer, tidy: train_domain (label, e.g. ``sciences`` or
    ``sciences+finance-economics``), eval_domain, delta, ci_low, ci_high, n (paired eval tasks),
    n_runs, diagonal (the eval domain is one of the training domains).  Runs trained from the base
    model only (warm starts are in :func:`warm_start_table`)."""
    boot = dict(n_resamples=n_resamples, seed=seed, confidence=confidence)
    bs, labels, n_runs = _zero_shot(runs, meta, "label", baseline, metric, threshold, boot)
    out = _tidy(bs, labels, "train_domain")
    out["n_runs"] = np.repeat(n_runs, len(bs.domains))
    out["diagonal"] = [e in lab.split("+") for lab, e in zip(out["train_domain"], out["eval_domain"])]
    return out


def transfer_pivot(table: pd.DataFrame, value: str = "delta") -> pd.DataFrame:
    """A tidy table as a matrix: rows = its first column (train_domain / family), columns =
    eval_domain, cells = ``value`` (delta, ci_low, ci_high, n…), in the table's order."""
    key = table.columns[0]
    piv = table.pivot(index=key, columns="eval_domain", values=value)
    return piv.loc[table[key].unique(), table["eval_domain"].unique()]


def transfer_summary(runs: Mapping[str, pd.DataFrame], meta: pd.DataFrame, *, baseline: str | None = None,
                     metric: str = "pass", threshold: float = 1.0, n_resamples: int = 10_000, seed: int = 0,
                     confidence: float = 0.95) -> pd.DataFrame:  # fmt: skip
    """Diagonal vs off-diagonal: the mean Δ over the cells where the eval domain was trained on
    (``diagonal``), over the others (``off_diagonal``) — plain means over cells, each (train, eval)
    cell counting once — and their difference (``gap``: how much of the gain is specific to the
    trained domain), with CIs from the same resamples as every cell
    (each replicate's cell means are averaged, so the cells' correlation is respected).
    Columns: kind, mean, ci_low, ci_high, n_cells."""
    boot = dict(n_resamples=n_resamples, seed=seed, confidence=confidence)
    bs, labels, _ = _zero_shot(runs, meta, "label", baseline, metric, threshold, boot)
    diag = np.array([[d in lab.split("+") for d in bs.domains] for lab in labels])
    rows = []
    parts = {}
    for kind, mask in (("diagonal", diag), ("off_diagonal", ~diag)):
        point = np.nanmean(np.where(mask, bs.domain_delta, np.nan)) if mask.any() else np.nan
        reps = np.nanmean(np.where(mask[..., None], bs.domain_replicates, np.nan), axis=(0, 1)) if mask.any() \
            else np.full(n_resamples, np.nan)  # fmt: skip
        parts[kind] = (point, reps, int(mask.sum()))
    parts["gap"] = (parts["diagonal"][0] - parts["off_diagonal"][0],
                    parts["diagonal"][1] - parts["off_diagonal"][1], int(diag.size))  # fmt: skip
    for kind, (point, reps, n) in parts.items():
        lo, hi = percentile_interval(reps, confidence)
        rows.append((kind, point, lo, hi, n))
    return pd.DataFrame(rows, columns=["kind", "mean", "ci_low", "ci_high", "n_cells"])


def family_table(runs: Mapping[str, pd.DataFrame], meta: pd.DataFrame, *, baseline: str | None = None,
                 metric: str = "pass", threshold: float = 1.0, n_resamples: int = 10_000, seed: int = 0,
                 confidence: float = 0.95) -> pd.DataFrame:  # fmt: skip
    """Per-environment-family lift, tidy: family, eval_domain, delta, ci_low, ci_high, n, n_runs —
    Δ on each eval domain of the runs trained (from base) on that family's environments."""
    boot = dict(n_resamples=n_resamples, seed=seed, confidence=confidence)
    bs, labels, n_runs = _zero_shot(runs, meta, "family", baseline, metric, threshold, boot)
    out = _tidy(bs, labels, "family")
    out["n_runs"] = np.repeat(n_runs, len(bs.domains))
    return out


def warm_start_table(runs: Mapping[str, pd.DataFrame], meta: pd.DataFrame, *, metric: str = "pass",
                     threshold: float = 1.0, n_resamples: int = 10_000, seed: int = 0,
                     confidence: float = 0.95) -> pd.DataFrame:  # fmt: skip
    """Warm-start gain, tidy: for each run fine-tuned on domain(s) E starting from the checkpoint
    of a run trained on T, the gain over its control (same corpus, same steps, from the untrained
    model) on each eval domain in E.  Columns: run, control, start_run, train_domain (T's label),
    eval_domain, gain, ci_low, ci_high, n.  A positive gain: training on T first helped E."""
    m = _meta(meta, runs)
    warm = m[m["start"] != BASE]
    if warm.empty:
        raise ValueError("no warm-start run in meta (start = another run's name)")
    rows = []
    for _, w in warm.iterrows():
        if w["start"] not in set(m["run"]):
            raise ValueError(f"run {w['run']!r} starts from {w['start']!r}, which is not in meta")
        control = w.get("control") if isinstance(w.get("control"), str) and w.get("control") else None
        if control is None:
            like = m["train"].map(lambda t, want=w["train"]: t == want)
            same = m.loc[like & (m["start"] == BASE) & (m["run"] != w["start"]), "run"].tolist()
            if len(same) != 1:
                raise ValueError(f"warm start {w['run']!r}: need one control run (from base on {w['label']}), "
                                 f"found {same}; name it in a 'control' column")  # fmt: skip
            control = same[0]
        rows.append((w["run"], [w["run"]], control, w["start"], w["train"]))
    bs = _cells(runs, [(r, g, c) for r, g, c, _, _ in rows], metric=metric, threshold=threshold,
                n_resamples=n_resamples, seed=seed, confidence=confidence)  # fmt: skip
    out = _tidy(bs, [r[0] for r in rows], "run", value="gain")
    src = m.set_index("run")["label"]
    info = {r: (c, s, src[s], set(t)) for r, _, c, s, t in rows}
    out = out[[e in info[r][3] for r, e in zip(out["run"], out["eval_domain"])]].copy()
    out.insert(1, "control", out["run"].map(lambda r: info[r][0]))
    out.insert(2, "start_run", out["run"].map(lambda r: info[r][1]))
    out.insert(3, "train_domain", out["run"].map(lambda r: info[r][2]))
    return out.reset_index(drop=True)
