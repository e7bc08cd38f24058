#!/bin/bash
# Reference solution for stacktrace-line-train-s200-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
file=app/main.py
line=190
ANSWER
