"""``arena import dataset|harbor SRC --out CORPUS``: rebuild task packages from an exported
dataset or from Harbor task folders (the reverse of ``arena export``); ``arena import organizers
FILE_OR_RUN... --results DIR``: the organizers' scoring contracts and run reports into a results
folder."""

from __future__ import annotations

import argparse
import sys

from arena.cli.common import EXIT_FAIL, EXIT_OK, emit_json, usage_error

HELP = """Rebuild arena task packages.

  dataset  from a folder written by `arena export dataset` (or one parquet file): every row's
           `files` archive becomes CORPUS/<id>/ and its digest is checked against the row's
           (a mismatch is an error: the archive was altered).
  harbor   from Harbor / Terminal-Bench task folders (a dataset folder or one task): task.toml +
           instruction.md become task.md, tests/ becomes verifier/, solution/ becomes oracle/.
           A task exported by `arena export harbor` and not edited since comes back byte for
           byte (same digest); otherwise task.md is regenerated and every field arena cannot
           apply is listed (field, why, where it was kept).

Run `arena check CORPUS` afterwards: an import does not make a foreign task valid.

examples:
  arena import dataset dist/reference-hf --out /tmp/reference-again
  arena import harbor dist/harbor-examples --out /tmp/examples-again
  arena import harbor ~/terminal-bench/tasks/hello-world --out imported/

exit: 0 imported, 1 some task could not be imported cleanly (digest mismatch, missing
Dockerfile or solution, unknown category), 2 usage error
"""


def add_parser(sub) -> None:
    p = sub.add_parser("import", help="task packages from an exported dataset or Harbor tasks",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    isub = p.add_subparsers(dest="import_format", metavar="{dataset,harbor,organizers}")
    for fmt, what in (
        ("dataset", "from `arena export dataset` output"),
        ("harbor", "from Harbor task folders"),
    ):
        e = isub.add_parser(
            fmt, help=what, description=FORMAT_HELP[fmt], formatter_class=argparse.RawDescriptionHelpFormatter
        )
        e.add_argument("src", metavar="DIR", help="dataset folder / Harbor tasks folder")
        e.add_argument("--out", required=True, metavar="CORPUS", help="folder the packages are written to")
        e.add_argument("--json", action="store_true", help="one JSON summary on stdout")
        if fmt == "dataset":
            e.add_argument(
                "--overwrite", action="store_true", help="replace package folders that already exist"
            )
        else:
            e.add_argument("--domain", help="arena domain of tasks whose Harbor category is none of the eight")
            e.add_argument("--domain-map", metavar="FILE",
                           help="YAML/JSON mapping Harbor category -> arena domain (tried before --domain)")  # fmt: skip
        e.set_defaults(func=run, import_format=fmt)
    o = isub.add_parser("organizers", help="organizer score contracts / run reports into a results folder",
                        description=ORG_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    o.add_argument("src", nargs="+", metavar="FILE_OR_RUN",
                   help="contract .json files (their scoring input) or pipeline run folders (reports/score.json, eval_lift.json)")  # fmt: skip
    o.add_argument("--results", required=True, metavar="DIR", help="results folder (eval/<run>/trials.parquet …)")
    o.add_argument("--baseline", default="baseline", help="name of the reference run folder (default baseline)")
    o.add_argument("--domain", help="domain of lift-report tasks whose record names none")
    o.set_defaults(func=run_organizers)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


FORMAT_HELP = {
    "dataset": """Import an exported Hugging Face dataset folder (or one parquet file): every row's `files`
archive becomes CORPUS/<id>/ and its digest is checked against the row's (a mismatch is an error:
the archive was altered).

examples:
  arena import dataset dist/reference-hf --out /tmp/reference-again

exit: 0 imported, 1 a digest mismatch or an unusable row, 2 usage error
""",
    "harbor": """Import Harbor / Terminal-Bench task folders (a dataset folder or one task) as arena packages:
task.toml + instruction.md become task.md, tests/ becomes verifier/, solution/ becomes oracle/.
A task exported by `arena export harbor` and not edited since comes back byte for byte; otherwise
every field arena cannot apply is listed (field, why, where it was kept), placeholders included.

A Harbor category is rarely one of arena's eight domains: --domain-map FILE (category: domain) is
tried first, then the category itself (any spelling of a domain), then --domain; Harbor's category
is kept as metadata.legacy_category.  Scripts that read /tests or /solution (Harbor's mount points)
are reported: arena mounts those folders at /verifier and /oracle ($BENCHFLOW_VERIFIER_DIR,
$BENCHFLOW_ORACLE_DIR).

examples:
  arena import harbor ~/harbor-cookbook/recipes --out imported/ --domain software-engineering
  arena import harbor ~/tb/tasks --out imported/ --domain-map categories.yaml

exit: 0 imported, 1 some task could not be imported cleanly (missing Dockerfile or solution,
unreadable task.toml), 2 usage error
""",
}

ORG_HELP = """Bring the organizers' artifacts into an arena results folder (what notebooks 05-06 and
`arena score DIR/eval/<team> --baseline DIR/eval/baseline` read):

  a .json file   their scoring input contract {"team", "instances": [{instance_id, domain,
                 reward_ref, reward_team}]}: eval/<team>/ gets the team rewards, eval/<baseline>/
                 the reference rewards (contracts must agree on the reference).
  a run folder   a pipeline run (reports/score.json, reports/eval_lift.json): the reports are kept
                 under organizers/<run>/ and summarized in organizers/runs.csv; per-task records in
                 eval_lift.json, when present, become trials.

examples:
  arena import organizers contracts/*.json --results results/
  arena import organizers runs/qwen3-4b-grpo --results results/ --domain software-engineering

exit: 0 imported, 1 a file could not be imported (the reason is printed), 2 usage error
"""


def run_organizers(args) -> int:
    from pathlib import Path

    from arena.organizer_reports import import_contract, import_run_report

    code = EXIT_OK
    for src in args.src:
        path = Path(src)
        if not path.exists():
            return usage_error(f"no such file or folder: {src}")
        try:
            if path.is_file():
                rep = import_contract(path, args.results, baseline=args.baseline)
            else:
                rep = import_run_report(path, args.results, baseline=args.baseline, domain=args.domain)
        except (ValueError, OSError) as exc:
            print(f"arena import organizers: {src}: {exc}", file=sys.stderr)
            code = EXIT_FAIL
            continue
        for note in rep.notes:
            print(f"arena import organizers: note: {note}", file=sys.stderr)
        print(f"{src}: wrote {', '.join(str(w) for w in dict.fromkeys(rep.written))}")
    return code


def run(args) -> int:
    from pathlib import Path

    if not Path(args.src).exists():
        return usage_error(f"no such folder: {args.src}")
    if args.import_format == "dataset":
        from arena.export import import_dataset

        try:
            res = import_dataset(args.src, args.out, overwrite=args.overwrite)
        except FileNotFoundError as exc:
            return usage_error(str(exc))
        doc = {"written": len(res.written), "findings": [f.to_dict() for f in res.findings]}
        failed = not res.ok
        lossless = len(res.written) - sum(f.rule == "import.digest" for f in res.findings)
        text = [f.render() for f in res.findings]
    else:
        from arena.cli.export import print_notes
        from arena.harbor import import_harbor

        from arena import domains

        if args.domain and domains.resolve(args.domain) is None:
            return usage_error(f"--domain {args.domain}: {domains.hint(args.domain)}")
        mapping = None
        if args.domain_map:
            import yaml

            try:
                mapping = yaml.safe_load(Path(args.domain_map).read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError) as exc:
                return usage_error(f"--domain-map {args.domain_map}: {exc}")
            if not isinstance(mapping, dict):
                return usage_error(f"--domain-map {args.domain_map}: expected a mapping `harbor-category: domain`")
            bad = {k: v for k, v in mapping.items() if domains.resolve(str(v)) is None}
            if bad:
                k, v = next(iter(bad.items()))
                return usage_error(f"--domain-map {args.domain_map}: {k}: {v!r}: {domains.hint(str(v))}")
            mapping = {str(k): str(v) for k, v in mapping.items()}
        res = import_harbor(args.src, args.out, domain=args.domain, domain_map=mapping)
        doc = {
            "written": len(res.written),
            "lossless": len(res.lossless),
            "notes": [n.__dict__ for n in res.notes],
        }
        failed, lossless, text = not res.ok, len(res.lossless), None
    if args.json:
        emit_json(doc)
        return EXIT_FAIL if failed else EXIT_OK
    if text:
        print("\n".join(text), file=sys.stderr)
    elif text is None and res.notes:
        print("not mapped one-to-one (field, why, where it was kept):")
        print_notes(res.notes)
    print(
        f"{doc['written']} package(s) written to {args.out}; {lossless} identical to the exported package (digest)"
    )
    return EXIT_FAIL if failed else EXIT_OK
