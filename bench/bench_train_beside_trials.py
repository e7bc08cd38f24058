"""Benchmark: torch training throughput beside sandbox trials, the showcase's situation.

The showcase trains on the main thread while its trials (validation ladder, evaluations,
learnability) run on a background thread at nice 10.  This measures a 2-thread (and a 1-thread)
torch matmul loop, the stand-in for a training step, alone and beside 4 threads that keep
launching bubblewrap sandboxes the way the local runtime does (new session, own namespaces,
priority passed on with ``arena.sandbox.limits.inherit_priority``), with torch's OpenMP threads
spinning while they wait (the default) or sleeping (OMP_WAIT_POLICY=PASSIVE, which
``arena.showcase.run_showcase`` sets).  Each configuration runs in a fresh process (OpenMP reads
the policy once, at start-up) for --seconds seconds; ratios are against "alone" in the same run.

    python bench/bench_train_beside_trials.py
    python bench/bench_train_beside_trials.py --seconds 5

Measured on 2 shared cores, 2026-11-29, three runs (load average 4-5; iterations/s, launches/s):
    2 threads spinning  alone 46.5 / 65.8 / 48.6   beside trials 16.5 / 24.6 / 18.9   105-127 launches/s
    2 threads passive   alone 41.8 / 37.9 / 39.7   beside trials 31.9 / 28.0 / 30.4   159-181 launches/s
    1 thread            alone 38.3 / 38.5 / 38.3   beside trials 30.4 / 27.9 / 25.8   177-201 launches/s
Passive waiting costs 10-40% alone and wins 1.1-1.9x beside trials, whose launches also run faster;
in the showcase training nearly always overlaps trials (whole run: 608 s spinning, 522 s passive).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CHILD = r"""
import os, subprocess, sys, threading, time
sys.path.insert(0, {repo!r})
import torch
from arena.sandbox.limits import inherit_priority

threads, load, seconds = {threads}, {load}, {seconds}
torch.set_num_threads(threads)
argv = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-pid", "--unshare-ipc",
        "--unshare-uts", "--unshare-cgroup-try", "--unshare-net", "true"]
stop, launches = threading.Event(), [0]

def trials():
    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    while not stop.is_set():
        p = subprocess.Popen(argv, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        inherit_priority(p.pid)
        p.wait()
        launches[0] += 1

workers = [threading.Thread(target=trials) for _ in range(4 if load else 0)]
for w in workers:
    w.start()
a = torch.randn(256, 256)
t0, n = time.perf_counter(), 0
while time.perf_counter() - t0 < seconds:
    for _ in range(50):
        a = torch.tanh(a @ a * 0.01)
    n += 1
took = time.perf_counter() - t0
stop.set()
for w in workers:
    w.join()
print(n / took, launches[0] / took)
"""


def measure(threads: int, policy: str | None, load: bool, seconds: float) -> tuple[float, float]:
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if policy:
        env["OMP_WAIT_POLICY"] = policy
    code = CHILD.format(repo=str(REPO), threads=threads, load=load, seconds=seconds)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    its, launches = map(float, out.stdout.split())
    return its, launches


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=10.0, help="length of each measurement (default 10)")
    a = p.parse_args(argv)
    if not shutil.which("bwrap"):
        print("bubblewrap (bwrap) is not installed: `apt-get install bubblewrap`", file=sys.stderr)
        return 2
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    for label, threads, policy in (("2 threads spinning", 2, None), ("2 threads passive", 2, "PASSIVE"),
                                   ("1 thread", 1, None)):  # fmt: skip
        alone, _ = measure(threads, policy, False, a.seconds)
        beside, launches = measure(threads, policy, True, a.seconds)
        print(f"{label:<20} alone {alone:6.1f} it/s   beside trials {beside:6.1f} it/s "
              f"({beside / alone:.2f}x)   {launches:5.0f} launches/s", flush=True)  # fmt: skip
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
