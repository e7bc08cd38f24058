"""Finance & economics: invoice totals, ledger balances, biggest daily gain (far probe)."""

from __future__ import annotations

from arena.families.base import Family, Instance, pool


class InvoiceTotal(Family):
    name = "invoice-total"
    domain = "finance-economics"
    description = "total of an invoice: sum of quantity x unit price (plus shipping when hard)"
    fmt = "int"
    skills = ("extraction", "arithmetic", "answer-int", "invoicing")
    tags = ("invoice", "accounts-payable")
    pools = {
        "item": pool(
            "paper toner pens folders tape staples labels binders markers envelopes",
            "cables chargers mice headsets adapters webcams hubs lamps chairs desks",
        )
    }
    intros = {
        "train": ("Invoice lines (quantity x item @ unit price in USD):", "Supplier invoice:"),
        "heldout": ("Purchase order being billed:", "Line items on the vendor bill:"),
    }
    asks = {
        "main": {
            "train": ("What is the invoice total in USD?", "How much does the invoice come to?"),
            "heldout": ("What amount, in USD, is due for this bill?", "Compute the bill's grand total."),
        },
        "ship": {
            "train": ("What is the invoice total in USD, shipping included?",),
            "heldout": ("What amount is due for this bill, including the shipping fee?",),
        },
    }

    def make(self, rng, level, split):
        n = (2, 3, 4)[level]
        items = rng.sample(self.pool("item", split), n)
        rows = [(rng.randint(1, (3, 5, 5)[level]), it, rng.randint(2, (20, 50, 50)[level])) for it in items]
        lines = [f"{q} x {it} @ {p}" for q, it, p in rows]
        total = sum(q * p for q, _, p in rows)
        mode = "main"
        if level == 2:
            fee = rng.randint(3, 15)
            lines.append(f"shipping {fee}")
            total += fee
            mode = "ship"
        return Instance(
            "\n".join(lines),
            str(total),
            mode=mode,
            candidates=tuple(items),
            entities=tuple(items),
            shortcuts={
                "sum-prices": str(sum(p for *_, p in rows)),
                "sum-quantities": str(sum(q for q, *_ in rows)),
            },
        )


class LedgerBalance(Family):
    name = "ledger-balance"
    domain = "finance-economics"
    description = "closing balance of each account after a list of signed transactions"
    fmt = "kv"
    skills = ("extraction", "arithmetic", "answer-kv", "bookkeeping")
    tags = ("ledger", "bookkeeping")
    pools = {
        "account": pool("cash bank savings card petty", "vault payroll escrow treasury reserve"),
    }
    intros = {
        "train": ("Ledger for the week (opening balances, then transactions):", "Account book entries:"),
        "heldout": ("Journal of the period, starting balances first:", "Treasury postings:"),
    }
    asks = {
        "main": {
            "train": ("What is the closing balance of each account?",),
            "heldout": ("Give every account's balance after all postings.",),
        }
    }
    CREDITS = ("sale", "refund", "interest", "deposit")
    DEBITS = ("rent", "fees", "wages", "supplies")

    def make(self, rng, level, split):
        accts = rng.sample(self.pool("account", split), (2, 2, 3)[level])
        bal = {a: rng.randint(10, 50) * 10 for a in accts}
        opening = dict(bal)
        order = list(accts) + [rng.choice(accts) for _ in range((3, 5, 7)[level] - len(accts))]
        rng.shuffle(order)
        lines = ["Opening: " + ", ".join(f"{a} {bal[a]}" for a in accts)]
        for a in order:
            amt = rng.randint(5, 99)
            if rng.random() < 0.5 and bal[a] - amt >= 0:
                amt = -amt
            bal[a] += amt
            lines.append(f"{a} {amt:+d} {rng.choice(self.DEBITS if amt < 0 else self.CREDITS)}")
        return Instance(
            "\n".join(lines),
            "\n".join(f"{a}={bal[a]}" for a in accts),
            keys=tuple(accts),
            candidates=tuple(accts),
            entities=tuple(accts),
            shortcuts={"opening-balances": "\n".join(f"{a}={opening[a]}" for a in accts)},
        )


class TickerGain(Family):
    name = "ticker-gain"
    domain = "finance-economics"
    description = "pick the ticker with the largest gain (close minus open)"
    fmt = "token"
    skills = ("extraction", "arithmetic", "comparison", "answer-token", "market-data")
    tags = ("equities", "daily-bars")
    reserved = True
    pools = {
        "ticker": pool("ACME BOLT CRUX DYNA EPIC FLUX GRIT HALO", "KORA LYNX MIRA NOVA ORCA PIKE QUBE RIFT")
    }
    intros = {
        "train": ("Daily bars (ticker, open, close):", "Session prices:"),
        "heldout": ("Today's tape, open and close per symbol:", "Closing report of the desk:"),
    }
    asks = {
        "main": {
            "train": ("Which ticker gained the most (close minus open)?",),
            "heldout": ("Which symbol rose by the largest amount from open to close?",),
        }
    }

    def make(self, rng, level, split):
        n = (4, 5, 6)[level]
        names = rng.sample(self.pool("ticker", split), n)
        while True:
            gains = rng.sample(range(-9 if level == 2 else 1, 25), n)
            opens = [rng.randint(20, 200) for _ in names]
            closes = [o + g for o, g in zip(opens, gains)]
            best = max(range(n), key=lambda i: gains[i])
            top_close = max(range(n), key=lambda i: closes[i])
            if best != top_close and gains[best] > 0:
                break
        return Instance(
            "\n".join(f"{t} {o} {c}" for t, o, c in zip(names, opens, closes)),
            names[best],
            candidates=tuple(names),
            entities=tuple(names),
            shortcuts={"highest-close": names[top_close]},
        )
