"""``arena domains``: the eight domains, their ids and accepted category slugs."""

from __future__ import annotations

from arena.cli.common import emit_json


def add_parser(sub) -> None:
    p = sub.add_parser("domains", help="list the eight domains and the category slugs each accepts")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args) -> int:
    from arena.domains import DOMAINS

    if args.json:
        emit_json([{"id": d.id, "name": d.name, "aliases": list(d.aliases)} for d in DOMAINS])
    else:
        for d in DOMAINS:
            print(f"{d.id:<24} {d.name:<32} also: {', '.join(d.aliases)}")
    return 0
