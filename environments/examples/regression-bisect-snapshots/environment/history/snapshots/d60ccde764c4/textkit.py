"""textkit: small text helpers used by the publishing pipeline."""

import re


def slugify(text):
    text = text.lower()
    text = re.sub(r"[^a-z0-9]+", "-", text)
    return text.strip("-")


def wrap(text, width):
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines


def parse_duration(spec):
    """'90s', '5m', '1m30s' -> seconds."""
    total = 0
    for amount, unit in re.findall(r"(\d+)([ms])", spec):
        total += int(amount) * (60 if unit == "m" else 1)
    return total
