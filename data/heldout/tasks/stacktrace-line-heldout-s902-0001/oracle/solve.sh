#!/bin/bash
# Reference solution for stacktrace-line-heldout-s902-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
file=src/tasks.py
line=73
ANSWER
