#!/usr/bin/env python3
"""Authoring-time generator for bank-ledger-reconcile's seed data.

    python3 environment/generate_data.py            # writes environment/recon/ and verifier/data/
    python3 environment/generate_data.py --out DIR  # writes the same tree under DIR (for audits)

Deterministic (fixed seed, stdlib only, no clock): re-running reproduces identical bytes.  Not
copied into the image: it knows which items are planted.

June 2024 for the operating account of a small distributor: the bank statement, the general
ledger's cash account and the checks still outstanding from the May reconciliation.  Planted:
check 1042 recorded in the books as 1,245.00 but cleared for 1,254.00 (a transposition); two
same-amount ACH debits two days apart (tie-break rule); a vendor refund whose amount equals a
payment (opposite sign, must not match); a bounced customer check, bank fees and interest, an
unrecorded customer ACH (bank-only); a deposit in transit, two uncleared checks and a stale
May check (ledger-only).  The opening balances are consistent, so the adjusted balances agree.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date, timedelta
from pathlib import Path

SEED = 2024_06
BOOK_OPEN = 48210.55
PRIOR = [("PO-1017", "1017", "2024-05-20", "Hartley Freight - May haulage", 1250.00),
         ("PO-1029", "1029", "2024-05-29", "City Water & Sewer", 640.25)]  # fmt: skip
VENDORS = ["Acme Office Supply", "Brightline Telecom", "Keystone Insurance", "Delta Fuel Cards",
           "Pioneer Packaging", "Summit IT Services", "Harbor Logistics", "Greenway Janitorial"]  # fmt: skip
CUSTOMERS = ["Northwind Ltd", "Contoso Retail", "Fabrikam Stores", "Tailspin Outfitters", "Litware Home",
             "Proseware Garden", "Adatum Hardware", "Wingtip Gifts"]  # fmt: skip


def d(day: int) -> date:
    return date(2024, 6, 1) + timedelta(days=day - 1)


def build() -> dict[str, bytes]:
    rng = random.Random(SEED)
    bank: list[tuple[date, str, float]] = []  # (date, description, signed amount)
    ledger: list[tuple[date, str, str, str, float]] = []  # (date, memo, check_no, slip, signed)

    # prior-month checks: 1029 clears on the 3rd, 1017 stays outstanding
    bank.append((d(3), "CHECK 1029", -640.25))

    # June checks 1040-1047 (1042 transposed in the books, 1046/1047 not yet cleared)
    checks = [(1040, 2, "Hartley Freight - June haulage", 1180.00, 6), (1041, 4, "Orchard Properties - rent", 3200.00, 7),
              (1042, 7, "Pioneer Packaging - cartons", 1254.00, 11), (1043, 10, "M. Duarte - contract labour", 760.00, 14),
              (1044, 14, "Harbor Logistics - pallets", 418.60, 18), (1045, 19, "Greenway Janitorial", 295.00, 24),
              (1046, 26, "Summit IT Services - laptops", 2890.00, None), (1047, 28, "Hartley Freight - extra run", 385.00, None)]  # fmt: skip
    for no, day, memo, amount, cleared in checks:
        booked = 1245.00 if no == 1042 else amount
        ledger.append((d(day), memo, str(no), "", -booked))
        if cleared:
            bank.append((d(cleared), f"CHECK {no}", -amount))

    # customer receipts grouped on deposit slips; the bank shows one line per slip
    slips = [("DS-5510", 3, [2030.00, 845.10]), ("DS-5511", 7, [1575.25]), ("DS-5512", 12, [1200.00, 830.50]),
             ("DS-5513", 17, [415.00, 2210.40, 990.00]), ("DS-5514", 21, [3120.00, 640.00]),
             ("DS-5515", 25, [1480.75]), ("DS-5516", 30, [905.00, 1322.60])]  # fmt: skip
    for slip, day, amounts in slips:
        for amount in amounts:
            ledger.append(
                (d(day), f"Receipt {rng.choice(CUSTOMERS)} inv {rng.randint(2200, 2399)}", "", slip, amount)
            )
        if slip != "DS-5516":  # deposited on the 30th after the cut-off: in transit
            bank.append((d(day + rng.randint(0, 2)), "BRANCH DEPOSIT", round(sum(amounts), 2)))
    bank.append((d(20), "RETURNED ITEM NSF CHK FROM CUSTOMER", -415.00))  # from slip DS-5513

    # electronic payments booked from invoices; the bank posts them 0-2 days later
    ach = [(5, "Brightline Telecom", 312.48), (9, "Keystone Insurance", 450.00), (11, "Delta Fuel Cards", 450.00),
           (13, "Acme Office Supply", 187.35), (16, "Pioneer Packaging", 1033.20), (22, "Summit IT Services", 625.00),
           (24, "Acme Office Supply", 89.99), (27, "Brightline Telecom", 312.48)]  # fmt: skip
    for day, vendor, amount in ach:
        ledger.append((d(day), f"ACH pmt {vendor}", "", "", -amount))
        lag = 1 if amount == 450.00 else rng.randint(0, 2)
        bank.append((d(day + lag), f"ACH DEBIT {vendor.upper()}", -amount))
    # customer ACH receipts booked on the bank date
    for day, cust, amount in [(8, "Contoso Retail", 2750.00), (18, "Litware Home", 1199.90)]:
        ledger.append((d(day), f"ACH receipt {cust}", "", "", amount))
        bank.append((d(day), f"ACH CREDIT {cust.upper()}", amount))
    # bank-only items
    bank += [(d(15), "ACH CREDIT WINGTIP GIFTS REMIT 2361", 1864.00), (d(25), "VENDOR REFUND ACME OFFICE SUPPLY", 89.99),
             (d(28), "SERVICE CHARGE", -38.00), (d(28), "WIRE FEE", -25.00), (d(28), "INTEREST PAID", 14.27)]  # fmt: skip
    # card spend on the debit card, booked from receipts, posted 1-3 days later
    for _ in range(9):
        day = rng.randint(1, 26)
        amount = round(rng.uniform(12, 240), 2)
        merchant = rng.choice(
            ["STAPLES #0332", "SHELL 5521", "AMAZON MKTPL", "HOME DEPOT 611", "UPS STORE 4410"]
        )
        ledger.append((d(day), f"Card {merchant.title()}", "", "", -amount))
        bank.append((d(day + rng.randint(1, 3)), f"CARD 4417 {merchant}", -amount))

    bank.sort(key=lambda x: x[0])  # stable: same-day lines keep their creation order
    ledger.sort(key=lambda x: x[0])
    bank_open = round(BOOK_OPEN + sum(a for *_, a in PRIOR), 2)
    bank_close = round(bank_open + sum(a for *_, a in bank), 2)

    b_lines = ["txn_id,date,description,amount"]
    b_lines += [f"B{i:03d},{dt.isoformat()},{desc},{amt:.2f}" for i, (dt, desc, amt) in enumerate(bank, 1)]
    l_lines = ["entry_id,date,memo,check_no,deposit_slip,debit,credit"]
    for i, (dt, memo, chk, slip, amt) in enumerate(ledger, 1):
        debit, credit = (f"{amt:.2f}", "") if amt > 0 else ("", f"{-amt:.2f}")
        l_lines.append(f"L{i:04d},{dt.isoformat()},{memo},{chk},{slip},{debit},{credit}")
    p_lines = ["entry_id,check_no,date,payee,amount"] + [
        f"{e},{c},{dt},{p},{a:.2f}" for e, c, dt, p, a in PRIOR
    ]
    summary = {
        "account": "Operating account ****2208",
        "period_start": "2024-06-01",
        "period_end": "2024-06-30",
        "bank_opening_balance": bank_open,
        "bank_closing_balance": bank_close,
        "book_opening_balance": BOOK_OPEN,
    }
    files = {
        "bank_statement.csv": "\n".join(b_lines) + "\n",
        "ledger_cash.csv": "\n".join(l_lines) + "\n",
        "prior_outstanding.csv": "\n".join(p_lines) + "\n",
        "balances.json": json.dumps(summary, indent=2) + "\n",
    }
    return {k: v.encode() for k, v in files.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, help="write the tree here instead of into the package")
    args = ap.parse_args()
    task = Path(__file__).resolve().parent.parent
    targets = [args.out] if args.out else [task / "environment" / "recon", task / "verifier" / "data"]
    for target in targets:
        for rel, data in build().items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


if __name__ == "__main__":
    main()
