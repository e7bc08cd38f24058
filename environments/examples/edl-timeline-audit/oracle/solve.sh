#!/bin/bash
# Reference solution for edl-timeline-audit: split the EDL into events (M2 and comment lines
# attach to the event above), then walk each track's record timeline and check the inventory.
set -euo pipefail
WS="${BENCHFLOW_WORKSPACE:-/root}"
export WS

python3 - <<'PY'
import csv
import json
import os
from collections import defaultdict

ws = os.environ["WS"]
src = os.path.join(ws, "conform")
FPS = 25


def f(tc):
    h, m, s, fr = (int(x) for x in tc.split(":"))
    return (h * 3600 + m * 60 + s) * FPS + fr


def tc(n):
    secs, fr = divmod(n, FPS)
    return "%02d:%02d:%02d:%02d" % (secs // 3600, secs // 60 % 60, secs % 60, fr)


title, events = "", []
for raw in open(os.path.join(src, "locked_cut.edl")):
    parts = raw.split()
    if not parts:
        continue
    if parts[0] == "TITLE:":
        title = raw.split(":", 1)[1].strip()
    elif parts[0].isdigit() and len(parts) == 8:
        num, reel, track, _trans, si, so, ri, ro = parts
        events.append(dict(num=num, reel=reel, track=track, si=f(si), so=f(so), ri=f(ri), ro=f(ro), speed=False))
    elif parts[0] == "M2":
        events[-1]["speed"] = True

inventory = {}
with open(os.path.join(src, "media_inventory.csv")) as fh:
    for row in csv.DictReader(fh):
        inventory[row["reel"]] = (f(row["tc_start"]), f(row["tc_end"]))

tracks = {}
for name in ("V", "A"):
    lane = sorted([e for e in events if e["track"] == name], key=lambda e: (e["ri"], e["num"]))
    gaps, overlaps = [], []
    end = lane[0]["ro"]
    for e in lane[1:]:
        if e["ri"] > end:
            gaps.append({"start": tc(end), "frames": e["ri"] - end})
        elif e["ri"] < end:
            overlaps.append({"event": e["num"], "frames": min(end, e["ro"]) - e["ri"]})
        end = max(end, e["ro"])
    tracks[name] = {"gaps": gaps, "overlaps": overlaps}


def offline(e):
    if e["reel"] == "BL":
        return False
    if e["reel"] not in inventory:
        return True
    lo, hi = inventory[e["reel"]]
    return not (lo <= e["si"] and e["so"] <= hi)


usage = defaultdict(int)
for e in events:
    if e["track"] == "V" and e["reel"] != "BL":
        usage[e["reel"]] += e["so"] - e["si"]

start = min(e["ri"] for e in events)
end = max(e["ro"] for e in events)
report = {
    "title": title,
    "event_count": len(events),
    "program": {"start": tc(start), "end": tc(end), "duration_frames": end - start, "duration_tc": tc(end - start)},
    "tracks": tracks,
    "duration_mismatches": sorted(e["num"] for e in events if not e["speed"] and e["so"] - e["si"] != e["ro"] - e["ri"]),
    "offline_events": sorted(e["num"] for e in events if offline(e)),
    "reel_usage_frames": dict(sorted(usage.items())),
}
with open(os.path.join(ws, "edl_audit.json"), "w") as fh:
    json.dump(report, fh, indent=2)
print(json.dumps(report, indent=2))
PY
