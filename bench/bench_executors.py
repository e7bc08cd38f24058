"""Benchmark: trials/second with 1 and 2 workers on the local pool and on Ray, and the Docker cache.

Runs oracle trials of N generated packages (one family per domain) on the local runtime with the
local pool at 1 and 2 workers (target >= 1.8x from 1 to 2 on 2 cores), then the same trials on a
local Ray cluster (bound to 127.0.0.1) at 1 and 2 workers, in the same run, and prints Ray's
overhead per trial: (Ray wall time - pool wall time) / trials at the same worker count (Ray's
start-up is timed apart and not counted; one untimed pool pass warms the caches first).  Then, when a Docker engine answers, prepares every
package twice on the docker runtime and prints the cache hit rate of the second pass (target
100%) and the container start overhead.  The load average is printed first and last: the
figures only mean something next to it on a shared machine.

    python bench/bench_executors.py [--n 24] [--no-ray]
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
    ap.add_argument("--no-ray", action="store_true", help="skip the Ray figures")
    args = ap.parse_args()
    print(f"load average at start: {_load()}")
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

        def timed(label: str, workers: int, executor=None) -> float:
            specs = [TrialSpec(t, OracleAgent(), workers) for t in tasks]
            t0 = time.perf_counter()
            res = run_batch(specs, local, workers=workers, executor=executor, progress=False)
            dt = time.perf_counter() - t0
            assert all(r.reward == 1.0 for r in res), [r.reason for r in res if r.reward != 1.0][:3]
            print(
                f"{label}, {workers} worker(s): {len(res) / dt:6.1f} trials/s ({len(res)} trials in {dt:.1f}s)"
            )
            return dt

        warm = [TrialSpec(t, OracleAgent(), 9) for t in tasks]
        run_batch(warm, local, workers=2, progress=False)  # untimed: file caches, imports
        pool = {w: timed("local pool", w) for w in (1, 2)}
        print(f"speed-up 1 -> 2 workers: {pool[1] / pool[2]:.2f}x (target >= 1.8x)")
        if not args.no_ray:
            _ray(timed, pool, len(tasks))
        print(f"load average after the trials: {_load()}")
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
            print(
                f"docker prepare, {label}: {hits}/{len(prepared)} cache hits ({100 * hits / len(prepared):.0f}%), "
                f"{time.perf_counter() - t0:.1f}s"
            )
        starts = []
        for t, p in list(zip(tasks, prepared))[:8]:
            t0 = time.perf_counter()
            sb = docker.start(t, p, trial_dir=Path(tmp) / "s")
            starts.append(time.perf_counter() - t0)
            sb.close()
        print(f"docker container start: {1000 * statistics.median(starts):.0f} ms (median of {len(starts)})")


def _load() -> str:
    import os

    return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" (1/5/15 min, {os.cpu_count()} cores)"


def _ray(timed, pool: dict[int, float], n: int) -> None:
    """The same trials on a local Ray cluster per worker count: throughput and overhead per trial."""
    try:
        import ray
    except ImportError:
        print("ray: skipped (pip install 'arena[ray]')")
        return
    from arena.executors import RayExecutor

    ray_dt = {}
    for workers in (1, 2):
        ex = RayExecutor(workers=workers)
        t0 = time.perf_counter()
        ex._init()
        ray.get(ray.remote(lambda: None).remote())  # a worker process is up
        print(
            f"ray start-up ({workers} worker(s), 127.0.0.1): {time.perf_counter() - t0:.1f}s (not counted below)"
        )
        try:
            ray_dt[workers] = timed("ray", workers, ex)
        finally:
            ex.shutdown()
        print(
            f"ray overhead per trial, {workers} worker(s): {1000 * (ray_dt[workers] - pool[workers]) / n:+.0f} ms "
            f"(ray {1000 * ray_dt[workers] / n:.0f} ms vs pool {1000 * pool[workers] / n:.0f} ms wall per trial)"
        )
    print(f"ray speed-up 1 -> 2 workers: {ray_dt[1] / ray_dt[2]:.2f}x")


if __name__ == "__main__":
    main()
