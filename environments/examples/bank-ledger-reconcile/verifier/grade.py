"""Scorer for bank-ledger-reconcile (stdlib only).

Re-runs the reconciliation on the verifier's own pristine copy of the statement, the ledger and
the prior outstanding list (verifier/data/, identical to the seed), grades
/root/bank_reconciliation.json check by check, and writes the reward contract: reward.txt
(weighted share of checks passed), reward.json (reward, checks, details) and a CTRF report of the
same checks.  test_outputs.py exposes the same checks to pytest.  Money is handled in integer
cents here (the oracle uses Decimal).
"""

from __future__ import annotations

import csv
import json
import math
import os
import sys
import time
from datetime import date
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
OUTPUT = "bank_reconciliation.json"
WINDOW_DAYS = 3
MONEY_TOL = 0.01

WEIGHTS = {
    "output_is_json_object": 1,
    "schema": 2,
    "check_matches": 3,
    "deposit_matches": 3,
    "amount_date_matches": 3,
    "amount_mismatches": 2,
    "bank_only": 2,
    "ledger_only": 2,
    "balances": 4,
}


# ---------------------------------------------------------------------------- the truth
def cents(text: str) -> int:
    return round(float(text) * 100) if text.strip() else 0


def rows(name: str, data: Path) -> list[dict]:
    with open(data / name, newline="") as fh:
        return list(csv.DictReader(fh))


def truth(data: Path = DATA) -> dict:
    bal = json.loads((data / "balances.json").read_text())
    bank = [{"id": r["txn_id"], "day": date.fromisoformat(r["date"]), "desc": r["description"], "amt": cents(r["amount"])}
            for r in rows("bank_statement.csv", data)]  # fmt: skip
    june = [{"id": r["entry_id"], "day": date.fromisoformat(r["date"]), "chk": r["check_no"], "slip": r["deposit_slip"],
             "amt": cents(r["debit"]) - cents(r["credit"])} for r in rows("ledger_cash.csv", data)]  # fmt: skip
    prior = [{"id": r["entry_id"], "day": date.fromisoformat(r["date"]), "chk": r["check_no"], "slip": "",
              "amt": -cents(r["amount"])} for r in rows("prior_outstanding.csv", data)]  # fmt: skip
    items = june + prior
    used_bank, used_ledger = set(), set()
    matches, mismatches = [], []
    # 1. checks
    for b in bank:
        if not b["desc"].startswith("CHECK "):
            continue
        no = b["desc"].split()[1]
        cand = [x for x in items if x["chk"] == no and x["id"] not in used_ledger]
        if not cand:
            continue
        x = cand[0]
        used_bank.add(b["id"]), used_ledger.add(x["id"])
        if x["amt"] == b["amt"]:
            matches.append((b["id"], (x["id"],), "check"))
        else:
            mismatches.append((b["id"], x["id"], b["amt"], x["amt"]))
    # 2. deposit slips
    slips: dict[str, list[dict]] = {}
    for x in june:
        if x["slip"]:
            slips.setdefault(x["slip"], []).append(x)
    for b in bank:
        if b["desc"] != "BRANCH DEPOSIT":
            continue
        best = None
        for slip_id, members in slips.items():
            if any(m["id"] in used_ledger for m in members):
                continue
            gap = abs((b["day"] - max(m["day"] for m in members)).days)
            if sum(m["amt"] for m in members) == b["amt"] and gap <= WINDOW_DAYS:
                if best is None or (gap, slip_id) < best[0]:
                    best = ((gap, slip_id), members)
        if best:
            ids = tuple(sorted(m["id"] for m in best[1]))
            used_bank.add(b["id"]), used_ledger.update(ids)
            matches.append((b["id"], ids, "deposit"))
    # 3. amount + date window
    plain = [x for x in june if not x["chk"] and not x["slip"]]
    for b in bank:
        if b["desc"].startswith("CHECK ") or b["desc"] == "BRANCH DEPOSIT" or b["id"] in used_bank:
            continue
        best = None
        for x in plain:
            gap = abs((b["day"] - x["day"]).days)
            if x["id"] not in used_ledger and x["amt"] == b["amt"] and gap <= WINDOW_DAYS:
                if best is None or (gap, x["id"]) < best:
                    best = (gap, x["id"])
        if best:
            used_bank.add(b["id"]), used_ledger.add(best[1])
            matches.append((b["id"], (best[1],), "amount_date"))
    bank_only = sorted(b["id"] for b in bank if b["id"] not in used_bank)
    ledger_only = sorted(x["id"] for x in items if x["id"] not in used_ledger)
    amt = {x["id"]: x["amt"] for x in items} | {b["id"]: b["amt"] for b in bank}
    book = cents(str(bal["book_opening_balance"])) + sum(x["amt"] for x in june)
    adj_bank = cents(str(bal["bank_closing_balance"])) + sum(amt[i] for i in ledger_only)
    adj_book = book + sum(amt[i] for i in bank_only) + sum(b - x for _, _, b, x in mismatches)
    return {
        "matches": sorted(matches),
        "mismatches": sorted(mismatches),
        "bank_only": bank_only,
        "ledger_only": ledger_only,
        "balances": {"book_balance": book / 100, "adjusted_bank_balance": adj_bank / 100,
                     "adjusted_book_balance": adj_book / 100, "difference": (adj_bank - adj_book) / 100},
    }  # fmt: skip


# ---------------------------------------------------------------------------- the checks
def _ids(x) -> bool:
    return isinstance(x, list) and all(isinstance(i, str) for i in x)


def check_schema(doc, t):
    for m in doc["matches"]:
        if not (
            isinstance(m["bank_txn"], str)
            and _ids(m["ledger_entries"])
            and m["rule"] in ("check", "deposit", "amount_date")
        ):
            return (
                False,
                "each match needs bank_txn, a list of ledger_entries and a rule of check|deposit|amount_date",
            )
    for m in doc["amount_mismatches"]:
        for k in ("bank_amount", "ledger_amount", "correction"):
            num(m[k])
        if not (isinstance(m["bank_txn"], str) and isinstance(m["ledger_entry"], str)):
            return False, "amount_mismatches need string bank_txn and ledger_entry"
    if not (_ids(doc["bank_only"]) and _ids(doc["ledger_only"])):
        return False, "bank_only and ledger_only must be lists of ids"
    for k in t["balances"]:
        num(doc[k])
    if not doc["matches"]:
        return False, "matches must not be empty"
    return True, "all keys present with the right types"


def check_rule(rule: str):
    def fn(doc, t):
        got = sorted(
            (m["bank_txn"], tuple(sorted(m["ledger_entries"]))) for m in doc["matches"] if m["rule"] == rule
        )
        want = [(b, ids) for b, ids, r in t["matches"] if r == rule]
        missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
        return not missing and not extra, f"{rule}: missing {missing}, unexpected {extra}"

    return fn


def check_mismatches(doc, t):
    got = doc["amount_mismatches"]
    if len(got) != len(t["mismatches"]):
        return False, f"expected {len(t['mismatches'])} mismatches, got {len(got)}"
    for g, (b, x, ba, xa) in zip(sorted(got, key=lambda m: m["bank_txn"]), t["mismatches"]):
        ok = (g["bank_txn"], g["ledger_entry"]) == (b, x) and all(
            abs(num(g[k]) - v / 100) <= MONEY_TOL
            for k, v in (("bank_amount", ba), ("ledger_amount", xa), ("correction", ba - xa))
        )
        if not ok:
            return (
                False,
                f"expected {b} vs {x}: bank {ba / 100}, ledger {xa / 100}, correction {(ba - xa) / 100}",
            )
    return True, "mismatches right"


def check_list(key: str):
    return lambda d, t: (d[key] == t[key], f"{key}: got {d[key]}; expected {t[key]}")


def check_balances(doc, t):
    bad = {k: v for k, v in t["balances"].items() if abs(num(doc[k]) - v) > MONEY_TOL}
    return not bad, f"off: expected {bad}" if bad else "all four balances right"


CHECKS = {
    "schema": check_schema,
    "check_matches": check_rule("check"),
    "deposit_matches": check_rule("deposit"),
    "amount_date_matches": check_rule("amount_date"),
    "amount_mismatches": check_mismatches,
    "bank_only": check_list("bank_only"),
    "ledger_only": check_list("ledger_only"),
    "balances": check_balances,
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
