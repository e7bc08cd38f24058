"""Benchmark: `arena showcase` wall time per stage (target: <= 10 minutes on 2 cores, --quick < ~2 min).

Runs the showcase into a fresh folder (a temp dir unless --out) and prints, per stage, the busy
time (summed over its jobs) and its window (first start to last end: validation and the
evaluations run on a background thread while models train, so windows overlap), the wall time,
the CPU time used (this process, its sandboxes and notebook kernels: independent of other load),
the machine's load average before and after (other processes on the same cores slow every stage
down: compare runs made on a quiet machine) and the acceptance checks.

  python bench/bench_showcase.py                 # the default run (~10 min)
  python bench/bench_showcase.py --quick         # the test-sized run
  python bench/bench_showcase.py --out runs/showcase --figures figures   # and keep the results
  python bench/bench_showcase.py --json          # showcase.json's timing part as JSON
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="the test-sized showcase")
    ap.add_argument("--out", help="results folder (default: a temp dir, removed afterwards)")
    ap.add_argument("--figures", help="copy the figures here (default: nowhere)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-notebooks", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    t_import = time.perf_counter()
    from arena.showcase import run_showcase

    import_sec = time.perf_counter() - t_import
    with tempfile.TemporaryDirectory(prefix="bench-showcase-") as tmp:
        out = Path(args.out) if args.out else Path(tmp) / "showcase"
        t0 = time.perf_counter()
        doc = run_showcase(out, figures=args.figures, seed=args.seed, quick=args.quick, progress=not args.json,
                           notebooks=not args.no_notebooks)  # fmt: skip
        total = time.perf_counter() - t0
    timing = {"mode": doc["config"]["plan"]["mode"], "cpus": os.cpu_count(), "wall_sec": doc["wall_sec"],
              "process_sec": round(total + import_sec, 1), "import_sec": round(import_sec, 1), "cpu_sec": doc.get("cpu_sec"),
              "stage_times": doc["stage_times"], "loadavg": doc["loadavg"],
              "acceptance": {k: v["holds"] for k, v in doc["acceptance"].items() if isinstance(v, dict)}}  # fmt: skip
    if args.json:
        json.dump(timing, sys.stdout, indent=1)
        print()
        return 0
    print(f"arena showcase ({timing['mode']}, {timing['cpus']} cpus): {doc['wall_sec']:.1f}s wall "
          f"(+{import_sec:.1f}s importing arena), load average {doc['loadavg']['start']} -> {doc['loadavg']['end']}")  # fmt: skip
    print(f"CPU time {doc.get('cpu_sec')}s (this process + sandboxes + kernels; wall on {timing['cpus']} idle cores "
          f">= CPU time / {timing['cpus']})")  # fmt: skip
    print(f"{'stage':<24}{'busy s':>9}{'window s':>10}")
    for name, t in doc["stage_times"].items():
        window = f"{t['window_sec']:>10.1f}" if t["window_sec"] is not None else f"{'-':>10}"
        print(f"{name:<24}{t['busy_sec']:>9.1f}{window}")
    budget = doc["acceptance"]["wall_time"]["budget_sec"]
    print(f"target: <= {budget:.0f}s -> {'met' if doc['wall_sec'] <= budget else 'NOT met'}")
    for k, v in timing["acceptance"].items():
        print(f"  [{'x' if v else ' '}] {k}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
