"""Small helpers shared by the command modules (output conventions, exit codes)."""

from __future__ import annotations

import json
import sys
from typing import Any

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def emit_json(doc: Any) -> None:
    json.dump(doc, sys.stdout, indent=2, default=str, allow_nan=False)
    sys.stdout.write("\n")


def usage_error(message: str) -> int:
    print(f"arena: error: {message}", file=sys.stderr)
    return EXIT_USAGE
