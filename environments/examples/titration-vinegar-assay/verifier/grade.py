"""Scorer for titration-vinegar-assay (stdlib only).

Recomputes every expected value from the verifier's own pristine copy of the raw logs
(verifier/data/, identical to the seed), grades /root/assay_report.json check by check, and writes
the reward contract: reward.txt (weighted share of checks passed), reward.json (reward, checks,
details) and a CTRF report of the same checks.  test_outputs.py exposes the same checks to pytest.

The equivalence point is located with the closed-form three-point parabolic-interpolation
formula (the oracle fits the parabola with numpy instead).
"""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
OUTPUT = "assay_report.json"
VINEGAR = ("vinegar_R1", "vinegar_R2", "vinegar_R3", "vinegar_R4")
RUNS = ("standardization_KHP",) + VINEGAR
TOL = {"v_eq_ml": 0.02, "ph": 0.02, "naoh": 3e-4, "molarity": 3e-3, "percent": 0.02}

# name -> weight; the reward is the weighted share of passed checks
WEIGHTS = {
    "output_is_json_object": 1,
    "schema": 2,
    "khp_equivalence_volume": 2,
    "naoh_molarity": 2,
    "v_eq_vinegar_R1": 1,
    "v_eq_vinegar_R2": 1,
    "v_eq_vinegar_R3": 1,
    "v_eq_vinegar_R4": 1,
    "ph_half_equivalence_all_runs": 2,
    "replicate_acceptance": 2,
    "vinegar_molarity": 3,
    "acetic_acid_percent_wv": 1,
    "apparent_pka": 1,
}


# ---------------------------------------------------------------------------- the truth
def read_run(path: Path) -> list[tuple[float, float]]:
    rows, header_seen = [], False
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not header_seen:
            header_seen = True  # volume_ml,ph
            continue
        vol, ph = line.split(",")
        if ph.strip():
            rows.append((float(vol), float(ph)))
    return rows


def vertex_x(p1, p2, p3) -> float:
    (a, fa), (b, fb), (c, fc) = p1, p2, p3
    num = (b - a) ** 2 * (fb - fc) - (b - c) ** 2 * (fb - fa)
    den = (b - a) * (fb - fc) - (b - c) * (fb - fa)
    return b - 0.5 * num / den


def analyse(rows) -> dict:
    slopes = [((v0 + v1) / 2, (p1 - p0) / (v1 - v0)) for (v0, p0), (v1, p1) in zip(rows, rows[1:])]
    best = max(range(len(slopes)), key=lambda i: (slopes[i][1], -i))
    if best in (0, len(slopes) - 1):
        v_eq = slopes[best][0]
    else:
        v_eq = vertex_x(slopes[best - 1], slopes[best], slopes[best + 1])
    half = v_eq / 2
    for (v0, p0), (v1, p1) in zip(rows, rows[1:]):
        if v0 <= half <= v1:
            ph_half = p0 + (p1 - p0) * (half - v0) / (v1 - v0)
            break
    else:
        raise ValueError("half-equivalence volume outside the data")
    return {"v_eq_ml": v_eq, "ph_half_eq": ph_half}


def truth(data: Path = DATA) -> dict:
    sheet = json.loads((data / "run_sheet.json").read_text())
    runs = {name: analyse(read_run(data / "titrations" / f"{name}.csv")) for name in RUNS}
    std = sheet["standardization"]
    naoh = std["khp_mass_g"] / std["khp_molar_mass_g_mol"] / (runs["standardization_KHP"]["v_eq_ml"] / 1000)
    median = statistics.median(runs[n]["v_eq_ml"] for n in VINEGAR)
    accepted = sorted(n for n in VINEGAR if abs(runs[n]["v_eq_ml"] - median) / median <= 0.010)
    s = sheet["sample"]
    aliquot = [naoh * runs[n]["v_eq_ml"] / s["aliquot_ml"] for n in accepted]
    molarity = sum(aliquot) / len(aliquot) * s["diluted_to_ml"] / s["vinegar_volume_ml"]
    return {
        "runs": runs,
        "naoh_molarity": naoh,
        "accepted": accepted,
        "vinegar_molarity": molarity,
        "percent": molarity * sheet["acetic_acid_molar_mass_g_mol"] / 10,
        "pka": sum(runs[n]["ph_half_eq"] for n in accepted) / len(accepted),
    }


# ---------------------------------------------------------------------------- the checks
def check_schema(doc, t):
    for key in ("naoh_molarity", "vinegar_molarity", "acetic_acid_percent_wv", "apparent_pka"):
        num(doc[key])
    runs = doc["runs"]
    if not isinstance(runs, dict) or sorted(runs) != sorted(RUNS):
        return False, f"runs must have exactly the keys {sorted(RUNS)}"
    for name in RUNS:
        num(runs[name]["v_eq_ml"]), num(runs[name]["ph_half_eq"])
        if name in VINEGAR and not isinstance(runs[name]["accepted"], bool):
            return False, f"runs.{name}.accepted must be a boolean"
    acc = doc["accepted_replicates"]
    if not (isinstance(acc, list) and all(isinstance(a, str) for a in acc)):
        return False, "accepted_replicates must be a list of run names"
    return True, "all keys present with the right types"


def check_v_eq(name):
    return lambda doc, t: close(
        doc["runs"][name]["v_eq_ml"], t["runs"][name]["v_eq_ml"], TOL["v_eq_ml"], name
    )


def check_ph_half(doc, t):
    bad = [n for n in RUNS if abs(num(doc["runs"][n]["ph_half_eq"]) - t["runs"][n]["ph_half_eq"]) > TOL["ph"]]
    return (
        not bad,
        f"ph_half_eq off by more than {TOL['ph']} for {bad}" if bad else "all five within tolerance",
    )


def check_acceptance(doc, t):
    flags = sorted(n for n in VINEGAR if doc["runs"][n]["accepted"] is True)
    listed = doc["accepted_replicates"]
    ok = flags == t["accepted"] and listed == t["accepted"]
    return ok, f"accepted flags {flags}, list {listed}; expected {t['accepted']}"


CHECKS = {
    "schema": check_schema,
    "khp_equivalence_volume": check_v_eq("standardization_KHP"),
    "naoh_molarity": lambda d, t: close(d["naoh_molarity"], t["naoh_molarity"], TOL["naoh"], "naoh_molarity"),
    **{f"v_eq_{n}": check_v_eq(n) for n in VINEGAR},
    "ph_half_equivalence_all_runs": check_ph_half,
    "replicate_acceptance": check_acceptance,
    "vinegar_molarity": lambda d, t: close(
        d["vinegar_molarity"], t["vinegar_molarity"], TOL["molarity"], "vinegar_molarity"
    ),
    "acetic_acid_percent_wv": lambda d, t: close(
        d["acetic_acid_percent_wv"], t["percent"], TOL["percent"], "percent w/v"
    ),
    "apparent_pka": lambda d, t: close(d["apparent_pka"], t["pka"], TOL["ph"], "apparent_pka"),
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
