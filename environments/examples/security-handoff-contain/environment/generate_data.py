"""Regenerate the seed data of security-handoff-contain byte for byte (stdlib only).

    python3 environment/generate_data.py            # writes environment/case/ and verifier/data/
    python3 environment/generate_data.py --out DIR  # writes DIR/auth.log and DIR/users.json only
"""

import argparse
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
# (ip, failures, then the user it gets into or None): two attackers break in, one only sprays,
# one user mistypes a few times (below the threshold) and then logs in.
SCRIPT = [("203.0.113.7", 9, "carol"), ("198.51.100.23", 7, "frank"), ("192.0.2.44", 12, None), ("10.0.4.12", 3, "bob")]


def build():
    rng = random.Random(23)
    t = datetime(2026, 11, 3, 2, 0, 0)
    events = []
    for ip, fails, user in SCRIPT:
        for k in range(fails):
            target = user or USERS[rng.randrange(len(USERS))]
            events.append((t + timedelta(seconds=rng.randrange(3600)), f"Failed password for {target} from {ip} port {40000 + k} ssh2"))
        if user:
            events.append((t + timedelta(seconds=3600 + rng.randrange(600)), f"Accepted password for {user} from {ip} port 51000 ssh2"))
    for i in range(14):  # ordinary logins from the office network
        u = USERS[rng.randrange(len(USERS))]
        events.append((t + timedelta(seconds=rng.randrange(5400)), f"Accepted password for {u} from 10.0.4.{20 + i} port {52000 + i} ssh2"))
    events.sort()
    log = "".join(f"{when:%b %d %H:%M:%S} bastion sshd[{1000 + n}]: {msg}\n" for n, (when, msg) in enumerate(events))
    users = {"accounts": [{"user": u, "locked": False} for u in USERS]}
    return log, json.dumps(users, indent=2) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    args = ap.parse_args()
    log, users = build()
    here = Path(__file__).resolve().parent
    targets = [Path(args.out)] if args.out else [here / "case", here.parent / "verifier" / "data"]
    for d in targets:
        d.mkdir(parents=True, exist_ok=True)
        (d / "auth.log").write_text(log)
        (d / "users.json").write_text(users)


if __name__ == "__main__":
    main()
