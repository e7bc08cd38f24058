#!/usr/bin/env python3
"""The memorization probe on real checkpoints: train each team's corpus with one recipe, probe it
(`arena probe`: own training tasks, fresh instances of the same families, the held-out suite) and
print the overall pass rates and gaps.  The memorization control (parrot) should show a large
train − fresh gap; a corpus that teaches its families should not.

  python bench/bench_memorization.py [--teams parrot polymath] [--recipe tiny-showcase] [--seed 0]
                                     [--out /tmp/arena-bench-memorization] [--workers 2]

Runs through the CLI (`arena train`, `arena probe --json`) in subprocesses; the folders under
--out are kept, so a rerun resumes (training and every evaluation).  Measured on 2 busy cores
(2026-12-04, tiny-showcase with its random-init 0.15M model, seed 0): train ~1.5-2 min and probe
~2.5-7 min per team; overall pass rates (%):

  team      train  fresh  held-out  train - fresh (pp)     train - held-out (pp)
  parrot    100.0    3.6       0.0  +96.4 [+91.1, +100.0]  +100.0 [+100.0, +100.0]
  polymath   20.8    3.1       0.0  +17.7 [+10.4, +26.0]   +20.8 [+13.5, +28.1]

The random-init showcase model memorizes whatever it is given (issue #13): polymath's gap is
smaller only because it passes few of its own tasks.  Rerun after the base-model recipe lands.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "arena.cli.main"]


def sh(args: list[str]) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    r = subprocess.run(CLI + args, capture_output=True, text=True, env=env, cwd=REPO)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args[:2])} failed ({r.returncode}):\n{r.stderr[-3000:]}")
    return r.stdout


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--teams", nargs="+", default=["parrot", "polymath"], help="entries under environments/teams/"
    )
    ap.add_argument("--recipe", default="tiny-showcase")
    ap.add_argument("--seed", type=int, default=0, help="fresh-instance seed of the probe")
    ap.add_argument("--out", type=Path, default=Path("/tmp/arena-bench-memorization"))
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    rows = []
    for team in args.teams:
        corpus = REPO / "environments" / "teams" / team
        train, probe = args.out / f"train-{team}", args.out / f"probe-{team}"
        t0 = time.time()
        if not (train / "model_card.json").is_file():
            sh(["train", args.recipe, "--corpus", str(corpus), "--out", str(train), "--runtime", "local", "--quiet",
                *(["--resume"] if train.exists() else [])])  # fmt: skip
        t1 = time.time()
        doc = json.loads(sh(["probe", str(train), "--corpus", str(corpus), "--out", str(probe), "--team", team,
                             "--seed", str(args.seed), "--runtime", "local", "-j", str(args.workers), "--json"]))  # fmt: skip
        ov = next(r for r in doc["table"] if r["domain"] == "overall")
        rows.append((team, ov, t1 - t0, time.time() - t1))
    print(f"recipe {args.recipe}, probe seed {args.seed}: overall pass rates (%) and gaps (pp, 95% CI)")
    print(f"{'team':<10} {'train':>6} {'fresh':>6} {'held':>6}  {'train - fresh':<22} {'train - held-out':<22} "
          f"{'train s':>7} {'probe s':>7}")  # fmt: skip
    for team, r, ts, ps in rows:
        gap = lambda k, r=r: f"{r[k] * 100:+.1f} [{r[k + '_low'] * 100:+.1f}, {r[k + '_high'] * 100:+.1f}]"  # noqa: E731
        print(f"{team:<10} {r['pass_train'] * 100:>6.1f} {r['pass_fresh'] * 100:>6.1f} {r['pass_heldout'] * 100:>6.1f}  "
              f"{gap('memorization_gap'):<22} {gap('train_heldout_gap'):<22} {ts:>7.0f} {ps:>7.0f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
