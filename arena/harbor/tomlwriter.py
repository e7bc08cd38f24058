"""A small TOML writer (tables of strings, numbers, booleans, lists, nested tables): the
standard library reads TOML but does not write it."""

from __future__ import annotations

import math
import re


def _toml_str(s: str, multiline: bool = False) -> str:
    def esc(ch: str) -> str:
        if ch == "\\":
            return "\\\\"
        if ch == '"':
            return '\\"'
        if ch == "\n" and multiline:
            return ch
        if ch in "\b\t\n\f\r":
            return {
                "\b": "\\b",
                "\t": "\\t" if not multiline else "\t",
                "\n": "\\n",
                "\f": "\\f",
                "\r": "\\r",
            }[ch]
        if ord(ch) < 0x20 or ord(ch) == 0x7F:
            return f"\\u{ord(ch):04x}"
        return ch

    body = "".join(map(esc, s))
    return f'"""\n{body}"""' if multiline else f'"{body}"'


def _toml_key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else _toml_str(k)


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
    if isinstance(v, str):
        return _toml_str(v, multiline="\n" in v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"
    return _toml_str(str(v))


def dump_toml(doc: dict, prefix: str = "") -> str:
    """TOML text of a mapping: scalars first, then one [table] per nested mapping.  None is skipped
    (TOML has no null; callers report it)."""
    lines, tables = [], []
    for k, v in doc.items():
        if v is None:
            continue
        if isinstance(v, dict):
            tables.append((k, v))
        else:
            lines.append(f"{_toml_key(k)} = {_toml_value(v)}")
    out = "\n".join(lines)
    for k, v in tables:
        name = f"{prefix}.{_toml_key(k)}" if prefix else _toml_key(k)
        out += f"\n\n[{name}]\n" + dump_toml(v, name)
    return out.strip("\n") + ("\n" if not prefix else "")
