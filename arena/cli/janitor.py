"""``arena janitor``: remove sandboxes, cgroups, scratch folders and containers of dead runs."""

from __future__ import annotations

from arena.cli.common import EXIT_OK, emit_json


def add_parser(sub) -> None:
    p = sub.add_parser("janitor", help="clean up what crashed runs left behind (safe beside live runs)",
                       description="Remove trial leftovers whose creating process is gone: per-trial cgroups, "
                                   "scratch folders (/tmp/arena-trial-<pid>-*), and Docker containers labelled "
                                   "arena.trial=1.  --dry-run lists them only.")  # fmt: skip
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--no-docker", action="store_true", help="do not look at the Docker engine")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args) -> int:
    from arena.sandbox.janitor import sweep

    s = sweep(dry_run=args.dry_run, docker=not args.no_docker)
    if args.json:
        emit_json(s.__dict__)
        return EXIT_OK
    verb = "would remove" if args.dry_run else "removed"
    print(f"{verb}: {len(s.cgroups)} cgroup(s), {len(s.scratch)} scratch folder(s), {len(s.containers)} container(s), {len(s.networks)} route network(s)"
          + (f"; killed {s.killed} process(es)" if s.killed else ""))  # fmt: skip
    for n in s.notes:
        print(f"  note: {n}")
    return EXIT_OK
