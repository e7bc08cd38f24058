"""Benchmark: per-trial overhead of the sandbox runtimes against running the same scripts bare.

For one small package (oracle + a Python verifier, like the procedural families), times:
  bare    : `bash oracle/solve.sh && bash verifier/test.sh` on the host, BENCHFLOW_* pointing at a
            temp folder (no isolation, no limits) — the baseline, measured in the same run;
  local   : a full arena trial on the bubblewrap runtime (seed files, 2 sandboxed commands,
            hardening, reward parsing, result row);
  docker  : the same on the docker runtime (image cached; container start + 2 execs), when a
            daemon answers.
Each runtime also runs the trial with the verifier in the agent's own machine, interleaved, to
price the verifier's fresh machine (arena.sandbox.carry): a new container / writable layer.
Target: local <= 1.2x bare.   python bench/bench_trial_overhead.py [--n 30]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import write_task  # noqa: E402


def bare_once(pkg: Path) -> float:
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        ws, logs = Path(tmp) / "root", Path(tmp) / "logs" / "verifier"
        ws.mkdir()
        logs.mkdir(parents=True)
        shutil.copy(pkg / "environment" / "numbers.txt", ws / "numbers.txt")
        env = {**os.environ, "BENCHFLOW_WORKSPACE": str(ws), "BENCHFLOW_VERIFIER_DIR": str(pkg / "verifier"),
               "BENCHFLOW_REWARD_TEXT": str(logs / "reward.txt"), "BENCHFLOW_REWARD_JSON": str(logs / "reward.json")}  # fmt: skip
        subprocess.run(["bash", str(pkg / "oracle" / "solve.sh")], env=env, check=True, capture_output=True)
        subprocess.run(["bash", str(pkg / "verifier" / "test.sh")], env=env, check=True, capture_output=True)
        assert float((logs / "reward.txt").read_text()) == 1.0
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=30)
    args = ap.parse_args()

    for label, test_sh in SCENARIOS.items():
        print(f"-- verifier: {label}")
        scenario(args.n, test_sh)


PYTEST_SH = """#!/bin/bash
V="${BENCHFLOW_VERIFIER_DIR:-/verifier}"
python3 -m pytest -q -p no:cacheprovider "$V/test_answer.py" > /dev/null
if [ $? -eq 0 ]; then R=1.0; else R=0.0; fi
mkdir -p "$(dirname "${BENCHFLOW_REWARD_TEXT:-/logs/verifier/reward.txt}")"
echo $R > "${BENCHFLOW_REWARD_TEXT:-/logs/verifier/reward.txt}"
"""
TEST_ANSWER = """import os, pathlib
def test_sum():
    ws = pathlib.Path(os.environ.get("BENCHFLOW_WORKSPACE", "/root"))
    assert (ws / "answer.txt").read_text().strip() == "12"
"""
SCENARIOS = {"python script (like the procedural families)": None, "pytest (like the organizers' shim)": PYTEST_SH}


def scenario(n: int, test_sh: str | None) -> None:
    from arena.agents.base import OracleAgent
    from arena.sandbox import get_runtime
    from arena.task import load_task
    from arena.trial import run_trial

    with tempfile.TemporaryDirectory() as tmp:
        pkg = write_task(Path(tmp) / "pkg", test_sh=test_sh)
        (pkg / "verifier" / "test_answer.py").write_text(TEST_ANSWER)
        task, _ = load_task(pkg)
        bare_once(pkg)  # warm the page cache
        bare = statistics.median(bare_once(pkg) for _ in range(n))
        print(f"bare scripts   : {1000 * bare:7.1f} ms/trial (baseline)")
        for name in ("local", "docker"):
            try:
                rt = get_runtime(name)
                why = rt.unavailable_reason()
            except Exception as exc:  # noqa: BLE001 - a missing runtime is reported, not fatal
                why = str(exc)
            if why:
                print(f"{name:<15}: skipped ({why.splitlines()[0]})")
                continue
            prepared = rt.prepare(task)
            in_place = _verifier_in_place(get_runtime(name))
            times, starts, handover, same = [], [], [], []
            for _ in range(n):  # interleaved: the verifier in a fresh machine (arena's way) / in the agent's
                t0 = time.perf_counter()
                r = run_trial(task, OracleAgent(), rt, prepared=prepared, log_dir=Path(tmp) / "logs")
                times.append(time.perf_counter() - t0)
                starts.append(r.setup_sec)
                handover.append(r.side_info["verifier_view"]["seconds"])
                assert r.reward == 1.0, (r.status, r.reason)
                t0 = time.perf_counter()
                r = run_trial(task, OracleAgent(), in_place, prepared=prepared, log_dir=Path(tmp) / "logs")
                same.append(time.perf_counter() - t0)
                assert r.reward == 1.0, (r.status, r.reason)
            med, med_same = statistics.median(times), statistics.median(same)
            print(f"{name:<15}: {1000 * med:7.1f} ms/trial = {med / bare:.2f}x bare "
                  f"(sandbox start {1000 * statistics.median(starts):.1f} ms; verifier's fresh machine "
                  f"{1000 * statistics.median(handover):.1f} ms; with the verifier in the agent's machine "
                  f"{1000 * med_same:.1f} ms/trial, so isolation costs {med / med_same:.2f}x)")  # fmt: skip


def _verifier_in_place(rt):
    """``rt`` whose sandboxes run the verifier in the agent's machine (harden(fresh=False)): the
    comparison point for the cost of the fresh verifier machine."""
    start = rt.start

    def start_in_place(*a, **kw):
        sb = start(*a, **kw)
        harden = sb.harden
        sb.harden = lambda fresh=True: harden(fresh=False)
        return sb

    rt.start = start_in_place
    return rt


if __name__ == "__main__":
    main()
