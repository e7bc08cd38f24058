"""Benchmark: verdicts under load — the sandbox suites beside CPU/memory stress and host mount churn.

A verdict must not depend on how busy the machine is.  Each repetition starts, for its whole
duration:
  cpu/memory : ``stress-ng --cpu N --vm 1 --vm-bytes 25%`` (Debian's stress-ng; a Python busy loop
               per core when it is not installed);
  mount churn: a loop mounting and unmounting small tmpfs folders under /var/lib (what a Docker
               engine does while containers start and stop), root only;
then runs the suites that check verdicts (adversarial, escape, sabotage, crash/resume,
conformance; docker cases too when an engine answers) and counts every failed test as a
misclassified verdict.  The bar: 0 in 5 repetitions.

    python bench/bench_stress.py [--reps 5] [-k EXPR] [--suites tests/test_escape.py ...]

tests/test_stress.py runs one short repetition of the local cases in CI.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SUITES = ["tests/test_adversarial.py", "tests/test_escape.py", "tests/test_sabotage.py",
          "tests/test_crash_resume.py", "tests/test_sandbox_conformance.py"]  # fmt: skip
CHURN = r"""i=0
while :; do
  d=/var/lib/arena-churn-$((i % 4))
  mkdir -p "$d" && mount -t tmpfs -o size=1m arena-churn "$d" 2>/dev/null
  sleep 0.01
  umount "$d" 2>/dev/null; rmdir "$d" 2>/dev/null
  i=$((i + 1))
done"""


class Load:
    """CPU/memory stressors and the mount churn loop, stopped (and cleaned up) on exit."""

    def __init__(self, *, churn: bool = True):
        self.procs: list[subprocess.Popen] = []
        self.what: list[str] = []
        self.churn = churn and os.geteuid() == 0

    def __enter__(self) -> Load:
        n = os.cpu_count() or 2
        if shutil.which("stress-ng"):
            self.procs.append(subprocess.Popen(["stress-ng", "--cpu", str(n), "--vm", "1", "--vm-bytes", "25%", "--quiet"],
                                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
            self.what.append(f"stress-ng --cpu {n} --vm 1 --vm-bytes 25%")
        else:
            for _ in range(n):
                self.procs.append(subprocess.Popen([sys.executable, "-c", "while True: pass"]))
            self.what.append(f"{n} Python busy loops (stress-ng not installed)")
        if self.churn:
            self.procs.append(subprocess.Popen(["bash", "-c", CHURN], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            self.what.append("tmpfs mount churn under /var/lib")
        return self

    def __exit__(self, *exc) -> None:
        for p in self.procs:
            p.kill()
        for p in self.procs:
            p.wait()
        if self.churn:
            for i in range(4):
                d = f"/var/lib/arena-churn-{i}"
                subprocess.run(["umount", "-l", d], capture_output=True)
                try:
                    os.rmdir(d)
                except OSError:
                    pass


def run_once(suites: list[str], k: str | None, *, churn: bool = True) -> dict:
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-rf", *suites]
    if k:
        cmd += ["-k", k]
    t0 = time.perf_counter()
    with Load(churn=churn) as load:
        p = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    out = p.stdout + p.stderr
    counts = {m[1]: int(m[0]) for m in re.findall(r"(\d+) (passed|failed|skipped|errors?)", out.splitlines()[-1] if out else "")}
    failed = re.findall(r"^FAILED (\S+)", out, re.MULTILINE)
    return {"passed": counts.get("passed", 0), "failed": counts.get("failed", 0) + counts.get("error", 0)
            + counts.get("errors", 0), "skipped": counts.get("skipped", 0), "failures": failed,
            "wall_s": time.perf_counter() - t0, "load": load.what, "rc": p.returncode, "tail": out[-2000:]}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=5, help="repetitions (default 5: the bar is 0 failures in 5)")
    ap.add_argument("--suites", nargs="+", default=SUITES, help="test files to run under load")
    ap.add_argument("-k", default=None, help="pytest -k expression to narrow the cases")
    ap.add_argument("--no-churn", action="store_true", help="CPU/memory stress only")
    args = ap.parse_args(argv)
    total_bad = 0
    print(f"{'rep':>3}  {'passed':>6}  {'failed':>6}  {'skipped':>7}  {'wall':>7}")
    for rep in range(1, args.reps + 1):
        r = run_once(args.suites, args.k, churn=not args.no_churn)
        if rep == 1:
            print(f"     load: {'; '.join(r['load'])}")
        print(f"{rep:>3}  {r['passed']:>6}  {r['failed']:>6}  {r['skipped']:>7}  {r['wall_s']:>6.0f}s")
        for f in r["failures"]:
            print(f"       misclassified: {f}")
        if r["rc"] not in (0, 1) and not r["failures"]:
            print(r["tail"])
        total_bad += r["failed"]
    print(f"misclassified verdicts: {total_bad} in {args.reps} repetition(s) (bar: 0)")
    return 0 if total_bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
