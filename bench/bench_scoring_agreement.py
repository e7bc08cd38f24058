"""Arena's scoring vs the organizers': point estimates and intervals on random paired sets and on a
results folder.

    python bench/bench_scoring_agreement.py [--organizers PATH/TO/scoring.py] [--results DIR]
                                            [--sets 30] [--resamples 10000]

Engines compared, per paired set (score = the organizers' capped score, Σ w_d·Δ_d):

* ``exact``  — arena.scoring.bootstrap_exact (their random stream, replayed);
* ``fast``   — arena.scoring.fast_bootstrap (NumPy, their resampling scheme, another stream);
* ``theirs`` — the organizers' published ``scripts/scoring.py`` ``score_team``, when ``--organizers``
  (or ``$ARENA_ORGANIZERS_SCORING``) names a copy of it: it is loaded from that path, never
  vendored.  Without it, ``exact`` stands in for theirs and the table says so.

Printed: max |Δ point|, max / mean |Δ lo|, |Δ hi| of fast vs the reference, exact vs theirs, and
the wall time per engine; then the same for every team of a results folder (``eval/<run>/``
against ``eval/baseline/``), where the gain-share rule's overall Δ is shown beside for contrast.
Acceptance for keeping ``fast`` as the default engine: every bound within ±0.005 of theirs.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from arena import scoring as S  # noqa: E402

TOLERANCE = 0.005


def load_theirs(path: str | None):
    if not path:
        return None
    spec = importlib.util.spec_from_file_location("organizers_scoring", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def random_sets(n_sets: int, seed: int = 0):
    """Paired sets of varied shape: 40–400 instances, 3–10 domains of unequal size, binary or
    partial rewards, lifts from none to large, sometimes concentrated in one domain."""
    rng = np.random.default_rng(seed)
    for k in range(n_sets):
        n = int(rng.integers(40, 400))
        n_dom = int(rng.integers(3, 11))
        weights = rng.dirichlet(np.full(n_dom, 0.7 if k % 3 == 0 else 5.0))
        doms = [f"d{i}" for i in rng.choice(n_dom, size=n, p=weights)]
        base = rng.uniform(0.05, 0.7, n)
        lift = rng.choice([0.0, 0.05, 0.15, 0.3])
        lifted = np.where(np.array(doms) == "d0", lift * 2, lift) if k % 4 == 0 else np.full(n, lift)
        if k % 5 == 4:  # partial-credit rewards
            ref, team = np.round(rng.beta(2, 3, n), 2), np.round(np.clip(rng.beta(2, 3, n) + lifted / 2, 0, 1), 2)
        else:
            ref = (rng.random(n) < base).astype(float)
            team = (rng.random(n) < np.clip(base + lifted, 0, 1)).astype(float)
        yield [S.Instance(f"i{j:04d}", d, float(r), float(t)) for j, (d, r, t) in enumerate(zip(doms, ref, team))]


def engines(inst, n_boot: int, theirs):
    team = np.array([[i.reward_team for i in inst]])
    ref = np.array([i.reward_ref for i in inst])
    out = {}
    t = time.perf_counter()
    ex = S.bootstrap_exact(inst, lambda xs: S.capped_score(xs)["score"], n_boot=n_boot)
    out["exact"] = (ex["point"], ex["lo"], ex["hi"], time.perf_counter() - t)
    t = time.perf_counter()
    f = S.fast_bootstrap(team, ref, [i.domain for i in inst], n_boot=n_boot)
    out["fast"] = (float(f.score[0]), float(f.ci[0, 0]), float(f.ci[0, 1]), time.perf_counter() - t)
    if theirs is not None:
        objs = [theirs.InstanceScore(i.instance_id, i.domain, i.reward_ref, i.reward_team) for i in inst]
        t = time.perf_counter()
        ci = theirs.bootstrap_ci(objs, lambda xs: theirs.capped_score(xs, 0.2)["score"], n_boot, 0.05, 0)
        out["theirs"] = (ci["point"], ci["lo"], ci["hi"], time.perf_counter() - t)
    return out


def summarize(rows, a: str, b: str) -> str:
    d = np.array([[abs(r[a][i] - r[b][i]) for i in range(3)] for r in rows])
    return (f"{a:>6} vs {b:<6}  max|Δpoint| {d[:, 0].max():.1e}   |Δlo| max {d[:, 1].max():.1e} mean {d[:, 1].mean():.1e}"
            f"   |Δhi| max {d[:, 2].max():.1e} mean {d[:, 2].mean():.1e}   within ±{TOLERANCE}: "
            f"{int(((d[:, 1] <= TOLERANCE) & (d[:, 2] <= TOLERANCE)).sum())}/{len(rows)}")  # fmt: skip


def results_folder(root: str, n_boot: int, theirs, ref_name: str = "baseline") -> None:
    from arena.analysis import Results
    from arena.stats import OVERALL, score_table, task_values

    R = Results(root, baseline=ref_name)
    cmp = R.comparison(R.teams)
    ref, doms = task_values({"reference": cmp.baseline.trials})
    vals, _ = task_values(cmp.team_trials)
    gs = score_table(cmp.team_trials, cmp.baseline.trials, rule="gain-share", n_resamples=n_boot)
    gs = gs[gs["domain"] == OVERALL].set_index("team")
    print(f"\nresults folder {root} ({len(ref)} tasks, baseline {ref_name}; score and 95% CI in pp):")
    print(f"{'team':<18} {'exact (their stream)':>24} {'fast':>24} {'theirs':>24}   gain-share (old rule)")
    for team in cmp.team_trials:
        inst = S.instances_from_values(vals[team].reindex(ref.index).tolist(), ref["reference"].tolist(),
                                       doms.tolist(), list(ref.index))  # fmt: skip
        e = engines(inst, n_boot, theirs)
        cell = lambda v: f"{v[0] * 100:+6.2f} [{v[1] * 100:+6.2f}, {v[2] * 100:+6.2f}]"  # noqa: E731
        g = gs.loc[team]
        print(f"{team:<18} {cell(e['exact']):>24} {cell(e['fast']):>24} {cell(e['theirs']) if 'theirs' in e else 'n/a':>24}"
              f"   {g['delta'] * 100:+6.2f} [{g['ci_low'] * 100:+6.2f}, {g['ci_high'] * 100:+6.2f}]")  # fmt: skip


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--organizers", default=os.environ.get("ARENA_ORGANIZERS_SCORING"),
                    help="path to the organizers' scripts/scoring.py (loaded, not copied)")  # fmt: skip
    ap.add_argument("--results", help="also compare on a results folder (eval/<run>/trials.parquet)")
    ap.add_argument("--sets", type=int, default=30)
    ap.add_argument("--resamples", type=int, default=10_000)
    args = ap.parse_args(argv)
    theirs = load_theirs(args.organizers)
    ref = "theirs" if theirs is not None else "exact"
    print(f"{args.sets} random paired sets, {args.resamples:,} resamples, cap 0.2, seed 0; reference: "
          + ("the organizers' scoring.py at " + args.organizers if theirs else
             "arena's replay of their stream (no --organizers given)"))  # fmt: skip
    rows = [engines(inst, args.resamples, theirs) for inst in random_sets(args.sets)]
    print(summarize(rows, "fast", ref))
    if theirs is not None:
        print(summarize(rows, "exact", "theirs"))
    times = {k: np.mean([r[k][3] for r in rows]) for k in rows[0]}
    print("mean wall time per set: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in times.items()))
    if args.results:
        results_folder(args.results, args.resamples, theirs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
