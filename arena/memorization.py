"""The memorization probe: does a checkpoint pass its own training tasks, new instances of the same
families, and the held-out suite alike — or only the tasks it was trained on?

For every trained checkpoint (a *group*: a team, a run) three sets of evaluation trials:

  train    its own training tasks (the packages of the corpus it was post-trained on)
  fresh    fresh instances of the same families, drawn with the training split's templates and
           entity pools but new seeds (what the corpus could have held; not trained on)
  heldout  the held-out suite (other entity-pool half, paraphrased questions, reserved families)

``memorization_table`` gives, per group and per domain (plus an ``overall`` row per group), the
pass rate on each set and three gaps with percentile bootstrap CIs:

  memorization_gap     train − fresh      passing what it saw, not what it could have seen
  generalization_gap   fresh − heldout    the cost of new wording / entities / families
  train_heldout_gap    train − heldout    the two together (the organizers' probe)

Counting follows ``arena.stats``: a trial counts when its reward is present and its status (when
the column exists) is not an infrastructure / verifier error; it passes when ``reward >=
threshold`` (1.0 by default); a task scores its pass rate over its counted samples, and a set's
pass rate is the mean over its tasks (every task weighs the same; the ``overall`` row pools the
group's domains task-weighted, because the three sets need not cover the same domains).

The CI: the three sets hold different tasks, so there is no pairing; each bootstrap replicate
resamples tasks with replacement within each set independently (inside each domain for the
overall row, so its domain mix stays fixed), and the gap's interval is the percentile interval of
the replicate differences.  Seeded: the same rows and seed give the same table.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from arena.stats import EXCLUDED_STATUSES, OVERALL, percentile_interval

SPLITS = ("train", "fresh", "heldout")
GAPS = {"memorization_gap": ("train", "fresh"), "generalization_gap": ("fresh", "heldout"),
        "train_heldout_gap": ("train", "heldout")}  # fmt: skip


def probe_rows(*, train: pd.DataFrame | None = None, fresh: pd.DataFrame | None = None,
               heldout: pd.DataFrame | None = None) -> pd.DataFrame:  # fmt: skip
    """One frame of the three row sets with a ``split`` column (any of them may be missing)."""
    parts = [df.assign(split=name) for name, df in (("train", train), ("fresh", fresh), ("heldout", heldout))
             if df is not None and len(df)]  # fmt: skip
    if not parts:
        raise ValueError("no rows: pass at least one of train=, fresh=, heldout=")
    return pd.concat(parts, ignore_index=True)


def label_splits(rows: pd.DataFrame, *, train_ids: Iterable[str], heldout_ids: Iterable[str]) -> pd.DataFrame:
    """``rows`` with a ``split`` column: ``train`` for a training task id, ``heldout`` for a
    held-out one, ``fresh`` otherwise (an id in both sets is an error: the suite leaked)."""
    train_ids, heldout_ids = set(train_ids), set(heldout_ids)
    both = train_ids & heldout_ids
    if both:
        raise ValueError(
            f"{len(both)} task ids are both training and held-out tasks, e.g. {sorted(both)[:3]}"
        )
    ids = rows["task_id"]
    split = np.where(ids.isin(train_ids), "train", np.where(ids.isin(heldout_ids), "heldout", "fresh"))
    return rows.assign(split=split)


def task_scores(rows: pd.DataFrame, *, group: str = "team", threshold: float = 1.0) -> pd.DataFrame:
    """One row per (group, split, domain, task_id): n counted samples, c passes, pass_rate = c/n."""
    missing = {group, "split", "domain", "task_id", "reward"} - set(rows.columns)
    if missing:
        raise ValueError(f"rows lack column(s) {sorted(missing)} (group column: {group!r})")
    bad = set(rows["split"].dropna()) - set(SPLITS)
    if bad:
        raise ValueError(f"unknown split value(s) {sorted(bad)}; use {', '.join(SPLITS)}")
    ok = rows["reward"].notna()
    if "status" in rows.columns:
        ok &= ~rows["status"].isin(EXCLUDED_STATUSES)
    t = rows[[group, "split", "domain", "task_id"]].assign(ok=ok, passed=ok & (rows["reward"] >= threshold))
    out = t.groupby([group, "split", "domain", "task_id"], sort=True).agg(
        n=("ok", "sum"), c=("passed", "sum")
    )
    out = out[out["n"] > 0].reset_index()
    out["pass_rate"] = out["c"] / out["n"]
    return out


def _boot_means(values_by_domain: list[np.ndarray], rng: np.random.Generator, b: int) -> np.ndarray:
    """Task-weighted mean of each replicate, tasks resampled within each domain."""
    total = sum(v.size for v in values_by_domain)
    acc = np.zeros(b)
    for v in values_by_domain:
        draws = v[rng.integers(0, v.size, size=(b, v.size))]
        acc += draws.sum(axis=1)
    return acc / total


def memorization_table(rows: pd.DataFrame | None = None, *, train: pd.DataFrame | None = None,
                       fresh: pd.DataFrame | None = None, heldout: pd.DataFrame | None = None,
                       group: str = "team", threshold: float = 1.0, n_resamples: int = 2000, seed: int = 0,
                       confidence: float = 0.95) -> pd.DataFrame:  # fmt: skip
    """Pass rates on train / fresh / held-out and the gaps with bootstrap CIs, per group and domain.

    ``rows``: trials with ``group`` (default ``team``; e.g. ``run``), ``domain``, ``task_id``,
    ``reward``, ``split`` (train | fresh | heldout) and optionally ``status``; or pass the three
    sets as ``train=``, ``fresh=``, ``heldout=``.  Columns: group, domain (a domain or
    ``overall``), n_<split> (tasks), pass_<split>, and per gap <gap>, <gap>_low, <gap>_high
    (NaN when a set is empty).  Sorted by group, then domain with ``overall`` last."""
    if rows is None:
        rows = probe_rows(train=train, fresh=fresh, heldout=heldout)
    elif any(x is not None for x in (train, fresh, heldout)):
        raise ValueError("pass either rows= or the train= / fresh= / heldout= sets, not both")
    scores = task_scores(rows, group=group, threshold=threshold)
    out = []
    for gi, (g, gdf) in enumerate(scores.groupby(group, sort=True)):
        domains = sorted(gdf["domain"].unique())
        for di, dom in enumerate(domains + [OVERALL]):
            cell = gdf if dom == OVERALL else gdf[gdf["domain"] == dom]
            rng = np.random.default_rng([seed, gi, di])
            rec: dict = {group: g, "domain": dom}
            reps = {}
            for split in SPLITS:
                part = cell[cell["split"] == split]
                rec[f"n_{split}"] = int(len(part))
                rec[f"pass_{split}"] = float(part["pass_rate"].mean()) if len(part) else np.nan
                by_dom = [d["pass_rate"].to_numpy(float) for _, d in part.groupby("domain", sort=True)]
                reps[split] = _boot_means(by_dom, rng, n_resamples) if len(part) else None
            for gap, (a, b) in GAPS.items():
                rec[gap] = rec[f"pass_{a}"] - rec[f"pass_{b}"]
                if reps[a] is None or reps[b] is None:
                    rec[f"{gap}_low"] = rec[f"{gap}_high"] = np.nan
                else:
                    lo, hi = percentile_interval(reps[a] - reps[b], confidence)
                    rec[f"{gap}_low"], rec[f"{gap}_high"] = float(lo), float(hi)
            out.append(rec)
    cols = [group, "domain"] + [f"n_{s}" for s in SPLITS] + [f"pass_{s}" for s in SPLITS]
    cols += [c for gap in GAPS for c in (gap, f"{gap}_low", f"{gap}_high")]
    return pd.DataFrame(out, columns=cols)


#: a train − held-out gap this large (overall, CI above 0) with a held-out Δ whose CI covers 0 is
#: flagged: the issue's bar for the memorizing demo team (its own tasks 30+ points above held-out)
FLAG_GAP = 0.30


def _pts(x: float) -> str:
    return "n/a" if not np.isfinite(x) else f"{x * 100:+.1f}"


def _pct(x: float) -> str:
    return "n/a" if not np.isfinite(x) else f"{x:.0%}"


def memorization_flags(table: pd.DataFrame, scores: pd.DataFrame, *, gap: float = FLAG_GAP,
                       group: str = "team") -> pd.DataFrame:  # fmt: skip
    """Teams that pass their own training tasks far more than the held-out suite without a held-out
    gain: overall train_heldout_gap ≥ ``gap`` with its CI above 0, and the team's overall Δ
    (``scores``, an :func:`arena.stats.score_table`) with a CI covering 0.  Columns: team, kind
    (``memorization``), count (1), detail (the numbers).  Teams not in ``scores`` are not flagged
    (their held-out Δ is unknown)."""
    need = {group, "domain", "train_heldout_gap", "train_heldout_gap_low"}
    if not need <= set(table.columns):
        raise ValueError(
            f"table must be a memorization_table; missing columns {sorted(need - set(table.columns))}"
        )
    overall = scores[scores["domain"] == OVERALL].set_index("team")
    rows = []
    for r in table[table["domain"] == OVERALL].to_dict("records"):
        team = r[group]
        if team not in overall.index or not np.isfinite(r["train_heldout_gap"]):
            continue
        d = overall.loc[team]
        if not (
            r["train_heldout_gap"] >= gap
            and r["train_heldout_gap_low"] > 0
            and d["ci_low"] <= 0 <= d["ci_high"]
        ):
            continue
        detail = (f"train {_pct(r['pass_train'])}, fresh {_pct(r['pass_fresh'])}, held-out {_pct(r['pass_heldout'])} pass rate; "
                  f"train − held-out {_pts(r['train_heldout_gap'])} pp [{_pts(r['train_heldout_gap_low'])}, "
                  f"{_pts(r['train_heldout_gap_high'])}], train − fresh {_pts(r['memorization_gap'])} pp; held-out Δ "
                  f"{_pts(d['delta'])} pp [{_pts(d['ci_low'])}, {_pts(d['ci_high'])}]")  # fmt: skip
        rows.append({"team": team, "kind": "memorization", "count": 1, "detail": detail})
    return pd.DataFrame(rows, columns=["team", "kind", "count", "detail"])
