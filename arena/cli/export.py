"""``arena export dataset|harbor CORPUS... --out DIR``: a corpus as a Hugging Face dataset or as
Harbor task folders.  The reverse is ``arena import`` (arena/cli/imports.py)."""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict

from arena.cli.common import EXIT_FAIL, EXIT_OK, emit_json, usage_error

HELP = """Export task packages for use outside this workbench.

  dataset  one parquet row per package (id, domain, difficulty, prompt, frontmatter as JSON,
           digest, licence, the package as a deterministic tar) + README.md dataset card;
           loads with `datasets.load_dataset(DIR)`, offline.
  harbor   one Harbor / Terminal-Bench task folder per package (task.toml, instruction.md,
           environment/, tests/, solution/); fields Harbor cannot hold are listed, with
           where they were kept.

Bad input: every package must pass `arena check`.  A package with error findings is refused and
its findings are printed (file, rule, message, fix); the other packages are still exported and
the command exits 1, naming the refused ones, so a release script notices.

examples:
  arena export dataset environments/reference --out dist/reference-hf
  arena export harbor environments/examples --out dist/harbor-examples
  arena export dataset environments/teams/hasty --out /tmp/hasty   # 9 refused, exit 1

exit: 0 everything exported, 1 some package refused (the rest is written), 2 usage error
"""


def add_parser(sub) -> None:
    p = sub.add_parser("export", help="a corpus as a Hugging Face dataset or as Harbor tasks",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    esub = p.add_subparsers(dest="export_format", metavar="{dataset,harbor}")
    for fmt, what in (("dataset", "parquet + dataset card (Hugging Face datasets)"),
                      ("harbor", "Harbor task folders (task.toml, instruction.md, tests/, solution/)")):  # fmt: skip
        e = esub.add_parser(
            fmt, help=what, description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        e.add_argument("paths", nargs="+", metavar="CORPUS", help="task folders, team entries or corpora")
        e.add_argument("--out", required=True, metavar="DIR", help="output folder (created)")
        e.add_argument("--json", action="store_true", help="one JSON summary on stdout")
        e.set_defaults(func=run, export_format=fmt)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def print_notes(notes, stream=None) -> None:
    """Notes grouped by (severity, field, reason): one line per group with its task count."""
    groups: dict[tuple, list[str]] = defaultdict(list)
    for n in notes:
        groups[(n.severity, n.field, n.why)].append(n.task)
    order = {"error": 0, "warning": 1, "info": 2}
    for (sev, fld, why), tasks in sorted(groups.items(), key=lambda kv: (order.get(kv[0][0], 3), kv[0][1])):
        mark = {"error": "✗", "warning": "!"}.get(sev, "·")
        who = tasks[0] if len(tasks) == 1 else f"{len(tasks)} tasks, e.g. {tasks[0]}"
        print(f"  {mark} {sev:<7} {fld} ({who}): {why}", file=stream or sys.stdout)


def run(args) -> int:
    from pathlib import Path

    from arena.release import gate

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        return usage_error(f"no such corpus folder: {', '.join(missing)}")
    g = gate(args.paths)
    if g.refused or g.general:
        print(g.render_refused(), file=sys.stderr)
    doc = {"format": args.export_format, "out": args.out, "exported": 0, "refused": [t.task_id for t in g.refused],
           "warnings": g.n_warnings}  # fmt: skip
    if args.export_format == "dataset":
        from arena.export import export_dataset

        res = export_dataset(args.paths, args.out, gate_result=g)
        doc.update(exported=res.rows, by_domain=res.by_domain)
        notes = []
    else:
        from arena.harbor import export_harbor

        conv, _ = export_harbor(args.paths, args.out, gate_result=g)
        doc.update(exported=len(conv.written), notes=[n.__dict__ for n in conv.notes])
        notes = conv.notes
    failed = bool(g.refused or g.general) or any(n.severity == "error" for n in notes)
    if args.json:
        emit_json(doc)
    else:
        if notes:
            print("not mapped one-to-one (field, why, where it was kept):")
            print_notes(notes)
        print(f"{doc['exported']} package(s) exported to {args.out} ({args.export_format}); "
              f"{len(g.refused)} refused by arena check; {g.n_warnings} warning(s) in the exported ones")  # fmt: skip
    if failed:
        print(f"arena export: {len(g.refused)} package(s) refused ({', '.join(doc['refused'][:5])}"
              f"{'…' if len(g.refused) > 5 else ''}): fix the findings above and export again", file=sys.stderr)  # fmt: skip
        return EXIT_FAIL
    return EXIT_OK
