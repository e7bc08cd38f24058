"""Benchmark: trials/second with 1 and 2 workers (local pool), and the Docker image cache.

Runs oracle trials of N generated packages (one family per domain) on the local runtime with the
local pool at 1 and 2 workers (target >= 1.8x from 1 to 2 on 2 cores), then, when a Docker engine
answers, prepares every package twice on the docker runtime and prints the cache hit rate of
the second pass (target 100%) and the container start overhead.

    python bench/bench_executors.py [--n 24]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=24, help="packages (trials per configuration)")
    args = ap.parse_args()
    from arena import families
    from arena.agents.base import OracleAgent
    from arena.batch import TrialSpec, run_batch
    from arena.corpus import load_tasks
    from arena.sandbox import get_runtime

    with tempfile.TemporaryDirectory() as tmp:
        names = families.names()
        per = max(1, args.n // len(names) + 1)
        for name in names:
            families.generate(name, per, seed=3, out=Path(tmp) / "c")
        tasks = sorted(load_tasks([Path(tmp) / "c"])[0], key=lambda t: t.id)[: args.n]
        local = get_runtime("local")
        rates = {}
        for workers in (1, 2):
            specs = [TrialSpec(t, OracleAgent(), workers) for t in tasks]
            t0 = time.perf_counter()
            res = run_batch(specs, local, workers=workers, progress=False)
            dt = time.perf_counter() - t0
            assert all(r.reward == 1.0 for r in res), [r.reason for r in res if r.reward != 1.0][:3]
            rates[workers] = len(res) / dt
            print(f"local pool, {workers} worker(s): {rates[workers]:6.1f} trials/s ({len(res)} trials in {dt:.1f}s)")
        print(f"speed-up 1 -> 2 workers: {rates[2] / rates[1]:.2f}x (target >= 1.8x)")
        try:
            docker = get_runtime("docker")
            why = docker.unavailable_reason()
        except Exception as exc:  # noqa: BLE001 - reported, not fatal
            why = str(exc)
        if why:
            print(f"docker: skipped ({why.splitlines()[0]})")
            return
        for label in ("first pass", "second pass"):
            t0 = time.perf_counter()
            prepared = [docker.prepare(t) for t in tasks]
            hits = sum(p.cached for p in prepared)
            print(f"docker prepare, {label}: {hits}/{len(prepared)} cache hits ({100 * hits / len(prepared):.0f}%), "
                  f"{time.perf_counter() - t0:.1f}s")  # fmt: skip
        starts = []
        for t, p in list(zip(tasks, prepared))[:8]:
            t0 = time.perf_counter()
            sb = docker.start(t, p, trial_dir=Path(tmp) / "s")
            starts.append(time.perf_counter() - t0)
            sb.close()
        print(f"docker container start: {1000 * statistics.median(starts):.0f} ms (median of {len(starts)})")


if __name__ == "__main__":
    main()
