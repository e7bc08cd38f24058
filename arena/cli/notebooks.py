"""``arena notebooks list|run``: execute the workbench notebooks with papermill (+ HTML)."""

from __future__ import annotations

import argparse
import sys

from arena.cli.common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, emit_json

HELP = """List or execute the parameterized notebooks in notebooks/.

  arena notebooks list                       # names, titles, parameters with defaults
  arena notebooks run validate -p corpus environments/reference -p runtime local
  arena notebooks run 05 --out runs/analysis -p results runs/showcase

NAME is the file stem (01_validate), the short name (validate) or the number (1).  Each -p value
is parsed as YAML (numbers, booleans, lists), like papermill's.  The executed notebook and its
HTML export go to --out; the results each notebook records are printed (--json for all).
"""


def add_parser(sub) -> None:
    p = sub.add_parser("notebooks", help="list or run the workbench notebooks (papermill)",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    s = p.add_subparsers(dest="nb_command", metavar="list|run")
    ls = s.add_parser("list", help="list notebooks and their parameters")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=do_list)
    r = s.add_parser("run", help="execute one notebook")
    r.add_argument("name")
    r.add_argument("-p", "--param", nargs=2, action="append", default=[], metavar=("KEY", "VALUE"))
    r.add_argument("--out", default="runs/notebooks", help="folder for the executed notebook + HTML")
    r.add_argument("--no-html", action="store_true")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=do_run)
    p.set_defaults(func=lambda a: (p.print_help(), EXIT_USAGE)[1])


def do_list(args) -> int:
    from arena.notebooks import list_notebooks

    nbs = list_notebooks()
    if args.json:
        emit_json([{"name": n.name, "title": n.title, "path": str(n.path), "parameters": n.parameters} for n in nbs])
        return EXIT_OK
    for n in nbs:
        print(f"{n.name:<22} {n.title}")
        for k, v in n.parameters.items():
            print(f"    -p {k} {v['default']}")
    return EXIT_OK


def do_run(args) -> int:
    import yaml

    from arena.notebooks import NotebookError, run_notebook

    params = {}
    for k, v in args.param:
        try:
            params[k] = yaml.safe_load(v)
        except yaml.YAMLError:
            params[k] = v
    try:
        run = run_notebook(args.name, params, out_dir=args.out, html=not args.no_html, progress=not args.json)
    except NotebookError as exc:
        print(f"arena: {exc}", file=sys.stderr)
        return EXIT_FAIL
    if args.json:
        emit_json({"notebook": str(run.notebook), "html": str(run.html) if run.html else None,
                   "records": run.records, "seconds": round(run.seconds, 1)})  # fmt: skip
    else:
        print(f"executed {run.notebook} in {run.seconds:.1f}s" + (f"; HTML {run.html}" if run.html else ""))
        for k, v in run.records.items():
            print(f"  {k}: {str(v)[:160]}")
    return EXIT_OK
