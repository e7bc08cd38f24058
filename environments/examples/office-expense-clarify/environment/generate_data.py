"""Regenerate the seed data of office-expense-clarify byte for byte (stdlib only).

    python3 environment/generate_data.py            # writes environment/expenses/ and verifier/data/
    python3 environment/generate_data.py --out DIR  # writes DIR/expenses.csv only
"""

import argparse
import random
from pathlib import Path

EMPLOYEES = ["amara", "bruno", "chen", "dalia", "emil", "farah"]
CATEGORIES = ["travel", "meals", "entertainment", "software", "supplies"]


def rows() -> list[str]:
    rng = random.Random(17)
    out = ["id,date,employee,category,amount_eur"]
    for i in range(1, 49):
        month = 7 + (i - 1) % 3
        day = 1 + rng.randrange(28)
        emp = EMPLOYEES[rng.randrange(len(EMPLOYEES))] if i > len(EMPLOYEES) else EMPLOYEES[i - 1]
        cat = CATEGORIES[rng.randrange(len(CATEGORIES))] if i % 4 else "entertainment"
        cents = rng.randrange(1200, 48000)
        out.append(f"E{i:03d},2026-{month:02d}-{day:02d},{emp},{cat},{cents // 100}.{cents % 100:02d}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    args = ap.parse_args()
    text = "\n".join(rows()) + "\n"
    here = Path(__file__).resolve().parent
    targets = [Path(args.out)] if args.out else [here / "expenses", here.parent / "verifier" / "data"]
    for t in targets:
        t.mkdir(parents=True, exist_ok=True)
        (t / "expenses.csv").write_text(text)


if __name__ == "__main__":
    main()
