"""Scorer for meter-interval-reconcile (stdlib only).

Recomputes every expected value from the verifier's own pristine copy of the AMI export, outage
log and register sheet (verifier/data/, identical to the seed), grades /root/reconciliation.json
check by check, and writes the reward contract: reward.txt (weighted share of checks passed),
reward.json (reward, checks, details) and a CTRF report of the same checks.  test_outputs.py
exposes the same checks to pytest.

Independent of the oracle (pandas reindex + interpolate): here every interval is an integer
minute offset from the period start, and gaps are filled by walking to the received neighbours.
"""

from __future__ import annotations

import csv
import json
import math
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
OUTPUT = "reconciliation.json"
METERS = ("M-1107", "M-2210", "M-3342")
COUNT_KEYS = (
    "received_intervals",
    "duplicate_rows",
    "outage_intervals",
    "missing_outage_intervals",
    "gap_intervals",
)
ENERGY_TOL = {"measured_kwh": 0.01, "estimated_kwh": 0.01, "total_kwh": 0.02}
PCT_TOL = 0.01

WEIGHTS = {
    "output_is_json_object": 1,
    "schema": 2,
    **{f"counts_{m}": 2 for m in METERS},
    **{f"gap_runs_{m}": 1 for m in METERS},
    **{f"energy_{m}": 2 for m in METERS},
    "register_reconciliation": 2,
    "status_and_investigation_list": 2,
}


# ---------------------------------------------------------------------------- the truth
def minutes(stamp: str) -> int:
    """Minutes since the Unix epoch of an ISO-8601 timestamp with an offset or Z."""
    dt = datetime.fromisoformat(stamp.strip().replace("Z", "+00:00"))
    return int(dt.timestamp()) // 60


def truth(data: Path = DATA) -> dict:
    sheet = json.loads((data / "meters.json").read_text())
    p0, p1 = minutes(sheet["period_start"]), minutes(sheet["period_end"])
    step = sheet["interval_minutes"]
    n = (p1 - p0) // step
    outages = []
    with open(data / "outages.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            outages.append((r["feeder"], minutes(r["start"]), minutes(r["end"])))
    latest: dict[str, dict[int, float]] = {m: {} for m in sheet["meters"]}
    rows_in_period = dict.fromkeys(sheet["meters"], 0)
    with open(data / "intervals.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            t = minutes(r["interval_start"])
            if p0 <= t < p1:
                rows_in_period[r["meter_id"]] += 1
                latest[r["meter_id"]][(t - p0) // step] = float(r["kwh"])  # later rows overwrite
    out = {}
    for meter, info in sheet["meters"].items():
        got = latest[meter]
        dead = set()
        for i in range(n):
            a, b = p0 + i * step, p0 + (i + 1) * step
            if any(f == info["feeder"] and max(a, s) < min(b, e) for f, s, e in outages):
                dead.add(i)
        gaps = [i for i in range(n) if i not in got and i not in dead]
        received = sorted(got)
        estimates = {}
        for i in gaps:
            before = [j for j in received if j < i]
            after = [j for j in received if j > i]
            if before and after:
                j0, j1 = before[-1], after[0]
                estimates[i] = got[j0] + (got[j1] - got[j0]) * (i - j0) / (j1 - j0)
            else:
                estimates[i] = got[(before or after)[-1 if before else 0]]
        runs = []
        for i in gaps:
            if runs and runs[-1][0] + runs[-1][1] == i:
                runs[-1][1] += 1
            else:
                runs.append([i, 1])
        measured, estimated = sum(got.values()), sum(estimates.values())
        register = (info["register_end"] - info["register_start"]) * info["register_multiplier"]
        pct = 100 * (measured + estimated - register) / register
        stamp = lambda i: datetime.fromtimestamp((p0 + i * step) * 60, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
        out[meter] = {
            "received_intervals": len(got),
            "duplicate_rows": rows_in_period[meter] - len(got),
            "outage_intervals": len(dead),
            "missing_outage_intervals": len(dead - set(got)),
            "gap_intervals": len(gaps),
            "gap_runs": [{"start": stamp(i), "intervals": k} for i, k in runs],
            "measured_kwh": measured,
            "estimated_kwh": estimated,
            "total_kwh": measured + estimated,
            "register_kwh": register,
            "discrepancy_pct": pct,
            "status": "ok" if abs(pct) <= 1.0 else "investigate",
        }
    return out


# ---------------------------------------------------------------------------- the checks
def check_schema(doc, t):
    meters = doc["meters"]
    if not isinstance(meters, dict) or sorted(meters) != sorted(METERS):
        return False, f"meters must have exactly the keys {sorted(METERS)}"
    for m in METERS:
        e = meters[m]
        for k in COUNT_KEYS:
            if isinstance(e[k], bool) or not isinstance(e[k], int):
                return False, f"{m}.{k} must be an integer"
        for k in ("measured_kwh", "estimated_kwh", "total_kwh", "register_kwh", "discrepancy_pct"):
            num(e[k])
        if e["status"] not in ("ok", "investigate"):
            return False, f"{m}.status must be 'ok' or 'investigate'"
        if not isinstance(e["gap_runs"], list) or not all(isinstance(r, dict) for r in e["gap_runs"]):
            return False, f"{m}.gap_runs must be a list of objects"
    if not isinstance(doc["meters_to_investigate"], list):
        return False, "meters_to_investigate must be a list"
    return True, "all keys present with the right types"


def check_counts(m):
    def fn(doc, t):
        got = {k: doc["meters"][m][k] for k in COUNT_KEYS}
        want = {k: t[m][k] for k in COUNT_KEYS}
        return got == want, f"{m}: got {got}, expected {want}"

    return fn


def check_runs(m):
    def fn(doc, t):
        got = [{"start": r["start"], "intervals": r["intervals"]} for r in doc["meters"][m]["gap_runs"]]
        return got == t[m]["gap_runs"], f"{m}: got {got}, expected {t[m]['gap_runs']}"

    return fn


def check_energy(m):
    def fn(doc, t):
        bad = [k for k, tol in ENERGY_TOL.items() if abs(num(doc["meters"][m][k]) - t[m][k]) > tol]
        want = {k: round(t[m][k], 3) for k in ENERGY_TOL}
        return not bad, f"{m}: {bad or 'all'} {'off' if bad else 'within tolerance'} (expected {want})"

    return fn


def check_register(doc, t):
    bad = []
    for m in METERS:
        e = doc["meters"][m]
        if abs(num(e["register_kwh"]) - t[m]["register_kwh"]) > 0.01:
            bad.append(f"{m}.register_kwh (expected {t[m]['register_kwh']:.1f})")
        if abs(num(e["discrepancy_pct"]) - t[m]["discrepancy_pct"]) > PCT_TOL:
            bad.append(f"{m}.discrepancy_pct (expected {t[m]['discrepancy_pct']:.4f})")
    return not bad, "mismatches: " + ", ".join(bad) if bad else "registers and discrepancies within tolerance"


def check_status(doc, t):
    got = {m: doc["meters"][m]["status"] for m in METERS}
    want = {m: t[m]["status"] for m in METERS}
    listed, want_list = doc["meters_to_investigate"], sorted(m for m in METERS if want[m] == "investigate")
    return got == want and listed == want_list, f"status {got}, list {listed}; expected {want}, {want_list}"


CHECKS = {
    "schema": check_schema,
    **{f"counts_{m}": check_counts(m) for m in METERS},
    **{f"gap_runs_{m}": check_runs(m) for m in METERS},
    **{f"energy_{m}": check_energy(m) for m in METERS},
    "register_reconciliation": check_register,
    "status_and_investigation_list": check_status,
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
