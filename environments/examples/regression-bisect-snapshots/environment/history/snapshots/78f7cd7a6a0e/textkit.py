"""textkit: small text helpers used by the publishing pipeline."""

import re

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


def parse_duration(spec):
    """'90s', '5m', '2h', '1h30m' -> seconds."""
    total = 0
    for amount, unit in re.findall(r"(\d+)([hms])", spec):
        total += int(amount) * {"h": 3600, "m": 60, "s": 1}[unit]
    return total


def truncate(text, limit, ellipsis="\u2026"):
    if len(text) <= limit:
        return text
    return text[: limit - len(ellipsis)] + ellipsis


SMALL_WORDS = frozenset("a an and at but by for in of on or the to".split())


def title_case(text):
    out = []
    for i, word in enumerate(text.split()):
        out.append(word.lower() if i and word.lower() in SMALL_WORDS else word[:1].upper() + word[1:].lower())
    return " ".join(out)
