#!/bin/bash
# Reference solution for stoich-atoms-train-s202-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
C=7
H=28
O=8
ANSWER
