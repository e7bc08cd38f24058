"""Scorer for regression-bisect-snapshots (stdlib only).

Re-runs the HEAD test suite against every snapshot of the verifier's own pristine copy of the
history (verifier/data/, identical to the seed) -- in-process: each snapshot is executed into a
fresh module object (the oracle runs one subprocess per commit instead) -- then grades
/root/bisect_report.json check by check and writes the reward contract: reward.txt (weighted
share of checks passed), reward.json (reward, checks, details) and a CTRF report of the same
checks.  test_outputs.py exposes the same checks to pytest.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
import types
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
OUTPUT = "bisect_report.json"
ENTRY_KEYS = ("test", "status", "last_good", "first_bad", "first_bad_author", "first_bad_message", "skipped")
REGRESSED = ("test_parse_duration_hours", "test_truncate_adds_ellipsis")

WEIGHTS = {
    "output_is_json_object": 1,
    "schema": 2,
    "head_and_untestable_commits": 2,
    "failing_test_set": 3,
    "never_passed_test": 2,
    **{f"culprit_{name}": 4 for name in REGRESSED},
}


# ---------------------------------------------------------------------------- the truth
def run_suite(module_src: str, tests_src: str) -> dict[str, bool] | None:
    """test name -> passed, or None when the module cannot be imported."""
    module = types.ModuleType("textkit")
    try:
        exec(compile(module_src, "textkit.py", "exec"), module.__dict__)
    except Exception:
        return None
    saved = sys.modules.get("textkit")
    sys.modules["textkit"] = module
    try:
        ns: dict = {"__name__": "test_textkit"}
        exec(compile(tests_src, "test_textkit.py", "exec"), ns)
        results = {}
        for name, fn in list(ns.items()):
            if name.startswith("test_") and callable(fn):
                try:
                    fn()
                    results[name] = True
                except Exception:
                    results[name] = False
        return results
    finally:
        if saved is None:
            sys.modules.pop("textkit", None)
        else:
            sys.modules["textkit"] = saved


def truth(data: Path = DATA) -> dict:
    commits = json.loads((data / "log.json").read_text())["commits"]
    tests_src = (data / "tests" / "test_textkit.py").read_text()
    runs = [run_suite((data / "snapshots" / c["sha"] / "textkit.py").read_text(), tests_src) for c in commits]
    untestable = [c["sha"] for c, r in zip(commits, runs) if r is None]
    head = runs[-1]
    entries = []
    for name in sorted(t for t, ok in head.items() if not ok):
        good = [i for i, r in enumerate(runs) if r is not None and r[name]]
        if not good:
            entries.append({"test": name, "status": "never_passed", "last_good": None, "first_bad": None,
                            "first_bad_author": None, "first_bad_message": None, "skipped": []})  # fmt: skip
            continue
        g = good[-1]
        b = next(i for i in range(g + 1, len(runs)) if runs[i] is not None and not runs[i][name])
        entries.append({
            "test": name, "status": "regressed", "last_good": commits[g]["sha"], "first_bad": commits[b]["sha"],
            "first_bad_author": commits[b]["author"], "first_bad_message": commits[b]["message"],
            "skipped": [commits[i]["sha"] for i in range(g + 1, b) if runs[i] is None],
        })  # fmt: skip
    return {"head": commits[-1]["sha"], "untestable_commits": untestable, "failing_tests": entries}


# ---------------------------------------------------------------------------- the checks
def check_schema(doc, t):
    if not isinstance(doc["head"], str) or not isinstance(doc["untestable_commits"], list):
        return False, "head must be a string and untestable_commits a list"
    ft = doc["failing_tests"]
    if not isinstance(ft, list) or not ft:
        return False, "failing_tests must be a non-empty list"
    for e in ft:
        if set(e) != set(ENTRY_KEYS):
            return False, f"each failing test needs exactly the keys {ENTRY_KEYS}"
        if e["status"] not in ("regressed", "never_passed") or not isinstance(e["skipped"], list):
            return False, "status must be regressed|never_passed and skipped a list"
    return True, "all keys present with the right types"


def _entry(doc, name):
    return next((e for e in doc["failing_tests"] if e["test"] == name), None)


def check_head(doc, t):
    ok = doc["head"] == t["head"] and doc["untestable_commits"] == t["untestable_commits"]
    return (
        ok,
        f"got {doc['head']}/{doc['untestable_commits']}; expected {t['head']}/{t['untestable_commits']}",
    )


def check_set(doc, t):
    got = [e["test"] for e in doc["failing_tests"]]
    want = [e["test"] for e in t["failing_tests"]]
    return got == want, f"got {got}; expected {want} (sorted)"


def check_never(doc, t):
    want = [e for e in t["failing_tests"] if e["status"] == "never_passed"]
    bad = [e["test"] for e in want if _entry(doc, e["test"]) != e]
    return not bad, f"wrong entries for {bad}" if bad else "never-passed test reported with nulls"


def check_culprit(name):
    def fn(doc, t):
        want = next(e for e in t["failing_tests"] if e["test"] == name)
        got = _entry(doc, name)
        return got == want, f"got {got}; expected {want}"

    return fn


CHECKS = {
    "schema": check_schema,
    "head_and_untestable_commits": check_head,
    "failing_test_set": check_set,
    "never_passed_test": check_never,
    **{f"culprit_{name}": check_culprit(name) for name in REGRESSED},
}


# ---------------------------------------------------------------------------- harness (same in every example)
def num(x) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise TypeError(f"expected a finite JSON number, got {x!r}")
    return float(x)


def close(got, want: float, tol: float, what: str) -> tuple[bool, str]:
    g = num(got)
    return abs(g - want) <= tol, f"{what}: got {g!r}, expected {want:.5f} ± {tol}"


def evaluate(workspace: Path) -> dict[str, tuple[bool, str]]:
    """name -> (passed, detail) for every check in WEIGHTS."""
    results = {
        name: (False, "not graded: the output file is missing or not a JSON object") for name in WEIGHTS
    }
    path = workspace / OUTPUT
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        results["output_is_json_object"] = (False, f"{path} does not exist")
        return results
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        results["output_is_json_object"] = (False, f"{path} is not valid JSON: {exc}")
        return results
    if not isinstance(doc, dict):
        results["output_is_json_object"] = (False, f"{path} holds a {type(doc).__name__}, not an object")
        return results
    results["output_is_json_object"] = (True, "valid JSON object")
    t = truth()
    for name, fn in CHECKS.items():
        try:
            ok, detail = fn(doc, t)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        results[name] = (bool(ok), detail)
    return results


def reward_of(results: dict[str, tuple[bool, str]]) -> float:
    return round(sum(WEIGHTS[n] for n, (ok, _) in results.items() if ok) / sum(WEIGHTS.values()), 4)


def main() -> int:
    t0 = time.time()
    workspace = Path(os.environ.get("BENCHFLOW_WORKSPACE", "/root"))
    results = evaluate(workspace)
    reward = reward_of(results)
    out_txt = Path(os.environ.get("BENCHFLOW_REWARD_TEXT", "/logs/verifier/reward.txt"))
    out_json = Path(os.environ.get("BENCHFLOW_REWARD_JSON", "/logs/verifier/reward.json"))
    out_ctrf = Path(os.environ.get("BENCHFLOW_REWARD_DETAILS_JSON", "/logs/verifier/ctrf.json"))
    for p in (out_txt, out_json, out_ctrf):
        p.parent.mkdir(parents=True, exist_ok=True)
    out_txt.write_text(f"{reward}\n")
    passed = sum(ok for ok, _ in results.values())
    out_json.write_text(
        json.dumps(
            {
                "reward": reward,
                "checks": {n: ok for n, (ok, _) in results.items()},
                "weights": WEIGHTS,
                "details": {n: d for n, (ok, d) in results.items() if not ok},
                "n_checks": len(results),
                "n_passed": passed,
            },
            indent=1,
        )
    )
    tests = [
        {"name": n, "status": "passed" if ok else "failed", "duration": 0, "message": d}
        for n, (ok, d) in results.items()
    ]
    out_ctrf.write_text(
        json.dumps(
            {
                "results": {
                    "tool": {"name": "grade.py"},
                    "summary": {
                        "tests": len(tests),
                        "passed": passed,
                        "failed": len(tests) - passed,
                        "pending": 0,
                        "skipped": 0,
                        "other": 0,
                        "start": int(t0 * 1000),
                        "stop": int(time.time() * 1000),
                    },
                    "tests": tests,
                }
            },
            indent=1,
        )
    )
    for n, (ok, d) in results.items():
        print(f"{'PASS' if ok else 'FAIL'} {n} (w={WEIGHTS[n]}): {d}")
    print(f"reward = {reward}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
