"""``arena show TRIAL``: print one trial's transcript (multi-turn trials write one, ATIF v1.4)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from arena.cli.common import EXIT_FAIL, EXIT_OK, emit_json, usage_error

HELP = """Print a trial's transcript: every turn's role, scene, messages, tool calls with their
outputs, token counts and timings, plus the trial's status and reward.

TRIAL is a trial's log folder, its trajectory.json, or a run folder followed by the trial key
(TASK/AGENT/SAMPLE, as in trials.parquet's trial_key).

examples:
  arena show runs/validate-x/trials/office-expense-clarify/oracle-0
  arena show runs/validate-x office-expense-clarify/oracle/0 --json
"""


def add_parser(sub) -> None:
    p = sub.add_parser("show", help="print one trial's transcript", description=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("trial", metavar="TRIAL")
    p.add_argument("key", nargs="?", metavar="KEY", help="trial key TASK/AGENT/SAMPLE when TRIAL is a run folder")
    p.add_argument("--json", action="store_true", help="print the ATIF document itself")
    p.add_argument("--limit", type=int, default=1200, help="characters shown per message or output (default 1200)")
    p.set_defaults(func=run)


def _locate(trial: str, key: str | None) -> Path | None:
    path = Path(trial)
    if key:
        parts = key.strip("/").split("/")
        if len(parts) != 3:
            return None
        path = path / "trials" / parts[0] / f"{parts[1]}-{parts[2]}"
    return path


def run(args) -> int:
    from arena.transcript import TRANSCRIPT_FILE, load, render

    path = _locate(args.trial, args.key)
    if path is None:
        return usage_error(f"trial key {args.key!r} is not TASK/AGENT/SAMPLE")
    folder = path.parent if path.is_file() else path
    file = path if path.is_file() else path / TRANSCRIPT_FILE
    if not folder.is_dir():
        return usage_error(f"{folder}: no such trial folder")
    if not file.is_file():
        print(f"arena: {folder}: this trial has no {TRANSCRIPT_FILE} (only multi-turn trials write a transcript)")
        return EXIT_FAIL
    try:
        doc = load(file)
    except ValueError as exc:
        print(f"arena: {exc}")
        return EXIT_FAIL
    row = {}
    try:
        row = json.loads((folder / "result.json").read_text())
    except (OSError, ValueError):
        pass
    if args.json:
        emit_json(doc)
        return EXIT_OK
    if row:
        line = f"{row.get('trial_key')}: status={row.get('status')} reward={row.get('reward')}"
        print(line + (f" kind={row['failure_kind']}" if row.get("failure_kind") else ""))
        if row.get("reason"):
            print(f"  reason: {row['reason']}")
    print(render(doc, limit=max(80, args.limit)))
    return EXIT_OK
