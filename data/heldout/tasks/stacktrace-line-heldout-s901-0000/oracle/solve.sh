#!/bin/bash
# Reference solution for stacktrace-line-heldout-s901-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
file=src/schema.py
line=82
ANSWER
