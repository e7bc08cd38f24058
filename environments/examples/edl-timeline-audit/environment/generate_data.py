#!/usr/bin/env python3
"""Authoring-time generator for edl-timeline-audit's seed data.

    python3 environment/generate_data.py            # writes environment/conform/ and verifier/data/
    python3 environment/generate_data.py --out DIR  # writes the same tree under DIR (for audits)

Deterministic (fixed seed, stdlib only, no clock): re-running reproduces identical bytes.  Not
copied into the image: it knows the planted faults.

A CMX3600-style EDL (25 fps, non-drop) of a short documentary's locked cut, video and audio
events on separate lines, clip-name comments, one speed effect (M2 line), black leader/tail on
reel BL, plus the media inventory of the camera reels.  Planted on the video track: a
one-frame flash gap, a 12-frame gap, an overlap of 6 frames, two source/record duration
mismatches (and an M2 event whose mismatch is legitimate); on the audio track a 10-frame gap;
two offline events (a reel missing from the inventory, a source range running past the end of
its clip).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

SEED = 25
FPS = 25
REELS = {  # reel -> (clip name, first source frame, length in frames)
    "A001C003": ("harbour_wide_dawn.mov", None, 2400), "A001C007": ("gulls_slowmo.mov", None, 1800),
    "A002C011": ("net_mending_cu.mov", None, 3000), "A002C014": ("interview_marta_a.mov", None, 9000),
    "A003C002": ("interview_marta_b.mov", None, 7500), "A003C009": ("market_crowd.mov", None, 2600),
    "B001C001": ("drone_coastline.mov", None, 4200), "B001C004": ("ferry_departure.mov", None, 3300),
}  # fmt: skip
MISSING_REEL = "B002C006"  # used in the cut, never delivered


def tc(frames: int) -> str:
    s, f = divmod(frames, FPS)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{h:02d}:{m:02d}:{s:02d}:{f:02d}"


def build() -> dict[str, bytes]:
    rng = random.Random(SEED)
    starts = {}
    for i, reel in enumerate(REELS):
        h = 1 + i // 4
        starts[reel] = tc_to_frames(f"{h:02d}:{(i * 7) % 60:02d}:{(i * 13) % 60:02d}:{(i * 3) % 25:02d}")
    events = []  # (track, reel, src_in, src_out, rec_in, rec_out, comments, m2)
    rec = tc_to_frames("00:59:58:00")
    events.append(("V", "BL", 0, 50, rec, rec + 50, [], None))
    rec += 50
    order = ["B001C001", "A001C003", "A002C014", "A002C011", "A001C007", "A003C009", "A002C014", "B001C004",
             "A003C002", "A002C011", MISSING_REEL, "A003C002", "A001C003", "A002C014", "B001C001", "A003C009",
             "A003C002", "B001C004", "A002C014", "B001C001"]  # fmt: skip
    for k, reel in enumerate(order):
        dur = rng.randint(60, 260)
        if reel == MISSING_REEL:
            src_in = tc_to_frames("05:12:40:00")
        else:
            _, _, length = REELS[reel]
            src_in = starts[reel] + rng.randint(0, length - dur - 1)
        if k == 15:  # runs past the end of its clip
            src_in = starts[reel] + REELS[reel][2] - dur + 40
        src_out = src_in + dur
        rec_in, rec_out = rec, rec + dur
        m2 = None
        if k == 4:  # 50 % slow motion: the source covers half the record duration
            src_out = src_in + dur // 2
            m2 = 12.5
        if k in (7, 13):  # a trim that was not rippled into the source side
            src_out += rng.choice((-8, 5, 11))
        if k == 5:
            rec_in += 1  # one-frame flash
            rec_out += 1
        if k == 11:
            rec_in += 12
            rec_out += 12
        if k == 17:
            rec_in -= 6  # overlaps the previous event
            rec_out -= 6
        name = REELS.get(reel, ("ferry_arrival_alt.mov",))[0]
        events.append(("V", reel, src_in, src_out, rec_in, rec_out, [f"* FROM CLIP NAME: {name}"], m2))
        rec = rec_out
    events.append(("V", "BL", 0, 75, rec, rec + 75, [], None))
    program_end = rec
    # audio: interview sync sound and a music bed, on track A
    arec = tc_to_frames("01:00:00:00")
    sync = [("A002C014", 400), ("A003C002", 520), ("A002C014", 610), ("A003C002", 380)]
    for k, (reel, dur) in enumerate(sync):
        src_in = starts[reel] + rng.randint(0, REELS[reel][2] - dur - 1)
        rec_in = arec + (10 if k == 2 else 0)
        events.append(("A", reel, src_in, src_in + dur, rec_in, rec_in + dur,
                       [f"* FROM CLIP NAME: {REELS[reel][0]}", "* COMMENT: SYNC SOUND"], None))  # fmt: skip
        arec = rec_in + dur
    tail = program_end - arec
    events.append(("A", "A001C003", starts["A001C003"] + 100, starts["A001C003"] + 100 + tail, arec, program_end,
                   ["* FROM CLIP NAME: harbour_wide_dawn.mov", "* COMMENT: ATMOS"], None))  # fmt: skip
    events.sort(key=lambda e: (e[4], e[0] != "V"))
    lines = ["TITLE: HARBOUR_DOC_R3_LOCKED_v07", "FCM: NON-DROP FRAME", ""]
    for n, (track, reel, si, so, ri, ro, comments, m2) in enumerate(events, 1):
        lines.append(f"{n:03d}  {reel:<8} {track:<5} C        {tc(si)} {tc(so)} {tc(ri)} {tc(ro)}")
        if m2 is not None:
            lines.append(f"M2   {reel:<8}       {m2:05.1f}                {tc(si)}")
        lines += comments
        lines.append("")
    inventory = ["reel,clip_name,tc_start,tc_end"]
    for reel, (name, _, length) in sorted(REELS.items()):
        inventory.append(f"{reel},{name},{tc(starts[reel])},{tc(starts[reel] + length)}")
    files = {"locked_cut.edl": "\n".join(lines), "media_inventory.csv": "\n".join(inventory) + "\n"}
    return {k: v.encode() for k, v in files.items()}


def tc_to_frames(text: str) -> int:
    h, m, s, f = (int(x) for x in text.split(":"))
    return ((h * 60 + m) * 60 + s) * FPS + f


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, help="write the tree here instead of into the package")
    args = ap.parse_args()
    task = Path(__file__).resolve().parent.parent
    targets = [args.out] if args.out else [task / "environment" / "conform", task / "verifier" / "data"]
    for target in targets:
        for rel, data in build().items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


if __name__ == "__main__":
    main()
