#!/bin/bash
# Reference solution for security-handoff-contain: one script for both roles.  arena's multi-turn
# runner calls it once per turn with ARENA_ROLE set; what goes to $ARENA_REPLY_FILE is the role's
# message.  The analyst counts failures per IP and writes the hand-off; the responder acts on the
# hand-off it reads from $ARENA_DIALOGUE_FILE (not on its own analysis).
set -euo pipefail
WS="${BENCHFLOW_WORKSPACE:-/root}"
export WS

python3 - <<'PY'
import json
import os
import re
from collections import Counter

ws = os.environ["WS"]
role = os.environ.get("ARENA_ROLE", "both")  # unset: run outside arena's multi-turn runner
reply_file = os.environ.get("ARENA_REPLY_FILE")


def reply(text):
    if reply_file:
        with open(reply_file, "w") as fh:
            fh.write(text)
    print(text)


def analyse():
    fails, wins = Counter(), []
    with open(os.path.join(ws, "case", "auth.log")) as fh:
        for line in fh:
            m = re.search(r"(Failed|Accepted) password for (\S+) from (\S+) ", line)
            if m and m.group(1) == "Failed":
                fails[m.group(3)] += 1
            elif m:
                wins.append((m.group(2), m.group(3)))
    bad = sorted(ip for ip, n in fails.items() if n >= 5)
    lines = [f"ATTACKER {ip}" for ip in bad]
    lines += [f"COMPROMISED {u} {ip}" for u, ip in sorted(set(wins)) if ip in bad]
    return "Hand-off to the responder:\n" + "\n".join(lines)


def contain(handoff):
    ips = sorted(set(re.findall(r"^ATTACKER (\S+)$", handoff, re.M)))
    users = {u for u, _ in re.findall(r"^COMPROMISED (\S+) (\S+)$", handoff, re.M)}
    os.makedirs(os.path.join(ws, "response"), exist_ok=True)
    with open(os.path.join(ws, "response", "blocklist.txt"), "w") as fh:
        fh.write("".join(ip + "\n" for ip in ips))
    path = os.path.join(ws, "case", "users.json")
    with open(path) as fh:
        doc = json.load(fh)
    for a in doc["accounts"]:
        if a["user"] in users:
            a["locked"] = True
    with open(path, "w") as fh:
        json.dump(doc, fh, indent=2)
    reply(f"Blocked {len(ips)} IPs and locked {', '.join(sorted(users))}.")


if role == "analyst":
    reply(analyse())
elif role == "responder":
    with open(os.environ["ARENA_DIALOGUE_FILE"]) as fh:
        said = json.load(fh)
    contain("\n".join(m["content"] for m in said if m["speaker"] == "analyst"))
else:
    contain(analyse())
PY
