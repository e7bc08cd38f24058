"""``arena generate FAMILY``: write procedurally generated task packages (see arena.families)."""

from __future__ import annotations

import argparse
import sys

from arena.cli.common import EXIT_FAIL, EXIT_OK, emit_json, usage_error

HELP = """Write N complete task packages of one procedural family (or of every family: `all`).

Each package is a single-turn task in answer mode: the prompt carries the data, states the
answer format exactly and names the answer file (/root/answer.txt); verifier/verify.py scores it
with partial credit (0 for a missing or wrongly formatted answer, 0.1 for the right format, more
for right fields, 1.0 only when fully right); oracle/solve.sh writes the right answer.

Output is byte-deterministic for (family, seed, n, difficulty, split).  Task ids (the folder
names) are <family>-<split>-s<seed>-<index>; use different seeds for different difficulties
written into one folder.

Answer formats shared across domains, so skills can transfer:
  int    a bare integer                 42
  kv     key=value lines, stated order   C=2 / H=8 / O=6 (one per line)
  list   comma-separated, no spaces      10.0.3.7,10.0.9.1
  token  one name from the data/question  run-fox

--split heldout draws names, hosts, tickers… from the other half of every entity pool and uses
paraphrased questions (the answer-format and answer-file lines stay the same): held-out tasks
never coincide with training tasks.  Families
marked [reserved: far-transfer probe] in --list are left out of training corpora.

examples:
  arena generate --list
  arena generate unit-convert --n 20 --seed 1 --out corpus/ --difficulty easy
  arena generate all --n 5 --seed 9 --out heldout/ --split heldout
  arena generate failed-login-ips --preview --difficulty hard   # print one prompt and answer
"""


def add_parser(sub) -> None:
    p = sub.add_parser(
        "generate",
        help="write task packages from procedural families",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("family", nargs="?", metavar="FAMILY", help="a family name from --list, or `all`")
    p.add_argument(
        "--list", action="store_true", help="print the families (name, domain, description) and exit"
    )
    p.add_argument("--n", type=int, default=10, metavar="N", help="packages per family (default 10)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="generation seed (default 0)")
    p.add_argument("--out", metavar="DIR", help="folder to write the packages into (created if missing)")
    p.add_argument(
        "--difficulty",
        choices=("easy", "medium", "hard"),
        default="medium",
        help="items, distractors and number sizes (default medium)",
    )
    p.add_argument(
        "--split",
        choices=("train", "heldout"),
        default="train",
        help="entity pools and prompt templates to draw from (default train)",
    )
    p.add_argument("--force", action="store_true", help="replace task folders that already exist")
    p.add_argument(
        "--preview",
        action="store_true",
        help="print the prompt and expected answer of the first instance instead of writing",
    )
    p.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    p.set_defaults(func=run)


def _list(args) -> int:
    from arena import families

    rows = []
    for f in families.FAMILIES.values():
        desc = f.description + (" [reserved: far-transfer probe]" if f.reserved else "")
        rows.append(
            {
                "name": f.name,
                "domain": f.domain,
                "description": desc,
                "format": f.fmt,
                "skills": list(f.skills),
                "reserved": f.reserved,
            }
        )
    if args.json:
        emit_json({"families": rows})
    else:
        w = max(len(r["name"]) for r in rows)
        for r in rows:
            print(f"{r['name']:<{w}}  {r['domain']:<22}  {r['description']}")
    return EXIT_OK


def run(args) -> int:
    from arena import families

    if args.list:
        return _list(args)
    if not args.family:
        return usage_error("name a FAMILY (see `arena generate --list`) or pass --list")
    chosen = list(families.FAMILIES) if args.family == "all" else [args.family]
    if chosen[0] not in families.FAMILIES:
        return usage_error(f"unknown family {args.family!r}; `arena generate --list` shows the families")
    if args.n < 1:
        return usage_error("--n must be at least 1")
    if args.preview:
        docs = []
        for name in chosen:
            g = families.get(name).generate_one(args.seed, 0, args.difficulty, args.split)
            docs.append({"task_id": g.task_id, "prompt": g.prompt, "answer": g.answer})
            if not args.json:
                print(
                    f"== {g.task_id} ({g.difficulty}, {len(g.prompt)} chars)\n{g.prompt}\n-- answer:\n{g.answer}\n"
                )
        if args.json:
            emit_json({"previews": docs})
        return EXIT_OK
    if not args.out:
        return usage_error("--out DIR is required to write packages (or use --preview / --list)")
    written, errors = [], []
    for name in chosen:
        try:
            written += families.generate(
                name, args.n, args.seed, args.out, args.difficulty, args.split, force=args.force
            )
        except (FileExistsError, OSError) as exc:
            errors.append(f"{name}: {exc}")
    if args.json:
        emit_json({"written": [str(p) for p in written], "errors": errors})
    else:
        print(f"wrote {len(written)} package(s) to {args.out}")
        for e in errors:
            print(f"error: {e}", file=sys.stderr)
    return EXIT_FAIL if errors else EXIT_OK
