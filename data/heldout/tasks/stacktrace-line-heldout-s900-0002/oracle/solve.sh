#!/bin/bash
# Reference solution for stacktrace-line-heldout-s900-0002: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
file=src/mailer.py
line=246
ANSWER
