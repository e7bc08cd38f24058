"""Scorer for checkpoint-early-stop-select (stdlib only).

Re-applies the selection policy to the verifier's own pristine copy of the run artefacts
(verifier/data/, identical to the seed, checkpoint files included), grades /root/selection.json
check by check, and writes the reward contract: reward.txt (weighted share of checks passed),
reward.json (reward, checks, details) and a CTRF report of the same checks.  test_outputs.py
exposes the same checks to pytest.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
OUTPUT = "selection.json"
MIN_DELTA, PATIENCE = 0.002, 4
REASONS = ("after_early_stop", "checksum_mismatch", "diverged", "missing_file", "no_eval")

WEIGHTS = {
    "output_is_json_object": 1,
    "schema": 2,
    "divergence_step": 2,
    "early_stop_step": 3,
    "early_stop_best_step": 1,
    "checkpoint_statuses": 4,
    "rejection_reasons": 3,
    "selected_checkpoint": 4,
}


# ---------------------------------------------------------------------------- the truth
def truth(data: Path = DATA) -> dict:
    train: dict[int, float] = {}
    for line in (data / "train_log.jsonl").read_text().splitlines():
        if line.strip():
            rec = json.loads(line)  # json accepts NaN / Infinity
            train[rec["step"]] = float(rec["loss"])
    divergence = min(s for s, v in train.items() if not math.isfinite(v))
    evals: dict[int, tuple[float, float]] = {}
    with open(data / "eval_log.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            evals[int(r["step"])] = (float(r["val_loss"]), float(r["val_accuracy"]))
    best, wait, best_step, stop = math.inf, 0, None, None
    for step in sorted(evals):
        loss = evals[step][0]
        if math.isfinite(loss) and loss < best - MIN_DELTA:
            best, wait, best_step = loss, 0, step
        else:
            wait += 1
            if wait == PATIENCE:
                stop = step
                break
    stop = stop if stop is not None else max(evals)
    manifest: dict[int, dict] = {}
    for c in json.loads((data / "checkpoints" / "manifest.json").read_text())["checkpoints"]:
        manifest[c["step"]] = c
    ckpts = {}
    for step, c in manifest.items():
        path = data / c["file"]
        reasons = []
        if not path.is_file():
            reasons.append("missing_file")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != c["sha256"]:
            reasons.append("checksum_mismatch")
        if step not in evals:
            reasons.append("no_eval")
        if step > stop:
            reasons.append("after_early_stop")
        if step >= divergence:
            reasons.append("diverged")
        ckpts[step] = sorted(reasons)
    ok = [s for s, r in ckpts.items() if not r]
    chosen = max(ok, key=lambda s: (evals[s][1], -evals[s][0], -s))
    return {
        "divergence_step": divergence,
        "early_stop_step": stop,
        "early_stop_best_step": best_step,
        "selected": {"step": chosen, "file": manifest[chosen]["file"], "val_loss": evals[chosen][0],
                     "val_accuracy": evals[chosen][1]},
        "checkpoints": [
            {"step": s, "status": "selected" if s == chosen else "eligible" if not ckpts[s] else "rejected",
             "reasons": ckpts[s]}
            for s in sorted(ckpts)
        ],
    }  # fmt: skip


# ---------------------------------------------------------------------------- the checks
def _int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def check_schema(doc, t):
    if not all(_int(doc[k]) for k in ("divergence_step", "early_stop_step", "early_stop_best_step")):
        return False, "the three steps must be integers"
    s = doc["selected"]
    if not (_int(s["step"]) and isinstance(s["file"], str)):
        return False, "selected needs an integer step and a file string"
    num(s["val_loss"]), num(s["val_accuracy"])
    cs = doc["checkpoints"]
    if not isinstance(cs, list) or not cs:
        return False, "checkpoints must be a non-empty list"
    for c in cs:
        if not (
            _int(c["step"])
            and c["status"] in ("selected", "eligible", "rejected")
            and isinstance(c["reasons"], list)
        ):
            return False, "each checkpoint needs an integer step, a valid status and a reasons list"
        if any(r not in REASONS for r in c["reasons"]):
            return False, f"unknown reason in {c['reasons']}; allowed {REASONS}"
    return True, "all keys present with the right types"


def _table(doc, key):
    return [(c["step"], c[key]) for c in doc["checkpoints"]]


def check_selected(doc, t):
    s, w = doc["selected"], t["selected"]
    ok = (s["step"], s["file"]) == (w["step"], w["file"]) and all(
        abs(num(s[k]) - w[k]) <= 1e-6 for k in ("val_loss", "val_accuracy")
    )
    return ok, f"got {s}; expected {w}"


def same(key):
    return lambda d, t: (d[key] == t[key], f"{key}: got {d[key]}; expected {t[key]}")


CHECKS = {
    "schema": check_schema,
    "divergence_step": same("divergence_step"),
    "early_stop_step": same("early_stop_step"),
    "early_stop_best_step": same("early_stop_best_step"),
    "checkpoint_statuses": lambda d, t: (
        _table(d, "status") == _table(t, "status"),
        f"got {_table(d, 'status')}; expected {_table(t, 'status')}",
    ),
    "rejection_reasons": lambda d, t: (
        _table(d, "reasons") == _table(t, "reasons"),
        f"got {_table(d, 'reasons')}; expected {_table(t, 'reasons')}",
    ),
    "selected_checkpoint": check_selected,
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
