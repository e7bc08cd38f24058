"""Benchmark: `arena check` over 1,000 generated packages.

Prints the wall time of (a) the full `arena check DIR` command (process start included),
(b) the in-process check, and (c) a baseline measured in the same run: a naive untyped scan
that only reads each task.md and looks for the top-level key names and required files (what a
structural key scan does).  Target: (a) <= 1.5 s on 2 cores.

    python bench/bench_check.py [--n 1000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import write_task  # noqa: E402


def naive_scan(root: Path) -> int:
    bad = 0
    for d in sorted(root.iterdir()):
        text = (d / "task.md").read_text(encoding="utf-8")
        head = text.split("---", 2)[1] if text.startswith("---") else ""
        keys = {ln.split(":", 1)[0] for ln in head.splitlines() if ln and not ln[0].isspace() and ":" in ln}
        need = {"version", "metadata", "agent", "verifier", "environment"}
        files = ("environment/Dockerfile", "verifier/test.sh", "oracle/solve.sh")
        bad += bool(need - keys) or not all((d / f).exists() for f in files)
    return bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "corpus"
        t0 = time.perf_counter()
        for i in range(args.n):
            write_task(root / f"t{i:05d}", prompt=f"Task {i}: add the numbers in /root/numbers.txt.")
        print(f"generated {args.n} packages in {time.perf_counter() - t0:.2f}s")
        from arena.corpus import check_paths

        def best(fn):
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t)
            return min(times)

        naive = best(lambda: naive_scan(root))
        inproc = best(lambda: check_paths([str(root)]))
        cmd = [sys.executable, "-m", "arena.cli.main", "check", str(root), "--quiet"]
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
        cli = best(lambda: subprocess.run(cmd, check=True, capture_output=True, env=env))
        startup = best(lambda: subprocess.run([sys.executable, "-m", "arena.cli.main", "--version"],
                                              check=True, capture_output=True, env=env))  # fmt: skip
        rep = check_paths([str(root)])
        assert rep.summary()["errors"] == 0, rep.summary()
        print(f"naive untyped key scan (baseline): {naive:.3f}s")
        print(f"arena check, in process          : {inproc:.3f}s  ({inproc / naive:.1f}x baseline)")
        print(f"arena check, whole command       : {cli:.3f}s  ({cli / naive:.1f}x baseline; target <= 1.5s)")
        print(f"  of which process start         : {startup:.3f}s")
        print(f"per package                      : {1000 * inproc / args.n:.2f} ms")


if __name__ == "__main__":
    main()
