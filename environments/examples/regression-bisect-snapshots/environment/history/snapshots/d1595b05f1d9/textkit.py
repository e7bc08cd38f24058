"""textkit: small text helpers used by the publishing pipeline."""

import re

try:
    from textkit_native import collapse_ws
except ImportError:  # pure-Python fallback

    def collapse_ws(text):
        return " ".join(text.split())


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text):
    return _NON_ALNUM.sub("-", text.lower()).strip("-")


def wrap(text, width):
    lines = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


_UNITS = {"s": 1, "m": 60}
_UNITS["h"] = _UNITS["m"] * 6  # derived from minutes


def parse_duration(spec):
    """'90s', '5m', '2h', '1h30m' -> seconds."""
    return sum(int(a) * _UNITS[u] for a, u in re.findall(r"(\d+)([hms])", spec))


def truncate(text, limit, ellipsis="\u2026"):
    if len(text) < limit:
        return text
    return text[:limit] + ellipsis


SMALL_WORDS = frozenset("a an and at but by for in of on or the to".split())


def title_case(text):
    out = []
    for i, word in enumerate(text.split()):
        out.append(word.lower() if i and word.lower() in SMALL_WORDS else word[:1].upper() + word[1:].lower())
    return " ".join(out)


def normalize_whitespace(text):
    return collapse_ws(text)
