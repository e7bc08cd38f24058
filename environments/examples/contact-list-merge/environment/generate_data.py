#!/usr/bin/env python3
"""Authoring-time generator for contact-list-merge's seed data.

    python3 environment/generate_data.py            # writes environment/contacts/ and verifier/data/
    python3 environment/generate_data.py --out DIR  # writes the same tree under DIR (for audits)

Deterministic (fixed seed, stdlib only, no clock): re-running reproduces identical bytes.  Not
copied into the image: it knows who is who.

Three exports of the same business contacts: the CRM (CSV), webinar sign-ups (CSV, "Last, First"
names) and a business-card scanner (JSON, lists of emails/phones, DD/MM/YYYY dates).  Routine
people appear in one to three sources with formatting noise; planted cases: a three-source
chain that only merges transitively, a switchboard number shared by two people with different
surnames (must stay apart), a married-name change with the same email, a phone + surname match
without a shared email, two different people both named Daniel Kim, phone extensions, a
leading country code, junk phones, and records with no usable email or phone.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

SEED = 7_2024
FIRST = ["Maria", "Jonas", "Aisha", "Pedro", "Yuki", "Grace", "Omar", "Ines", "Lukas", "Chen", "Fatima", "Noah",
         "Sofia", "Ravi", "Emma", "Mateo", "Hana", "Ivan", "Zara", "Felix", "Nora", "Kofi", "Elena", "Arjun"]  # fmt: skip
LAST = ["Keller", "Berg", "Rahman", "Costa", "Sato", "Mensah", "Haddad", "Moreau", "Novak", "Wei", "Alvarez",
        "Lindqvist", "Romano", "Iyer", "Walsh", "Herrera", "Takeda", "Petrov", "Qureshi", "Brandt", "Osei", "Duarte"]  # fmt: skip
COMPANIES = {"Northwind Traders": "northwind.example", "Contoso Ltd": "contoso.example", "Fabrikam Inc": "fabrikam.example",
             "Adventure Works": "adventure-works.example", "Tailspin Toys": "tailspin.example", "Litware": "litware.example",
             "Proseware": "proseware.example", "Coho Winery": "coho.example"}  # fmt: skip
AREAS = ["415", "312", "646", "206", "617"]


def phone_variant(rng: random.Random, digits: str) -> str:
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return rng.choice(
        [f"({a}) {b}-{c}", f"{a}.{b}.{c}", f"+1 {a} {b} {c}", f"{a}-{b}-{c}", f"1-{a}-{b}-{c}", f"{a}{b}{c}"]
    )


def email_variant(rng: random.Random, email: str) -> str:
    return rng.choice([email, email, email.title(), f" {email} ", f"mailto:{email}", email.upper()])


def stamp(rng: random.Random) -> tuple[int, int, int, int, int]:
    return (
        rng.choice([2023, 2024]),
        rng.randint(1, 12),
        rng.randint(1, 28),
        rng.randint(7, 19),
        rng.randint(0, 59),
    )


def crm_time(t) -> str:
    return f"{t[0]}-{t[1]:02d}-{t[2]:02d} {t[3]:02d}:{t[4]:02d}"


def web_time(t) -> str:
    return f"{t[0]}-{t[1]:02d}-{t[2]:02d}T{t[3]:02d}:{t[4]:02d}:00Z"


def card_time(t) -> str:
    return f"{t[2]:02d}/{t[1]:02d}/{t[0]}"


def build() -> dict[str, bytes]:
    rng = random.Random(SEED)
    crm, web, cards = [], [], []
    used_names, used_phones = set(), set()
    people = []
    while len(people) < 34:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        if (first, last) in used_names or last in ("Brandt", "Patel", "Kim", "Okafor"):
            continue
        digits = rng.choice(AREAS) + "555" + f"{rng.randint(101, 199):04d}"
        if digits in used_phones:
            continue
        used_names.add((first, last))
        used_phones.add(digits)
        company = rng.choice(sorted(COMPANIES))
        people.append((first, last, company, f"{first}.{last}@{COMPANIES[company]}".lower(), digits))
    for first, last, company, email, digits in people:
        where = rng.choice([("crm",), ("crm",), ("web",), ("card",), ("crm", "web"), ("crm", "card"), ("web", "card"),
                            ("crm", "web", "card")])  # fmt: skip
        for src in where:
            t = stamp(rng)
            ph = phone_variant(rng, digits) if rng.random() < 0.8 else ""
            if src == "crm":
                crm.append([first, last, email_variant(rng, email), ph, company, crm_time(t)])
            elif src == "web":
                name = f"{last}, {first}" if rng.random() < 0.5 else f"{first} {last}"
                org = company.split()[0] if rng.random() < 0.3 else company
                web.append([name, email_variant(rng, email), ph, org, web_time(t)])
            else:
                extra = [f"{first[0]}{last}@gmail.com".lower()] if rng.random() < 0.3 else []
                cards.append({"full_name": f"{first} {last}", "emails": [email_variant(rng, email)] + extra,
                              "phones": [ph] if ph else [], "company": company, "scanned": card_time(t)})  # fmt: skip

    # -- planted cases -----------------------------------------------------------------------
    # transitive chain: crm --phone+surname-- webinar --email-- card
    crm.append(
        ["Tobi", "Okafor", "tobi.okafor@litware.example", "312-555-0147", "Litware", "2023-11-02 10:15"]
    )
    web.append(["Okafor, Tobi", "T.Okafor@gmail.com", "(312) 555-0147", "Litware", "2024-02-10T16:02:00Z"])
    cards.append({"full_name": "Tobi Okafor", "emails": ["t.okafor@gmail.com", "tobi@okafor-consulting.example"],
                  "phones": [], "company": "Okafor Consulting", "scanned": "21/03/2024"})  # fmt: skip
    # switchboard shared by two people with different surnames: must stay apart
    crm.append(
        [
            "Priya",
            "Nair",
            "priya.nair@wideworld.example",
            "206-555-0100",
            "Wide World Importers",
            "2024-01-09 09:00",
        ]
    )
    web.append(
        [
            "Haas, Georg",
            "georg.haas@wideworld.example",
            "206.555.0100",
            "Wide World Importers",
            "2024-03-01T11:30:00Z",
        ]
    )
    # married name, same email: the newer surname wins
    crm.append(
        ["Lena", "Fischer", "lena.fischer@coho.example", "617-555-0188", "Coho Winery", "2023-05-17 14:40"]
    )
    web.append(["Lena Brandt", "Lena.Fischer@coho.example ", "", "Coho Winery", "2024-04-22T08:05:00Z"])
    # phone + surname without a shared email
    crm.append(
        ["Sam", "Patel", "sam.patel@proseware.example", "646-555-0133", "Proseware", "2023-09-30 17:20"]
    )
    cards.append({"full_name": "Samir Patel", "emails": ["samir.p@gmail.com"], "phones": ["+1 646 555 0133"],
                  "company": "Proseware", "scanned": "05/02/2024"})  # fmt: skip
    # two different Daniel Kims
    crm.append(
        ["Daniel", "Kim", "daniel.kim@fabrikam.example", "415-555-0121", "Fabrikam Inc", "2024-02-02 12:00"]
    )
    web.append(
        ["Kim, Daniel", "dkim@tailspin.example", "312-555-0178", "Tailspin Toys", "2024-02-20T19:45:00Z"]
    )
    # extension and leading country code
    crm.append(["Ruth", "Abebe", "ruth.abebe@northwind.example", "415-555-0162 ext. 204", "Northwind Traders",
                "2024-05-06 08:30"])  # fmt: skip
    cards.append({"full_name": "Ruth Abebe", "emails": [], "phones": ["1 (415) 555-0162", "415 555 0199 x12"],
                  "company": "Northwind Traders", "scanned": "12/06/2024"})  # fmt: skip
    # junk: a bad phone with a good email; records with nothing usable
    crm.append(["Marco", "Ricci", "marco.ricci@contoso.example", "12345", "Contoso Ltd", "2024-01-15 15:10"])
    web.append(["Guest User", "", "555-0199", "", "2024-03-03T10:00:00Z"])
    cards.append({"full_name": "Alex Byrne", "emails": [""], "phones": ["n/a"], "company": "Adventure Works",
                  "scanned": "30/01/2024"})  # fmt: skip

    rng.shuffle(crm)
    rng.shuffle(web)
    rng.shuffle(cards)

    def csv_line(values) -> str:
        return ",".join(f'"{v}"' if ("," in v or v != v.strip()) else v for v in values)

    crm_lines = ["Contact ID,First Name,Last Name,Email,Phone,Company,Last Modified"]
    crm_lines += [csv_line([f"C-{1001 + i}", *row]) for i, row in enumerate(crm)]
    web_lines = ["name,email,phone,organization,registered_at"] + [csv_line(r) for r in web]
    files = {
        "crm_export.csv": "\n".join(crm_lines) + "\n",
        "webinar_signups.csv": "\n".join(web_lines) + "\n",
        "business_cards.json": json.dumps(cards, indent=2) + "\n",
    }
    return {k: v.encode() for k, v in files.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, help="write the tree here instead of into the package")
    args = ap.parse_args()
    task = Path(__file__).resolve().parent.parent
    targets = [args.out] if args.out else [task / "environment" / "contacts", task / "verifier" / "data"]
    for target in targets:
        for rel, data in build().items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


if __name__ == "__main__":
    main()
