#!/bin/bash
# Reference solution for waf-account-takeover: tokenize the access log with shlex, count failed
# logins and AUTH alerts per IP, then follow each compromised session cookie across addresses.
set -euo pipefail
WS="${BENCHFLOW_WORKSPACE:-/root}"
export WS

python3 - <<'PY'
import json
import os
import shlex
from collections import defaultdict
from datetime import datetime, timezone

ws = os.environ["WS"]
src = os.path.join(ws, "incident")


def z(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


requests = []
with open(os.path.join(src, "access.log")) as fh:
    for line in fh:
        tok = shlex.split(line)
        # ip - user [date tz] "req" status bytes "ref" "ua" sid=...
        when = datetime.strptime(tok[3][1:] + " " + tok[4][:-1], "%d/%b/%Y:%H:%M:%S %z")
        method, target, _ = tok[5].split(" ")
        requests.append({
            "ip": tok[0], "user": tok[2], "when": when, "method": method, "target": target,
            "status": int(tok[6]), "sid": tok[-1].split("=", 1)[1],
        })

alerts = []
with open(os.path.join(src, "waf_alerts.jsonl")) as fh:
    for line in fh:
        if line.strip():
            a = json.loads(line)
            a["when"] = datetime.fromtimestamp(a["ts"], tz=timezone.utc)
            alerts.append(a)

per_ip = defaultdict(lambda: {"failed": 0, "auth": 0, "blocked": 0, "times": []})
for r in requests:
    d = per_ip[r["ip"]]
    d["times"].append(r["when"])
    if (r["method"], r["target"], r["status"]) == ("POST", "/login", 401):
        d["failed"] += 1
for a in alerts:
    d = per_ip[a["client_ip"]]
    d["times"].append(a["when"])
    d["auth"] += a["rule_id"].startswith("AUTH-")
    d["blocked"] += a["action"] == "block"

attackers = sorted(ip for ip, d in per_ip.items() if d["failed"] >= 8 and d["auth"] >= 1)

compromised = []
for idx, r in enumerate(requests):
    if r["ip"] in attackers and (r["method"], r["target"], r["status"]) == ("POST", "/login", 302):
        later = [x for x in requests[idx + 1:] if x["sid"] == r["sid"]]
        compromised.append({
            "user": r["user"],
            "login_time": z(r["when"]),
            "login_ip": r["ip"],
            "session_id": r["sid"],
            "session_ips": sorted({r["ip"]} | {x["ip"] for x in later}),
            "actions": [
                {"time": z(x["when"]), "ip": x["ip"], "method": x["method"], "path": x["target"], "status": x["status"]}
                for x in later
                if x["method"] in ("POST", "PUT", "PATCH", "DELETE") and x["status"] < 400
            ],
        })
compromised.sort(key=lambda c: c["login_time"])

report = {
    "attacker_ips": [
        {"ip": ip, "failed_logins": per_ip[ip]["failed"], "auth_alerts": per_ip[ip]["auth"],
         "blocked_alerts": per_ip[ip]["blocked"], "first_seen": z(min(per_ip[ip]["times"])),
         "last_seen": z(max(per_ip[ip]["times"]))}
        for ip in attackers
    ],
    "compromised_accounts": compromised,
    "blocklist": sorted(set(attackers) | {ip for c in compromised for ip in c["session_ips"]}),
}
with open(os.path.join(ws, "incident_report.json"), "w") as fh:
    json.dump(report, fh, indent=2)
print(json.dumps(report, indent=2))
PY
