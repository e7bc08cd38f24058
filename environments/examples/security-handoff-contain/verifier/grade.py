"""Grader of security-handoff-contain (stdlib only).

The truth is recomputed from verifier/data/auth.log.  Checks (weights in WEIGHTS):

* handoff   - the analyst's message in the triage scene (read from the transcript,
              $ARENA_TRANSCRIPT) lists exactly the attacker IPs and compromised accounts;
* blocklist - /root/response/blocklist.txt holds exactly the attacker IPs, sorted;
* locks     - in /root/case/users.json exactly the compromised accounts are locked and every
              account is still there.
"""

import json
import os
import re
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
THRESHOLD = 5
WEIGHTS = {"handoff": 0.4, "blocklist": 0.3, "locks": 0.3}
_LINE = re.compile(r"(Failed|Accepted) password for (\S+) from (\S+) ")


def truth() -> tuple[list[str], set[tuple[str, str]], list[str]]:
    fails, wins = Counter(), []
    for line in (HERE / "data" / "auth.log").read_text().splitlines():
        m = _LINE.search(line)
        if m:
            if m.group(1) == "Failed":
                fails[m.group(3)] += 1
            else:
                wins.append((m.group(2), m.group(3)))
    attackers = sorted(ip for ip, n in fails.items() if n >= THRESHOLD)
    compromised = {(u, ip) for u, ip in wins if ip in attackers}
    users = [a["user"] for a in json.loads((HERE / "data" / "users.json").read_text())["accounts"]]
    return attackers, compromised, users


def _handoff(path: str | None) -> str | None:
    if not path or not Path(path).is_file():
        return None
    try:
        steps = json.loads(Path(path).read_text(encoding="utf-8"))["steps"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    msgs = [s.get("message") or "" for s in steps
            if s.get("source") == "agent" and s.get("extra", {}).get("role") == "analyst"
            and s.get("extra", {}).get("scene") == "triage"]
    return "\n".join(msgs)


def evaluate(ws: Path) -> dict:
    attackers, compromised, users = truth()
    out = {}
    text = _handoff(os.environ.get("ARENA_TRANSCRIPT"))
    if text is None:
        out["handoff"] = (False, "no transcript with an analyst hand-off")
    else:
        ips = sorted(set(re.findall(r"^\s*ATTACKER\s+(\S+)\s*$", text, re.MULTILINE)))
        pairs = set(re.findall(r"^\s*COMPROMISED\s+(\S+)\s+(\S+)\s*$", text, re.MULTILINE))
        out["handoff"] = (ips == attackers and pairs == compromised, f"hand-off names {ips} and {sorted(pairs)}")
    bl = ws / "response" / "blocklist.txt"
    got = bl.read_text(errors="replace").split() if bl.is_file() else None
    out["blocklist"] = (got == attackers, f"blocklist {got}")
    try:
        accounts = json.loads((ws / "case" / "users.json").read_text())["accounts"]
        locked = {a["user"] for a in accounts if a.get("locked") is True}
        names = [a["user"] for a in accounts]
        want = {u for u, _ in compromised}
        out["locks"] = (locked == want and names == users, f"locked {sorted(locked)}")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        out["locks"] = (False, f"users.json unreadable: {exc}")
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
