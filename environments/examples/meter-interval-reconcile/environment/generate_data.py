#!/usr/bin/env python3
"""Authoring-time generator for meter-interval-reconcile's seed data.

    python3 environment/generate_data.py            # writes environment/ami/ and verifier/data/
    python3 environment/generate_data.py --out DIR  # writes the same tree under DIR (for audits)

Deterministic (fixed seed, stdlib only, no clock): re-running reproduces identical bytes.  Not
copied into the image: it knows the planted faults.

One week of 15-minute interval data (kWh) for three meters, as a head-end system exports it:
rows sorted by interval then meter, communication gaps (rows absent), feeder outages (no rows
while the feeder is dead, partial energy in the boundary intervals), retransmissions appended
at the end (some corrected, so the last row wins), two stray rows just outside the week, and a
stuck-at-zero block on M-2210 that only the register reconciliation can expose.  The registers
integrate the true consumption, so every meter except M-2210 reconciles within 1 %.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEED = 20240304
START = datetime(2024, 3, 4, tzinfo=UTC)
SLOTS = 7 * 96
STEP = timedelta(minutes=15)
METERS = {
    "M-1107": {
        "site": "Harbour Bakery, 12 Quay St",
        "feeder": "F-12",
        "register_multiplier": 1,
        "register_start": 48213.7,
    },
    "M-2210": {
        "site": "Northside Cold Store, unit 4",
        "feeder": "F-7",
        "register_multiplier": 40,
        "register_start": 3771.2,
    },
    "M-3342": {
        "site": "Quay St Offices, floors 2-3",
        "feeder": "F-12",
        "register_multiplier": 1,
        "register_start": 130552.9,
    },
}
# (id, feeder, start, end) as the outage management system logs them (local offsets vary)
OUTAGES = [
    ("OMS-24-0311", "F-9", "2024-03-03T21:10:00+01:00", "2024-03-03T23:55:00+01:00"),
    ("OMS-24-0318", "F-12", "2024-03-05T14:07:00+01:00", "2024-03-05T15:52:00+01:00"),
    ("OMS-24-0322", "F-9", "2024-03-06T08:00:00+01:00", "2024-03-06T09:30:00+01:00"),
    ("OMS-24-0327", "F-7", "2024-03-09T02:30:00Z", "2024-03-09T03:10:00Z"),
]
# communication gaps: meter -> [(first slot, length)]
GAPS = {
    "M-1107": [(131, 1), (402, 3)],
    "M-2210": [(77, 2), (298, 1), (515, 4)],
    "M-3342": [(211, 5), (600, 1)],
}
STUCK = ("M-2210", 328, 16)  # 2024-03-07T10:00Z, 4 h of 0.000 kWh from a frozen pulse input
# retransmissions: (meter, slot, corrected?) -- corrected ones replace a glitched original value
RETRANSMIT = [
    ("M-1107", 45, False),
    ("M-1107", 388, True),
    ("M-2210", 150, True),
    ("M-2210", 151, False),
    ("M-3342", 470, True),
    ("M-3342", 471, True),
    ("M-3342", 9, False),
]


def ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def load_kw(meter: str, t: datetime, rng: random.Random) -> float:
    h = t.hour + t.minute / 60
    if meter == "M-1107":  # ovens from 03:00 to 11:00, closed Sunday
        base = 4.0 + (34.0 if 3 <= h < 11 and t.weekday() != 6 else 0.0)
    elif meter == "M-2210":  # compressors, warmer afternoons
        base = 26.0 + 6.0 * math.sin((h - 9) / 24 * 2 * math.pi)
    else:  # offices, weekdays 08-18
        base = 9.0 + (41.0 if 8 <= h < 18 and t.weekday() < 5 else 0.0)
    return max(0.0, base * rng.uniform(0.85, 1.15))


def powered_minutes(feeder: str, t: datetime) -> float:
    on = 15.0
    for _, f, s, e in OUTAGES:
        if f != feeder:
            continue
        s_, e_ = (
            datetime.fromisoformat(s.replace("Z", "+00:00")),
            datetime.fromisoformat(e.replace("Z", "+00:00")),
        )
        lo, hi = max(s_, t), min(e_, t + STEP)
        if hi > lo:
            on -= (hi - lo).total_seconds() / 60
    return on


def build() -> dict[str, bytes]:
    rng = random.Random(SEED)
    rows: list[tuple[int, str, str]] = []  # (slot, meter, kwh text)
    retx: list[str] = []
    meters_json = {}
    for meter, info in METERS.items():
        gap_slots = {s + i for s, n in GAPS[meter] for i in range(n)}
        true_total = 0.0
        for slot in range(SLOTS):
            t = START + slot * STEP
            on = powered_minutes(info["feeder"], t)
            kwh = load_kw(meter, t, rng) * on / 60
            true_total += kwh
            if on == 0 or slot in gap_slots:
                continue  # dead feeder or lost in transit: no row
            text = f"{kwh:.3f}"
            if meter == STUCK[0] and STUCK[1] <= slot < STUCK[1] + STUCK[2]:
                text = "0.000"
            for m, s, corrected in RETRANSMIT:
                if (m, s) == (meter, slot):
                    if corrected:
                        rows.append(
                            (slot, meter, f"{kwh * rng.choice((0.1, 10.0)):.3f}")
                        )  # glitched original
                        retx.append(f"{meter},{ts(t)},{text}")
                        text = None
                    else:
                        retx.append(f"{meter},{ts(t)},{text}")
            if text is not None:
                rows.append((slot, meter, text))
        mult = info["register_multiplier"]
        end = info["register_start"] + true_total / mult
        meters_json[meter] = {**info, "register_end": round(end, 1)}
    rows.sort(key=lambda r: (r[0], r[1]))
    lines = ["meter_id,interval_start,kwh"]
    lines.append(f"M-3342,{ts(START - STEP)},11.204")  # stray: previous week
    lines += [f"{m},{ts(START + s * STEP)},{k}" for s, m, k in rows]
    lines.append(f"M-1107,{ts(START + SLOTS * STEP)},1.377")  # stray: first interval of next week
    lines += retx
    outages = ["outage_id,feeder,start,end"] + [",".join(o) for o in OUTAGES]
    files = {
        "intervals.csv": "\n".join(lines) + "\n",
        "outages.csv": "\n".join(outages) + "\n",
        "meters.json": json.dumps(
            {
                "period_start": ts(START),
                "period_end": ts(START + SLOTS * STEP),
                "interval_minutes": 15,
                "meters": meters_json,
            },
            indent=2,
        )
        + "\n",
    }
    return {k: v.encode() for k, v in files.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, help="write the tree here instead of into the package")
    args = ap.parse_args()
    task = Path(__file__).resolve().parent.parent
    targets = [args.out] if args.out else [task / "environment" / "ami", task / "verifier" / "data"]
    for target in targets:
        for rel, data in build().items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


if __name__ == "__main__":
    main()
