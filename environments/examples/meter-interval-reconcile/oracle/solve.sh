#!/bin/bash
# Reference solution for meter-interval-reconcile: pandas does the dedup (keep="last"), the
# reindex onto the 15-minute grid and the time interpolation; outage overlap is an interval
# join done with numpy broadcasting.
set -euo pipefail
WS="${BENCHFLOW_WORKSPACE:-/root}"
export WS

python3 - <<'PY'
import json
import os
from datetime import datetime

import numpy as np
import pandas as pd

ws = os.environ["WS"]
ami = os.path.join(ws, "ami")
sheet = json.load(open(os.path.join(ami, "meters.json")))


def utc(text):
    return pd.Timestamp(datetime.fromisoformat(text.replace("Z", "+00:00"))).tz_convert("UTC")


start, end = utc(sheet["period_start"]), utc(sheet["period_end"])
grid = pd.date_range(start, end, freq=f"{sheet['interval_minutes']}min", inclusive="left")
step = pd.Timedelta(minutes=sheet["interval_minutes"])

iv = pd.read_csv(os.path.join(ami, "intervals.csv"), dtype={"meter_id": str, "interval_start": str})
iv["t"] = pd.to_datetime(iv["interval_start"], utc=True)
iv = iv[(iv["t"] >= start) & (iv["t"] < end)]

out_rows = pd.read_csv(os.path.join(ami, "outages.csv"), dtype=str)
outages = [(r.feeder, utc(r.start), utc(r.end)) for r in out_rows.itertuples()]

report, investigate = {}, []
for meter, info in sheet["meters"].items():
    rows = iv[iv["meter_id"] == meter]
    dedup = rows.drop_duplicates(subset="t", keep="last").set_index("t")["kwh"].astype(float)
    series = dedup.reindex(grid)

    lo = grid.values[:, None]
    hi = (grid + step).values[:, None]
    starts = np.array([s.to_datetime64() for f, s, e in outages if f == info["feeder"]], dtype="datetime64[ns]")
    ends = np.array([e.to_datetime64() for f, s, e in outages if f == info["feeder"]], dtype="datetime64[ns]")
    if len(starts):
        in_outage = ((np.maximum(lo, starts[None, :]) < np.minimum(hi, ends[None, :])).any(axis=1))
    else:
        in_outage = np.zeros(len(grid), dtype=bool)
    in_outage = pd.Series(in_outage, index=grid)

    missing = series.isna()
    gap = missing & ~in_outage
    filled = series.interpolate(method="time", limit_area="inside").ffill().bfill()
    estimates = filled[gap]

    runs = []
    gap_times = list(grid[gap.values])
    for t in gap_times:
        if runs and runs[-1][0] + runs[-1][1] * step == t:
            runs[-1][1] += 1
        else:
            runs.append([t, 1])

    measured = float(dedup.sum())
    estimated = float(estimates.sum())
    register = (info["register_end"] - info["register_start"]) * info["register_multiplier"]
    pct = 100 * (measured + estimated - register) / register
    status = "ok" if abs(pct) <= 1.0 else "investigate"
    if status == "investigate":
        investigate.append(meter)
    report[meter] = {
        "received_intervals": int(series.notna().sum()),
        "duplicate_rows": int(len(rows) - len(dedup)),
        "outage_intervals": int(in_outage.sum()),
        "missing_outage_intervals": int((missing & in_outage).sum()),
        "gap_intervals": int(gap.sum()),
        "gap_runs": [{"start": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "intervals": n} for t, n in runs],
        "measured_kwh": measured,
        "estimated_kwh": estimated,
        "total_kwh": measured + estimated,
        "register_kwh": register,
        "discrepancy_pct": pct,
        "status": status,
    }

doc = {"meters": report, "meters_to_investigate": sorted(investigate)}
with open(os.path.join(ws, "reconciliation.json"), "w") as fh:
    json.dump(doc, fh, indent=2)
print(json.dumps(doc, indent=2))
PY
