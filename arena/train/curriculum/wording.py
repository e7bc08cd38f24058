"""The curriculum's wording (its own, none of the families'): answer-format, key-order and answer-file
lines, intros, and how one prompt is assembled from data + question + those lines."""

from __future__ import annotations

import random

from arena.train.curriculum.entities import _word

FORMAT = {
    "int": ("Reply with a whole number only.", "Answer with digits only, no words or units.", "Output: one integer.",
            "Respond with just the number.", "Give the result as a plain integer.",
            "The reply is a single integer and nothing else.", "Answer format: an integer written in digits.",
            "Format: digits only.", "Only the number, please."),
    "token": ("Reply with the name only, spelled exactly as above.", "Answer with that one entry, copied exactly.",
              "Output: the single name, nothing else.", "Give just the name.",
              "Answer format: one name, copied verbatim.", "Format: the exact name, no other words.",
              "Respond with the entry itself, nothing around it.", "Only the name, as it is written."),
    "list": ("Reply with the items joined by commas, no spaces.", "Output: a comma-separated list without spaces.",
             "Answer format: item,item,item (commas, no spaces).", "Give the items comma-separated, no blanks.",
             "Format: one line, items split by commas, no spaces.", "List them with commas between, no spaces."),
    "kv": ("Reply with one key=value line per key, in the order given, no spaces.",
           "Output: key=value lines, one per key, in the stated order.",
           "Answer format: lines of key=value, keys in the order requested.",
           "Format: each key on its own line as key=value, nothing else.",
           "Give one line per key, written key=value, in that order."),
}  # fmt: skip
ORDER_SEEN = ("in the order they appear", "in order of appearance", "keeping the order of the text", "first seen first")
KEYS = ("Keys wanted, in order: {keys}", "Report these, in order: {keys}", "Fields (in this order): {keys}",
        "Order of keys: {keys}", "In this order: {keys}")  # fmt: skip
FILE = ("Put just the answer in {p}.", "Save the answer, and nothing else, to {p}.",
        "Your answer goes in {p}; write nothing else there.", "Store only the result in the file {p}.",
        "Answer file: {p} (the answer alone).", "Write the answer alone into {p}.",
        "The file {p} must contain only the answer.", "Record only the answer in {p}.")  # fmt: skip
PATHS = ("/root/answer.txt", "/root/answer.txt", "/root/out.txt", "/tmp/result.txt", "/work/answer", "answer.txt",
         "/root/reply.txt", "/srv/out/answer.txt")  # fmt: skip
INTROS = ("Data:", "Here is the input:", "Input follows.", "Consider these lines:", "Read the text below.", "Records:",
          "The following was logged:", "Source text:", "Below is a listing.", "Snapshot:", "Extract:", "From the file:",
          "Look at this:", "Given:", "Context:", "Dump:")  # fmt: skip
DOC_NOUNS = ("listing", "export", "dump", "summary", "sheet", "log", "register", "inventory", "report", "table",
             "roster", "digest", "printout", "ledger", "tally", "readout", "catalogue", "index")  # fmt: skip
PLACES = ("archive", "batch", "unit", "station", "desk", "group", "project", "site", "lab", "crew", "board",
          "depot", "node", "shift", "branch", "cell", "yard", "cluster")  # fmt: skip
THINGS = ("code", "label", "word", "tag", "identifier", "key", "handle", "token", "name", "marker", "password", "ref")
TAGS = ("OK", "FAIL", "WARN", "DONE", "TODO", "LATE", "HOLD", "NEW", "OPEN", "SHUT", "HIGH", "LOW", "ON", "OFF",
        "MISS", "HIT", "KEEP", "DROP", "RED", "GREEN", "BLUE", "GOLD", "ALPHA", "BETA")  # fmt: skip
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")
HIGH = ("highest", "largest", "biggest", "greatest", "top", "maximum")
LOW = ("lowest", "smallest", "least", "minimum", "bottom", "tiniest")


def _intro(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(INTROS)
    return f"{rng.choice(DOC_NOUNS).capitalize()} of the {_word(rng)} {rng.choice(PLACES)}:"


def _sep(rng: random.Random) -> str:
    return rng.choice((": ", " = ", " -> ", "\t", " is ", ": "))


def _assemble(rng, body: str, q: str, fmt: str, keys: list[str] | None = None) -> str:
    fmt_line = rng.choice(FORMAT[fmt])
    keys_line = rng.choice(KEYS).format(keys=", ".join(keys)) + "\n" if keys else ""
    tail = f"{keys_line}{fmt_line}\n{rng.choice(FILE).format(p=rng.choice(PATHS))}"
    if rng.random() < 0.8:
        return f"{_intro(rng)}\n\n{body}\n\n{q}\n{tail}"
    return f"{q}\n\n{body}\n\n{tail}"
