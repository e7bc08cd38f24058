"""Grader of office-expense-clarify (stdlib only).

The truth is recomputed from verifier/data/expenses.csv without the category the requester only
reveals when asked.  Checks (weights in WEIGHTS):

* report_rows   - /root/report.csv has the header and exactly the expected employees, in order;
* report_totals - every total is right to the cent (the hidden exclusion applied);
* consulted     - the transcript ($ARENA_TRANSCRIPT) shows the assistant writing to the requester
                  in the intake scene before the deliver scene (0 when no transcript exists).
"""

import csv
import json
import os
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXCLUDED = "entertainment"  # the requester's private fact
WEIGHTS = {"report_rows": 0.3, "report_totals": 0.5, "consulted": 0.2}


def truth() -> list[tuple[str, str]]:
    tot = defaultdict(int)
    with open(HERE / "data" / "expenses.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["category"] != EXCLUDED:
                euros, cents = r["amount_eur"].split(".")
                tot[r["employee"]] += int(euros) * 100 + int(cents)
    return [(e, f"{c // 100}.{c % 100:02d}") for e, c in sorted(tot.items())]


def _report(ws: Path):
    path = ws / "report.csv"
    if not path.is_file():
        return None, "no /root/report.csv"
    try:
        rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    except (UnicodeDecodeError, csv.Error) as exc:
        return None, f"report.csv unreadable: {exc}"
    return rows, ""


def _consulted(path: str | None) -> tuple[bool, str]:
    if not path or not Path(path).is_file():
        return False, "no transcript (run outside arena's multi-turn runner)"
    try:
        steps = json.loads(Path(path).read_text(encoding="utf-8"))["steps"]
    except (OSError, ValueError, KeyError, TypeError):
        return False, "transcript unreadable"
    ex = [(s.get("source"), s.get("extra", {}).get("scene"), (s.get("message") or "").strip()) for s in steps]
    asked = [i for i, (src, scene, msg) in enumerate(ex) if src == "agent" and scene == "intake" and msg]
    delivered = [i for i, (src, scene, _) in enumerate(ex) if src == "agent" and scene == "deliver"]
    ok = bool(asked) and bool(delivered) and asked[0] < delivered[0]
    return ok, f"{len(asked)} assistant message(s) to the requester in intake"


def evaluate(ws: Path) -> dict:
    want = truth()
    rows, why = _report(ws)
    out = {}
    if rows is None:
        out["report_rows"] = out["report_totals"] = (False, why)
    else:
        got_header, body = (rows[0], rows[1:]) if rows else ([], [])
        names = [r[0].strip() for r in body if r]
        out["report_rows"] = (got_header == ["employee", "total_eur"] and names == [e for e, _ in want],
                              f"header {got_header}, employees {names}")
        got = {r[0].strip(): r[1].strip() for r in body if len(r) >= 2}
        wrong = [e for e, t in want if got.get(e) != t]
        out["report_totals"] = (not wrong and len(got) == len(want), f"wrong totals for {wrong}" if wrong else "all right")
    out["consulted"] = _consulted(os.environ.get("ARENA_TRANSCRIPT"))
    return out


def main() -> None:
    ws = Path(os.environ.get("BENCHFLOW_WORKSPACE", "/root"))
    res = evaluate(ws)
    reward = round(sum(WEIGHTS[k] for k, (ok, _) in res.items() if ok), 4)
    checks = {k: {"passed": ok, "weight": WEIGHTS[k], "detail": d} for k, (ok, d) in res.items()}
    Path(os.environ["BENCHFLOW_REWARD_TEXT"]).write_text(f"{reward}\n")
    Path(os.environ["BENCHFLOW_REWARD_JSON"]).write_text(json.dumps({"reward": reward, "checks": checks}, indent=1))
    tests = [{"name": k, "status": "passed" if c["passed"] else "failed"} for k, c in checks.items()]
    Path(os.environ["BENCHFLOW_REWARD_DETAILS_JSON"]).write_text(json.dumps({"results": {"tests": tests}}))
    print(json.dumps({"reward": reward, "checks": checks}, indent=1))


if __name__ == "__main__":
    main()
