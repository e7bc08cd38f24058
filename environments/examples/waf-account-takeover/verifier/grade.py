"""Scorer for waf-account-takeover (stdlib only).

Recomputes the findings from the verifier's own pristine copy of access.log and waf_alerts.jsonl
(verifier/data/, identical to the seed), grades /root/incident_report.json check by check, and
writes the reward contract: reward.txt (weighted share of checks passed), reward.json (reward,
checks, details) and a CTRF report of the same checks.  test_outputs.py exposes the same checks
to pytest.  Parsing here is one anchored regular expression per line (the oracle tokenizes with
shlex instead).
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
OUTPUT = "incident_report.json"
MIN_FAILED = 8
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
LINE = re.compile(
    r'^(?P<ip>\S+) - (?P<user>\S+) \[(?P<ts>[^\]]+)\] "(?P<method>[A-Z]+) (?P<target>\S+) HTTP/[\d.]+" '
    r'(?P<status>\d{3}) \d+ "[^"]*" "[^"]*" sid=(?P<sid>\S+)$'
)

WEIGHTS = {
    "output_is_json_object": 1,
    "schema": 2,
    "attacker_ip_set": 4,
    "attacker_ip_stats": 3,
    "compromised_logins": 4,
    "session_tracking": 2,
    "session_actions": 4,
    "blocklist": 2,
}


# ---------------------------------------------------------------------------- the truth
def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def truth(data: Path = DATA) -> dict:
    reqs = []
    for raw in (data / "access.log").read_text().splitlines():
        m = LINE.match(raw)
        if not m:
            raise ValueError(f"unparsable access.log line: {raw[:80]}")
        r = m.groupdict()
        r["epoch"] = datetime.strptime(r["ts"], "%d/%b/%Y:%H:%M:%S %z").timestamp()
        r["status"] = int(r["status"])
        reqs.append(r)
    alerts = [json.loads(x) for x in (data / "waf_alerts.jsonl").read_text().splitlines() if x.strip()]
    failed = Counter(
        r["ip"] for r in reqs if r["method"] == "POST" and r["target"] == "/login" and r["status"] == 401
    )
    auth = Counter(a["client_ip"] for a in alerts if a["rule_id"].startswith("AUTH-"))
    blocked = Counter(a["client_ip"] for a in alerts if a["action"] == "block")
    seen = defaultdict(list)
    for r in reqs:
        seen[r["ip"]].append(r["epoch"])
    for a in alerts:
        seen[a["client_ip"]].append(a["ts"])
    attackers = sorted(ip for ip in failed if failed[ip] >= MIN_FAILED and auth[ip] >= 1)
    stats = {
        ip: {"failed_logins": failed[ip], "auth_alerts": auth[ip], "blocked_alerts": blocked[ip],
             "first_seen": iso(min(seen[ip])), "last_seen": iso(max(seen[ip]))}
        for ip in attackers
    }  # fmt: skip
    accounts = []
    for i, r in enumerate(reqs):
        if r["ip"] in attackers and r["method"] == "POST" and r["target"] == "/login" and r["status"] == 302:
            session = [x for x in reqs[i:] if x["sid"] == r["sid"]]
            actions = [
                {
                    "time": iso(x["epoch"]),
                    "ip": x["ip"],
                    "method": x["method"],
                    "path": x["target"],
                    "status": x["status"],
                }
                for x in session[1:]
                if x["method"] in WRITE_METHODS and x["status"] < 400
            ]
            accounts.append({
                "user": r["user"], "login_time": iso(r["epoch"]), "login_ip": r["ip"], "session_id": r["sid"],
                "session_ips": sorted({x["ip"] for x in session}), "actions": actions,
            })  # fmt: skip
    accounts.sort(key=lambda a: a["login_time"])
    block = sorted(set(attackers) | {ip for a in accounts for ip in a["session_ips"]})
    return {"attackers": attackers, "stats": stats, "accounts": accounts, "blocklist": block}


# ---------------------------------------------------------------------------- the checks
def _int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def check_schema(doc, t):
    for a in doc["attacker_ips"]:
        if not (
            isinstance(a["ip"], str)
            and all(_int(a[k]) for k in ("failed_logins", "auth_alerts", "blocked_alerts"))
        ):
            return False, "attacker_ips entries need a string ip and integer counts"
        if not (isinstance(a["first_seen"], str) and isinstance(a["last_seen"], str)):
            return False, "first_seen / last_seen must be strings"
    for c in doc["compromised_accounts"]:
        for k in ("user", "login_time", "login_ip", "session_id"):
            if not isinstance(c[k], str):
                return False, f"compromised_accounts[].{k} must be a string"
        if not isinstance(c["session_ips"], list) or not isinstance(c["actions"], list):
            return False, "session_ips and actions must be lists"
        for x in c["actions"]:
            if set(x) != {"time", "ip", "method", "path", "status"} or not _int(x["status"]):
                return False, "each action needs exactly time, ip, method, path and an integer status"
    if not (isinstance(doc["blocklist"], list) and all(isinstance(x, str) for x in doc["blocklist"])):
        return False, "blocklist must be a list of strings"
    if not doc["attacker_ips"] or not doc["compromised_accounts"]:
        return False, "attacker_ips and compromised_accounts must not be empty"
    return True, "all keys present with the right types"


def check_attacker_set(doc, t):
    got = [a["ip"] for a in doc["attacker_ips"]]
    return got == t["attackers"], f"attacker ips {got}; expected {t['attackers']} (sorted)"


def check_attacker_stats(doc, t):
    got = {a["ip"]: {k: a[k] for k in ("failed_logins", "auth_alerts", "blocked_alerts", "first_seen", "last_seen")}
           for a in doc["attacker_ips"]}  # fmt: skip
    bad = [ip for ip in t["attackers"] if got.get(ip) != t["stats"][ip]]
    return (
        not bad,
        f"wrong or missing stats for {bad}: expected {[t['stats'][ip] for ip in bad]}" if bad else "ok",
    )


def check_logins(doc, t):
    key = ("user", "login_time", "login_ip")
    got = [tuple(c[k] for k in key) for c in doc["compromised_accounts"]]
    want = [tuple(c[k] for k in key) for c in t["accounts"]]
    return got == want, f"compromised logins {got}; expected {want}"


def _by_session(doc):
    return {c["session_id"]: c for c in doc["compromised_accounts"]}


def check_sessions(doc, t):
    got = _by_session(doc)
    want = {c["session_id"]: c["session_ips"] for c in t["accounts"]}
    have = {s: got[s]["session_ips"] for s in want if s in got}
    return have == want and len(got) == len(want), f"session ips {have}; expected {want}"


def check_actions(doc, t):
    got = _by_session(doc)
    bad = [
        c["user"]
        for c in t["accounts"]
        if c["session_id"] not in got or got[c["session_id"]]["actions"] != c["actions"]
    ]
    return not bad, f"actions wrong for {bad}" if bad else "every session's actions match"


CHECKS = {
    "schema": check_schema,
    "attacker_ip_set": check_attacker_set,
    "attacker_ip_stats": check_attacker_stats,
    "compromised_logins": check_logins,
    "session_tracking": check_sessions,
    "session_actions": check_actions,
    "blocklist": lambda d, t: (
        d["blocklist"] == t["blocklist"],
        f"got {d['blocklist']}; expected {t['blocklist']}",
    ),
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
