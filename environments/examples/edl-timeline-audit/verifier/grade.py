"""Scorer for edl-timeline-audit (stdlib only).

Re-audits the verifier's own pristine copy of the EDL and the media inventory (verifier/data/,
identical to the seed), grades /root/edl_audit.json check by check, and writes the reward
contract: reward.txt (weighted share of checks passed), reward.json (reward, checks, details)
and a CTRF report of the same checks.  test_outputs.py exposes the same checks to pytest.
Parsing here is a regular expression over the whole event block (the oracle splits lines).
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
OUTPUT = "edl_audit.json"
FPS = 25
TC = r"(\d\d:\d\d:\d\d:\d\d)"
EVENT = re.compile(rf"^(\d{{3}})\s+(\S+)\s+(V|A)\s+C\s+{TC}\s+{TC}\s+{TC}\s+{TC}\s*$")

WEIGHTS = {
    "output_is_json_object": 1,
    "schema": 2,
    "title_and_event_count": 1,
    "program_extent": 2,
    "video_gaps": 3,
    "video_overlaps": 2,
    "audio_track": 2,
    "duration_mismatches": 3,
    "offline_events": 3,
    "reel_usage_frames": 2,
}


# ---------------------------------------------------------------------------- the truth
def frames(tc: str) -> int:
    h, m, s, f = map(int, tc.split(":"))
    return ((h * 60 + m) * 60 + s) * FPS + f


def timecode(n: int) -> str:
    return f"{n // (3600 * FPS):02d}:{n // (60 * FPS) % 60:02d}:{n // FPS % 60:02d}:{n % FPS:02d}"


def truth(data: Path = DATA) -> dict:
    text = (data / "locked_cut.edl").read_text()
    title = re.search(r"^TITLE:\s*(.*?)\s*$", text, re.M).group(1)
    events, last = [], None
    for line in text.splitlines():
        m = EVENT.match(line)
        if m:
            num, reel, track, *tcs = m.groups()
            si, so, ri, ro = map(frames, tcs)
            last = {
                "num": num,
                "reel": reel,
                "track": track,
                "si": si,
                "so": so,
                "ri": ri,
                "ro": ro,
                "m2": False,
            }
            events.append(last)
        elif line.startswith("M2") and last is not None:
            last["m2"] = True
    with open(data / "media_inventory.csv", newline="") as fh:
        inv = {r["reel"]: (frames(r["tc_start"]), frames(r["tc_end"])) for r in csv.DictReader(fh)}
    tracks = {}
    for track in ("V", "A"):
        gaps, overlaps, end = [], [], None
        for e in sorted((e for e in events if e["track"] == track), key=lambda e: (e["ri"], e["num"])):
            if end is not None and e["ri"] > end:
                gaps.append({"start": timecode(end), "frames": e["ri"] - end})
            elif end is not None and e["ri"] < end:
                overlaps.append({"event": e["num"], "frames": min(end, e["ro"]) - e["ri"]})
            end = e["ro"] if end is None else max(end, e["ro"])
        tracks[track] = {"gaps": gaps, "overlaps": overlaps}
    mism = sorted(e["num"] for e in events if not e["m2"] and e["so"] - e["si"] != e["ro"] - e["ri"])
    offline = sorted(
        e["num"] for e in events
        if e["reel"] != "BL" and (e["reel"] not in inv or e["si"] < inv[e["reel"]][0] or e["so"] > inv[e["reel"]][1])
    )  # fmt: skip
    usage: dict[str, int] = {}
    for e in events:
        if e["track"] == "V" and e["reel"] != "BL":
            usage[e["reel"]] = usage.get(e["reel"], 0) + e["so"] - e["si"]
    start, stop = min(e["ri"] for e in events), max(e["ro"] for e in events)
    return {
        "title": title,
        "event_count": len(events),
        "program": {"start": timecode(start), "end": timecode(stop), "duration_frames": stop - start,
                    "duration_tc": timecode(stop - start)},
        "tracks": tracks,
        "duration_mismatches": mism,
        "offline_events": offline,
        "reel_usage_frames": usage,
    }  # fmt: skip


# ---------------------------------------------------------------------------- the checks
def check_schema(doc, t):
    if (
        not isinstance(doc["title"], str)
        or isinstance(doc["event_count"], bool)
        or not isinstance(doc["event_count"], int)
    ):
        return False, "title must be a string and event_count an integer"
    p = doc["program"]
    if not (isinstance(p["start"], str) and isinstance(p["end"], str) and isinstance(p["duration_tc"], str)
            and isinstance(p["duration_frames"], int)):  # fmt: skip
        return False, "program needs start/end/duration_tc strings and integer duration_frames"
    for tr in ("V", "A"):
        for kind in ("gaps", "overlaps"):
            if not isinstance(doc["tracks"][tr][kind], list):
                return False, f"tracks.{tr}.{kind} must be a list"
    for key in ("duration_mismatches", "offline_events"):
        if not (isinstance(doc[key], list) and all(isinstance(x, str) for x in doc[key])):
            return False, f"{key} must be a list of event-number strings"
    u = doc["reel_usage_frames"]
    if not (
        isinstance(u, dict) and u and all(isinstance(v, int) and not isinstance(v, bool) for v in u.values())
    ):
        return False, "reel_usage_frames must be a non-empty object of integers"
    return True, "all keys present with the right types"


def same(path: tuple[str, ...]):
    def fn(doc, t):
        got, want = doc, t
        for k in path:
            got, want = got[k], want[k]
        return got == want, f"{'.'.join(path)}: got {got}; expected {want}"

    return fn


def check_title_count(doc, t):
    ok = doc["title"] == t["title"] and doc["event_count"] == t["event_count"]
    return ok, f"got {doc['title']!r}/{doc['event_count']}; expected {t['title']!r}/{t['event_count']}"


CHECKS = {
    "schema": check_schema,
    "title_and_event_count": check_title_count,
    "program_extent": same(("program",)),
    "video_gaps": same(("tracks", "V", "gaps")),
    "video_overlaps": same(("tracks", "V", "overlaps")),
    "audio_track": same(("tracks", "A")),
    "duration_mismatches": same(("duration_mismatches",)),
    "offline_events": same(("offline_events",)),
    "reel_usage_frames": same(("reel_usage_frames",)),
}


# ---------------------------------------------------------------------------- harness (same in every example)
def num(x) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise TypeError(f"expected a finite JSON number, got {x!r}")
    return float(x)


def close(got, want: float, tol: float, what: str) -> tuple[bool, str]:
    g = num(got)
    return abs(g - want) <= tol, f"{what}: got {g!r}, expected {want:.5f} ± {tol}"


def evaluate(workspace: Path) -> dict[str, tuple[bool, str]]:
    """name -> (passed, detail) for every check in WEIGHTS."""
    results = {
        name: (False, "not graded: the output file is missing or not a JSON object") for name in WEIGHTS
    }
    path = workspace / OUTPUT
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        results["output_is_json_object"] = (False, f"{path} does not exist")
        return results
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        results["output_is_json_object"] = (False, f"{path} is not valid JSON: {exc}")
        return results
    if not isinstance(doc, dict):
        results["output_is_json_object"] = (False, f"{path} holds a {type(doc).__name__}, not an object")
        return results
    results["output_is_json_object"] = (True, "valid JSON object")
    t = truth()
    for name, fn in CHECKS.items():
        try:
            ok, detail = fn(doc, t)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        results[name] = (bool(ok), detail)
    return results


def reward_of(results: dict[str, tuple[bool, str]]) -> float:
    return round(sum(WEIGHTS[n] for n, (ok, _) in results.items() if ok) / sum(WEIGHTS.values()), 4)


def main() -> int:
    t0 = time.time()
    workspace = Path(os.environ.get("BENCHFLOW_WORKSPACE", "/root"))
    results = evaluate(workspace)
    reward = reward_of(results)
    out_txt = Path(os.environ.get("BENCHFLOW_REWARD_TEXT", "/logs/verifier/reward.txt"))
    out_json = Path(os.environ.get("BENCHFLOW_REWARD_JSON", "/logs/verifier/reward.json"))
    out_ctrf = Path(os.environ.get("BENCHFLOW_REWARD_DETAILS_JSON", "/logs/verifier/ctrf.json"))
    for p in (out_txt, out_json, out_ctrf):
        p.parent.mkdir(parents=True, exist_ok=True)
    out_txt.write_text(f"{reward}\n")
    passed = sum(ok for ok, _ in results.values())
    out_json.write_text(
        json.dumps(
            {
                "reward": reward,
                "checks": {n: ok for n, (ok, _) in results.items()},
                "weights": WEIGHTS,
                "details": {n: d for n, (ok, d) in results.items() if not ok},
                "n_checks": len(results),
                "n_passed": passed,
            },
            indent=1,
        )
    )
    tests = [
        {"name": n, "status": "passed" if ok else "failed", "duration": 0, "message": d}
        for n, (ok, d) in results.items()
    ]
    out_ctrf.write_text(
        json.dumps(
            {
                "results": {
                    "tool": {"name": "grade.py"},
                    "summary": {
                        "tests": len(tests),
                        "passed": passed,
                        "failed": len(tests) - passed,
                        "pending": 0,
                        "skipped": 0,
                        "other": 0,
                        "start": int(t0 * 1000),
                        "stop": int(time.time() * 1000),
                    },
                    "tests": tests,
                }
            },
            indent=1,
        )
    )
    for n, (ok, d) in results.items():
        print(f"{'PASS' if ok else 'FAIL'} {n} (w={WEIGHTS[n]}): {d}")
    print(f"reward = {reward}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
