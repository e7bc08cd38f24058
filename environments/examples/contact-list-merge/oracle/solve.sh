#!/bin/bash
# Reference solution for contact-list-merge: normalize each record, link records through shared
# keys (email, or phone + surname) and take connected components with a breadth-first walk.
set -euo pipefail
WS="${BENCHFLOW_WORKSPACE:-/root}"
export WS

python3 - <<'PY'
import json
import os
import re
from collections import defaultdict, deque
from datetime import datetime

import pandas as pd

ws = os.environ["WS"]
src = os.path.join(ws, "contacts")


def email(v):
    v = str(v).strip()
    v = re.sub(r"^mailto:", "", v, flags=re.I)
    return v.strip().lower()


invalid = 0


def phone(v):
    global invalid
    v = str(v)
    if not v.strip():
        return None
    m = re.search(r"(x|ext)", v, flags=re.I)
    d = "".join(ch for ch in (v[: m.start()] if m else v) if ch.isdigit())
    if len(d) == 11 and d.startswith("1"):
        d = d[1:]
    if len(d) != 10:
        invalid += 1
        return None
    return "+1" + d


def name(full):
    full = str(full).strip()
    if "," in full:
        last, first = (p.strip() for p in full.split(",", 1))
        return first, last
    parts = full.rsplit(None, 1)
    return (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0] if parts else "")


recs = []
crm = pd.read_csv(os.path.join(src, "crm_export.csv"), dtype=str, keep_default_na=False)
for i, r in crm.iterrows():
    recs.append(dict(sid=f"crm:{r['Contact ID']}", first=r["First Name"].strip(), last=r["Last Name"].strip(),
                     emails=[r["Email"]], phones=[r["Phone"]], company=r["Company"].strip(),
                     when=datetime.strptime(r["Last Modified"], "%Y-%m-%d %H:%M"), order=(0, i)))
web = pd.read_csv(os.path.join(src, "webinar_signups.csv"), dtype=str, keep_default_na=False)
for i, r in web.iterrows():
    first, last = name(r["name"])
    recs.append(dict(sid=f"webinar:{i + 1}", first=first, last=last, emails=[r["email"]], phones=[r["phone"]],
                     company=r["organization"].strip(),
                     when=datetime.strptime(r["registered_at"], "%Y-%m-%dT%H:%M:%SZ"), order=(1, i)))
for i, c in enumerate(json.load(open(os.path.join(src, "business_cards.json")))):
    first, last = name(c["full_name"])
    recs.append(dict(sid=f"cards:{i + 1}", first=first, last=last, emails=c["emails"], phones=c["phones"],
                     company=c["company"].strip(), when=datetime.strptime(c["scanned"], "%d/%m/%Y"), order=(2, i)))

for r in recs:
    r["E"] = {e for e in map(email, r["emails"]) if e}
    r["P"] = {p for p in map(phone, r["phones"]) if p}
usable = [r for r in recs if r["E"] or r["P"]]

by_key = defaultdict(list)
for idx, r in enumerate(usable):
    for e in r["E"]:
        by_key[("email", e)].append(idx)
    for p in r["P"]:
        by_key[("phone", p, r["last"].lower())].append(idx)
adj = defaultdict(set)
for members in by_key.values():
    for a in members:
        adj[a].update(members)

seen, contacts = set(), []
for start in range(len(usable)):
    if start in seen:
        continue
    comp, queue = [], deque([start])
    seen.add(start)
    while queue:
        cur = queue.popleft()
        comp.append(usable[cur])
        for nxt in adj[cur]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    ordered = sorted(comp, key=lambda r: r["order"])
    ordered = sorted(ordered, key=lambda r: r["when"], reverse=True)  # stable: ties keep source order
    who = next((r for r in ordered if r["last"]), {"first": "", "last": ""})
    contacts.append({
        "first_name": who["first"],
        "last_name": who["last"],
        "company": next((r["company"] for r in ordered if r["company"]), ""),
        "emails": sorted(set().union(*(r["E"] for r in comp))),
        "phones": sorted(set().union(*(r["P"] for r in comp))),
        "sources": sorted(r["sid"] for r in comp),
    })
contacts.sort(key=lambda c: c["sources"][0])

doc = {
    "contacts": contacts,
    "summary": {
        "input_records": len(recs),
        "records_without_contact_info": len(recs) - len(usable),
        "invalid_phones": invalid,
        "merged_contacts": len(contacts),
    },
}
with open(os.path.join(ws, "merged_contacts.json"), "w") as fh:
    json.dump(doc, fh, indent=2)
print(json.dumps(doc["summary"]))
PY
