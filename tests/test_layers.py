"""The layers of ARCHITECTURE.md hold: no module imports a module of a higher layer.

The layer table is read from ARCHITECTURE.md itself, so the document and the code cannot drift
apart silently; imports inside functions count, ``if TYPE_CHECKING:`` blocks do not."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: the exceptions ARCHITECTURE.md names (to be removed by issue #16); anything else fails
KNOWN: set[tuple[str, str]] = set()  # issue #16 removed the last two exceptions


def layers() -> dict[str, int]:
    text = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    out = {}
    for m in re.finditer(r"^L(\d+) \w+\s*:(.*)$", text, re.MULTILINE):
        for name in m.group(2).split():
            out[f"arena.{name}"] = int(m.group(1))
    return out


def layer_of(module: str, table: dict[str, int]) -> int | None:
    parts = module.split(".")
    for i in range(len(parts), 1, -1):
        if ".".join(parts[:i]) in table:
            return table[".".join(parts[:i])]
    return None


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for n in ast.walk(node)}
    out = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.startswith("arena"):
            out |= {f"{node.module}.{a.name}" for a in node.names} | {node.module}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("arena")}
    return out


def modules() -> dict[str, Path]:
    out = {}
    for p in (REPO / "arena").rglob("*.py"):
        if "assets" in p.parts:
            continue
        name = ".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        out[name] = p
    return out


def test_every_module_has_a_layer():
    table = layers()
    assert len(set(table.values())) >= 8, "ARCHITECTURE.md's layer table was not found"
    missing = sorted(m for m in modules() if m != "arena" and layer_of(m, table) is None)
    assert not missing, f"add these modules to a layer in ARCHITECTURE.md: {missing}"


def test_no_module_imports_a_higher_layer():
    table, mods = layers(), modules()
    bad = []
    for name, path in sorted(mods.items()):
        mine = layer_of(name, table)
        if mine is None:
            continue
        for imp in sorted(_imports(path)):
            if imp not in mods:  # `from arena.x import Name` also yields arena.x.Name
                continue
            theirs = layer_of(imp, table)
            if theirs is not None and theirs > mine and (name, imp) not in KNOWN:
                bad.append(f"{name} (L{mine}) imports {imp} (L{theirs})")
    assert not bad, "\n".join(bad)


def test_the_checker_sees_a_planted_violation(tmp_path):
    """The check can fail: a sandbox module importing the CLI is reported."""
    planted = tmp_path / "x.py"
    planted.write_text("def f():\n    from arena.cli.main import main\n")
    table = layers()
    assert "arena.cli.main" in _imports(planted)
    assert layer_of("arena.cli.main", table) > layer_of("arena.sandbox.local", table)
