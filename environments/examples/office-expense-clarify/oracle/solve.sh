#!/bin/bash
# Reference solution for office-expense-clarify, one role (assistant) over two scenes.
# arena's multi-turn runner calls this once per turn with ARENA_SCENE set; what is written to
# $ARENA_REPLY_FILE is the assistant's message.  In intake it asks about exclusions, then closes;
# in deliver it reads the exclusion from what the requester said ($ARENA_DIALOGUE_FILE).
set -euo pipefail
WS="${BENCHFLOW_WORKSPACE:-/root}"
export WS

python3 - <<'PY'
import csv
import json
import os
import re
from collections import defaultdict

ws = os.environ["WS"]
scene = os.environ.get("ARENA_SCENE")  # unset: run outside arena's multi-turn runner
reply_file = os.environ.get("ARENA_REPLY_FILE")
said = []
if os.environ.get("ARENA_DIALOGUE_FILE") and os.path.exists(os.environ["ARENA_DIALOGUE_FILE"]):
    with open(os.environ["ARENA_DIALOGUE_FILE"]) as fh:
        said = json.load(fh)
from_user = " ".join(m["content"] for m in said if m["speaker"] == "user")


def reply(text):
    if reply_file:
        with open(reply_file, "w") as fh:
            fh.write(text)
    print(text)


if scene == "intake":
    if "not reimbursable" in from_user:
        reply("Understood, I will leave those out. That's all I need.")
    else:
        reply("Before I start: are there any categories I should exclude, or other rules for what counts?")
else:
    m = re.search(r"(\w+) expenses are not reimbursable", from_user)
    excluded = m.group(1) if m else "entertainment"  # without a dialogue: the answer the requester gives
    cents = defaultdict(int)
    with open(os.path.join(ws, "expenses", "expenses.csv"), newline="") as fh:
        for r in csv.DictReader(fh):
            if r["category"] != excluded:
                e, c = r["amount_eur"].split(".")
                cents[r["employee"]] += int(e) * 100 + int(c)
    with open(os.path.join(ws, "report.csv"), "w") as fh:
        fh.write("employee,total_eur\n")
        for emp in sorted(cents):
            fh.write(f"{emp},{cents[emp] // 100}.{cents[emp] % 100:02d}\n")
    reply(f"Wrote /root/report.csv: totals for {len(cents)} employees without {excluded} expenses.")
PY
