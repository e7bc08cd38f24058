#!/bin/bash
# Reference solution for bank-ledger-reconcile: pandas to load, Decimal for money, then the three
# matching passes (checks, deposit slips, amount + date window) and the two adjusted balances.
set -euo pipefail
WS="${BENCHFLOW_WORKSPACE:-/root}"
export WS

python3 - <<'PY'
import json
import os
from decimal import Decimal

import pandas as pd

ws = os.environ["WS"]
src = os.path.join(ws, "recon")
D = lambda v: Decimal(str(v)) if str(v) not in ("", "nan") else Decimal("0")  # noqa: E731

bank = pd.read_csv(os.path.join(src, "bank_statement.csv"), dtype=str, keep_default_na=False)
ledger = pd.read_csv(os.path.join(src, "ledger_cash.csv"), dtype=str, keep_default_na=False)
prior = pd.read_csv(os.path.join(src, "prior_outstanding.csv"), dtype=str, keep_default_na=False)
bal = json.load(open(os.path.join(src, "balances.json")))

B = {r.txn_id: {"date": pd.Timestamp(r.date), "desc": r.description, "amt": D(r.amount)} for r in bank.itertuples()}
L = {r.entry_id: {"date": pd.Timestamp(r.date), "chk": r.check_no, "slip": r.deposit_slip,
                  "amt": D(r.debit) - D(r.credit), "june": True} for r in ledger.itertuples()}
for r in prior.itertuples():
    L[r.entry_id] = {"date": pd.Timestamp(r.date), "chk": r.check_no, "slip": "", "amt": -D(r.amount), "june": False}

free_b, free_l = set(B), set(L)
matches, mismatches = [], []

by_check = {v["chk"]: k for k, v in L.items() if v["chk"]}
for bid in sorted(B):
    desc = B[bid]["desc"]
    if desc.startswith("CHECK "):
        lid = by_check.get(desc[6:].strip())
        if lid in free_l:
            free_b.discard(bid)
            free_l.discard(lid)
            if B[bid]["amt"] == L[lid]["amt"]:
                matches.append({"bank_txn": bid, "ledger_entries": [lid], "rule": "check"})
            else:
                b, l = B[bid]["amt"], L[lid]["amt"]
                mismatches.append({"bank_txn": bid, "ledger_entry": lid, "bank_amount": float(b),
                                   "ledger_amount": float(l), "correction": float(b - l)})

slips = {}
for lid, v in L.items():
    if v["slip"]:
        slips.setdefault(v["slip"], []).append(lid)
for bid in sorted(B):
    if B[bid]["desc"] != "BRANCH DEPOSIT":
        continue
    options = []
    for sid, members in slips.items():
        if not all(m in free_l for m in members):
            continue
        total = sum((L[m]["amt"] for m in members), Decimal("0"))
        dist = abs((B[bid]["date"] - max(L[m]["date"] for m in members)).days)
        if total == B[bid]["amt"] and dist <= 3:
            options.append((dist, sid))
    if options:
        _, sid = min(options)
        free_b.discard(bid)
        free_l.difference_update(slips[sid])
        matches.append({"bank_txn": bid, "ledger_entries": sorted(slips[sid]), "rule": "deposit"})

for bid in sorted(B):
    desc = B[bid]["desc"]
    if bid not in free_b or desc.startswith("CHECK ") or desc == "BRANCH DEPOSIT":
        continue
    options = [
        (abs((B[bid]["date"] - L[lid]["date"]).days), lid)
        for lid in free_l
        if L[lid]["june"] and not L[lid]["chk"] and not L[lid]["slip"] and L[lid]["amt"] == B[bid]["amt"]
    ]
    options = [o for o in options if o[0] <= 3]
    if options:
        _, lid = min(options)
        free_b.discard(bid)
        free_l.discard(lid)
        matches.append({"bank_txn": bid, "ledger_entries": [lid], "rule": "amount_date"})

book = D(bal["book_opening_balance"]) + sum((v["amt"] for v in L.values() if v["june"]), Decimal("0"))
adj_bank = D(bal["bank_closing_balance"]) + sum((L[i]["amt"] for i in free_l), Decimal("0"))
adj_book = book + sum((B[i]["amt"] for i in free_b), Decimal("0")) + sum(
    (Decimal(str(m["correction"])) for m in mismatches), Decimal("0"))

report = {
    "matches": sorted(matches, key=lambda m: m["bank_txn"]),
    "amount_mismatches": sorted(mismatches, key=lambda m: m["bank_txn"]),
    "bank_only": sorted(free_b),
    "ledger_only": sorted(free_l),
    "book_balance": float(book),
    "adjusted_bank_balance": float(adj_bank),
    "adjusted_book_balance": float(adj_book),
    "difference": float(adj_bank - adj_book),
}
with open(os.path.join(ws, "bank_reconciliation.json"), "w") as fh:
    json.dump(report, fh, indent=2)
print(json.dumps({k: v for k, v in report.items() if k != "matches"}, indent=2))
PY
