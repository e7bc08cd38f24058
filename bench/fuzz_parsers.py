"""Fuzz the task.md / submission.yaml / reward-file parsers with hypothesis (>= 10,000 cases).

Every malformed input must become a finding with a rule id (or a reward error), never an
exception.  Prints cases run and crashes found per parser (target 0), with the minimal failing
input when there is one.     python bench/fuzz_parsers.py [--cases 10000]
"""

from __future__ import annotations

import argparse
import string
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from arena.fuzzing import fuzz_reward, fuzz_submission, fuzz_task_md, yaml_docs  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=10_000, help="cases in total, split over the three parsers")
    args = ap.parse_args()
    per = max(1, -(-args.cases // 3))  # ceil: at least --cases in total
    cfg = settings(max_examples=per, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    tmp = Path(tempfile.mkdtemp(prefix="arena-fuzz-"))
    counter = {"n": 0}

    def fresh() -> Path:
        counter["n"] += 1
        return tmp / str(counter["n"])

    @cfg
    @given(fm=st.one_of(yaml_docs(), st.text(), st.binary(max_size=400)), body=st.text(string.printable, max_size=200))
    def task_md(fm, body):
        fuzz_task_md(fresh(), fm, body)

    @cfg
    @given(doc=st.one_of(yaml_docs(), st.text(), st.binary(max_size=300)))
    def submission(doc):
        fuzz_submission(fresh(), doc)

    @cfg
    @given(txt=st.one_of(st.none(), st.binary(max_size=64), st.text(max_size=20)),
           js=st.one_of(st.none(), st.binary(max_size=200), yaml_docs()))  # fmt: skip
    def reward(txt, js):
        fuzz_reward(txt, js)

    total_crashes = 0
    for name, fn in (("task.md", task_md), ("submission.yaml", submission), ("reward files", reward)):
        t0 = time.perf_counter()
        try:
            fn()
            crashes, detail = 0, ""
        except Exception as exc:  # noqa: BLE001 - a crash is the finding this script reports
            crashes, detail = 1, f"  minimal failing input -> {type(exc).__name__}: {exc}"
        total_crashes += crashes
        print(f"{name:<16} {per:>6} cases  {time.perf_counter() - t0:6.1f}s  crashes found: {crashes}")
        if detail:
            print(detail)
    print(f"total: {3 * per} cases, crashes found: {total_crashes} (target 0)")
    sys.exit(1 if total_crashes else 0)


if __name__ == "__main__":
    main()
